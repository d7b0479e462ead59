import { dirname, resolve } from 'node:path'
import * as z from 'zod'
import { PipetestError } from '../errors.js'
import { lazySchema } from '../files/lazy-schema.js'
import { configuredPython, findConfigFile } from './config-file.js'

/**
 * Settings a project writes once instead of passing to every command and test file.
 * Paths are relative to the folder of the file that holds them.
 */
const projectConfigSchema = lazySchema(() =>
  z
    .object({
      /** Python interpreter for Python scripts (a spec's `python` wins; PIPETEST_PYTHON beats this). */
      python: z.string().min(1, 'must not be empty').optional(),
      /** Project root: spec paths are resolved against it. Default: the config file's folder. */
      rootDir: z.string().min(1, 'must not be empty').optional(),
      /** Holds `.specs/` and `.pipetest/`, relative to rootDir. */
      testDataDir: z.string().min(1, 'must not be empty').optional(),
      concurrency: z
        .number()
        .int('must be a whole number')
        .positive('must be at least 1')
        .optional(),
      timeoutSeconds: z.number().positive('must be a positive number of seconds').optional(),
      /** The default DAG file(s) of commands that take one. */
      dag: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).optional(),
      /** A folder of cursus `*_contract.py` files. */
      contractsDir: z.string().min(1, 'must not be empty').optional(),
      /** The spec files' folder. Default: `<testDataDir>/.specs` (or `specs`, cursus's later one). */
      specsDir: z.string().min(1, 'must not be empty').optional(),
      /**
       * The execution cache: false turns it off; `dir` (relative to this file's folder; default
       * `<testDataDir>/.pipetest/cache`) and `maxSize` (bytes or "2GB"; default 1 GB) place it.
       */
      cache: z
        .union([
          z.boolean(),
          z
            .object({
              dir: z.string().min(1, 'must not be empty').optional(),
              maxSize: z
                .union([
                  z.number().nonnegative(),
                  z
                    .string()
                    .regex(/^\s*\d+(\.\d+)?\s*[a-zA-Z]*\s*$/, 'must be bytes or a size like "2GB"'),
                ])
                .optional(),
            })
            .strict(),
        ])
        .optional(),
    })
    .strict(),
)

export type ProjectConfigFile = z.infer<ReturnType<typeof projectConfigSchema>>

/** The configuration in effect: paths absolute (the cache's `dir` too), `PIPETEST_PYTHON` applied. */
export type ProjectConfig = Omit<ProjectConfigFile, 'dag'> & {
  /** The file it came from (`pipetest.config.json` or `package.json`); undefined: none found. */
  file?: string
  /** Where `python` came from, for messages that say how to change it. */
  pythonFrom?: 'PIPETEST_PYTHON' | 'config'
  dags: string[]
}

/**
 * The configuration of the project `dir` belongs to: the nearest `pipetest.config.json` or
 * `package.json` with a `pipetest` key, walking up from `dir` and stopping at the first
 * `package.json` (the project's own). Synchronous: Jest collects tests synchronously.
 * A malformed file throws a PipetestError naming the file, the field and the fix.
 *
 * @example
 *   // pipetest.config.json: { "python": "/usr/bin/python3", "dag": "pipeline.dag.json" }
 *   loadProjectConfig(process.cwd()).python // '/usr/bin/python3'
 */
export function loadProjectConfig(
  dir: string,
  env: NodeJS.ProcessEnv = process.env,
): ProjectConfig {
  const found = findConfig(resolve(dir))
  const config: ProjectConfig = { dags: [] }
  if (found) {
    const base = dirname(found.file)
    // What is left in `plain` is taken as written: testDataDir, concurrency, timeoutSeconds.
    const { rootDir, python, dag, contractsDir, specsDir, cache, ...plain } = found.data
    Object.assign(config, plain, { file: found.file, rootDir: resolve(base, rootDir ?? '.') })
    if (python !== undefined) {
      config.python = configuredPython(python, base)
      config.pythonFrom = 'config'
    }
    if (dag !== undefined) config.dags = [dag].flat().map((file) => resolve(base, file))
    if (contractsDir !== undefined) config.contractsDir = resolve(base, contractsDir)
    if (specsDir !== undefined) config.specsDir = resolve(base, specsDir)
    if (cache !== undefined) {
      config.cache =
        typeof cache === 'boolean' || cache.dir === undefined
          ? cache
          : { ...cache, dir: resolve(base, cache.dir) }
    }
  }
  const fromEnv = env.PIPETEST_PYTHON
  if (fromEnv !== undefined && fromEnv.trim() !== '') {
    config.python = fromEnv
    config.pythonFrom = 'PIPETEST_PYTHON'
  }
  return config
}

function findConfig(start: string): { file: string; data: ProjectConfigFile } | undefined {
  const found = findConfigFile(start)
  return found && { file: found.file, data: parseConfig(found.settings, found.file, found.prefix) }
}

function parseConfig(value: unknown, file: string, prefix: string): ProjectConfigFile {
  const result = projectConfigSchema().safeParse(value)
  if (result.success) return result.data
  const issue = result.error.issues[0]!
  const path = issue.path.map(String).join('.')
  const field = `${prefix}${path}`
  const unknownKeys = issue.code === 'unrecognized_keys' ? issue.keys : []
  const unknown = unknownKeys.length > 0 ? unknownKeys.join(', ') : undefined
  const keys = Object.keys(projectConfigSchema().shape).join(', ')
  throw new PipetestError(
    'CONFIG_INVALID',
    unknown
      ? `${file}: unknown setting${unknownKeys.length > 1 ? 's' : ''} ${unknown}${prefix ? ` under "pipetest"` : ''}`
      : `${file}: ${field || (prefix ? 'pipetest' : 'the file')} ${issue.message}`,
    {
      file,
      ...(field ? { field } : {}),
      hint: unknown
        ? `The settings are ${keys}.`
        : `Fix ${field || 'it'} in ${file} (settings: ${keys}).`,
    },
  )
}

/** The settings a test file's `describePipeline`/`runScript` options and the config share. */
export type ConfigurableOptions = {
  [K in 'rootDir' | 'testDataDir' | 'python' | 'concurrency' | 'timeoutSeconds' | 'cache']?:
    ProjectConfigFile[K] | undefined
}

/**
 * `options` with what they leave out taken from the project configuration (found from
 * `options.rootDir`, else the current directory); explicit options always win.
 *
 * @example
 *   withProjectConfig({ timeoutSeconds: 60 }) // { rootDir, python: '/usr/bin/python3', …, timeoutSeconds: 60 }
 */
export function withProjectConfig<T extends ConfigurableOptions>(
  options: T,
  cwd: string = process.cwd(),
): T & { rootDir: string; contractsDir?: string; specsDir?: string } {
  const config = loadProjectConfig(options.rootDir ?? cwd)
  const pick = <K extends keyof ConfigurableOptions>(key: K, fallback: ConfigurableOptions[K]) =>
    options[key] !== undefined
      ? { [key]: options[key] }
      : fallback === undefined
        ? {}
        : { [key]: fallback }
  return {
    ...options,
    rootDir: resolve(options.rootDir ?? config.rootDir ?? cwd),
    ...pick('testDataDir', config.testDataDir),
    ...pick('python', config.python),
    ...pick('concurrency', config.concurrency),
    ...pick('timeoutSeconds', config.timeoutSeconds),
    ...pick('cache', config.cache),
    ...(config.contractsDir === undefined ? {} : { contractsDir: config.contractsDir }),
    ...(config.specsDir === undefined ? {} : { specsDir: config.specsDir }),
  }
}
