import { CONFIG_FILE } from '../config/config-file.js'
import { DEFAULT_TEST_DATA_DIR } from '../spec/test-data-dir.js'
import { resolve } from 'node:path'
import { stringOption, type OptionDef, type OptionValues, type PositionalDef } from './command.js'

// Apart from project.ts (which loads the builder): a command's definition is loaded before it
// runs, and `pipetest run` starts Python before anything heavier than its command line.

/** The options every command that reads specs takes, with the library's defaults. */
export const projectOptions: Record<string, OptionDef> = {
  'test-data-dir': {
    type: 'string',
    value: 'DIR',
    description: `Test data folder holding .specs/ and .pipetest/, relative to --root (default ${DEFAULT_TEST_DATA_DIR})`,
  },
  root: {
    type: 'string',
    value: 'DIR',
    description: 'Project root; relative paths in specs are resolved against it (default: .)',
  },
  python: {
    type: 'string',
    value: 'PATH',
    description:
      'Python interpreter for Python scripts (default: PIPETEST_PYTHON, "python" in pipetest.config.json, python3)',
  },
}

/** The `dag` argument of commands that fall back to the project configuration's `dag`. */
export const dagPositional: PositionalDef = {
  name: 'dag',
  required: true,
  description: 'the pipeline DAG JSON file',
  fallback: `the "dag" of ${CONFIG_FILE}`,
  looksLike: /\.json$/i,
}

/**
 * Where a command's project is: `--root` (against the current directory) and `--test-data-dir`
 * (relative to the root) when given, else the configuration's, else the current directory and
 * the library's default. `testDataDir` is returned as given, as the builder takes it.
 */
export function projectFolders(
  values: OptionValues,
  config: { rootDir?: string | undefined; testDataDir?: string | undefined },
  cwd: string,
): { root: string | undefined; rootDir: string; testDataDir: string } {
  const root = stringOption(values, 'root')
  return {
    root,
    rootDir: root !== undefined ? resolve(cwd, root) : (config.rootDir ?? cwd),
    testDataDir:
      stringOption(values, 'test-data-dir') ?? config.testDataDir ?? DEFAULT_TEST_DATA_DIR,
  }
}
