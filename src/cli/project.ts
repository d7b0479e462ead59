import { statSync } from 'node:fs'
import { readdirSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { PipetestError } from '../errors.js'
import { PipelineTestingSpecBuilder } from '../builder/index.js'
import { CONFIG_FILE, loadProjectConfig, type ProjectConfig } from '../config/index.js'
import { PipelineDAG, loadDag } from '../dag/index.js'
import { DEFAULT_PYTHON } from '../engine/run-options.js'
import { stringOption, usageError, type CliContext, type OptionValues } from './command.js'
import { projectFolders } from './project-options.js'
import { displayPath, shellQuote } from '../text.js'

export interface Project {
  rootDir: string
  python: string | undefined
  builder: PipelineTestingSpecBuilder
  /** pipetest.config.json (or package.json's `pipetest`), PIPETEST_PYTHON applied. */
  config: ProjectConfig
  /** How scripts are read without running them (contracts, imports): interpreter, cursus folder. */
  reading: { python: string; contractsDir: string | undefined }
}

/**
 * The builder for the project: `--root`, `--test-data-dir` and `--python` when given, else
 * the project configuration found from the current directory, else the defaults.
 */
export function openProject(values: OptionValues, ctx: CliContext): Project {
  const config = loadProjectConfig(ctx.cwd, ctx.env)
  const { root, rootDir, testDataDir } = projectFolders(values, config, ctx.cwd)
  assertFolder(
    rootDir,
    root !== undefined ? '--root' : `rootDir in ${config.file ?? 'the configuration'}`,
  )
  const python = stringOption(values, 'python') ?? config.python
  if (python === '') {
    throw new PipetestError('USAGE', 'Option --python needs a path', {
      hint: 'Pass the interpreter, e.g. --python python3.11 or --python .venv/bin/python.',
    })
  }
  return {
    rootDir,
    python,
    builder: new PipelineTestingSpecBuilder({ rootDir, testDataDir, specsDir: config.specsDir }),
    config,
    reading: { python: python ?? DEFAULT_PYTHON, contractsDir: config.contractsDir },
  }
}

/**
 * A mistyped `--root` must stop the command: otherwise `init` and `run` create the test data
 * folders under a path nobody meant.
 */
function assertFolder(path: string, option: string): void {
  const stats = statSync(path, { throwIfNoEntry: false })
  if (stats?.isDirectory()) return
  throw new PipetestError(
    'ROOT_NOT_FOUND',
    `${option} ${path} ${stats ? 'is not a folder' : 'does not exist'}`,
    {
      file: path,
      hint: `Pass the project's folder (spec paths are relative to it), or leave out ${option} to use the current directory.`,
    },
  )
}

/**
 * The DAG file a command works on: the one named on the command line, else the one the
 * project configuration names. Several configured DAGs need a choice: the message lists them.
 */
export function dagFileOf(given: string | undefined, command: string, ctx: CliContext): string {
  if (given !== undefined) return given
  const config = loadProjectConfig(ctx.cwd, ctx.env)
  const shown = config.dags.map((dag) => displayPath(dag, ctx.cwd))
  if (shown.length === 1) return shown[0]!
  if (shown.length === 0) {
    throw usageError(
      command,
      `Missing <dag> for "pipetest ${command}": name the pipeline DAG JSON file, or set "dag" in ${config.file ? displayPath(config.file, ctx.cwd) : CONFIG_FILE}`,
    )
  }
  throw usageError(
    command,
    `${displayPath(config.file!, ctx.cwd)} lists ${shown.length} DAGs (${shown.join(', ')}): name one, e.g. pipetest ${command} ${shellQuote(shown[0]!)}`,
  )
}

/**
 * Loads the DAG file named on the command line. The path is resolved against the current
 * directory, as a shell user expects, not against `--root`.
 */
export function loadDagArg(file: string, ctx: CliContext): PipelineDAG {
  const path = resolve(ctx.cwd, file)
  return loadDag(path, ctx.cwd)
}

/**
 * The DAG a node is resolved in: the `--dag` file when given (its declared scripts count),
 * else a one-node DAG, which is how the builder resolves a bare node name.
 */
export function dagForNode(
  project: Project,
  dagFile: string | undefined,
  node: string,
  ctx: CliContext,
): PipelineDAG {
  if (dagFile !== undefined) return loadDagArg(dagFile, ctx)
  return new PipelineDAG({ baseDir: project.rootDir }).addNode(node)
}

/**
 * The DAG a node named on the command line belongs to: the `--dag` file, else the project
 * configuration's only `dag`, else the project's only `*.dag.json` at --root, else none (a
 * node is then a bare name).
 */
export function knownDag(
  project: Project,
  dagFile: string | undefined,
  ctx: CliContext,
): PipelineDAG | undefined {
  if (dagFile !== undefined) return loadDagArg(dagFile, ctx)
  if (project.config.dags.length === 1) return loadDag(project.config.dags[0]!, ctx.cwd)
  const found = readdirSync(project.rootDir).filter((name) => name.endsWith('.dag.json'))
  return found.length === 1 ? loadDag(join(project.rootDir, found[0]!), ctx.cwd) : undefined
}

/**
 * `--test-data-dir` and `--root` as given, to repeat in a command we suggest, so that it
 * reads the same specs as the command that suggested it.
 */
export function locatingArgs(values: OptionValues): string[] {
  return ['test-data-dir', 'root'].flatMap((name) => {
    const value = stringOption(values, name)
    return value === undefined ? [] : [`--${name}`, value]
  })
}
