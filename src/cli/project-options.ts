import { CONFIG_FILE } from '../config/config-file.js'
import { DEFAULT_TEST_DATA_DIR } from '../spec/test-data-dir.js'
import type { OptionDef, PositionalDef } from './command.js'

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
