import { existsSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { isRecord, readJsonFile } from '../files/json.js'

/** The project configuration's file; `package.json`'s `pipetest` key holds the same. */
export const CONFIG_FILE = 'pipetest.config.json'

/** A configuration as found, before it is checked: the file, the settings, their key prefix. */
export interface ConfigFile {
  file: string
  /** The file's JSON (`pipetest.config.json`) or its `pipetest` key (`package.json`). */
  settings: unknown
  /** `''`, or `'pipetest.'` for `package.json`: how a field is named in messages. */
  prefix: string
}

/**
 * The nearest `pipetest.config.json` or `package.json` with a `pipetest` key, walking up from
 * `start` and stopping at the first `package.json` (the project's own). Unchecked: see
 * project-config.ts, which holds the schema. A file that is not JSON throws a PipetestError.
 */
export function findConfigFile(start: string): ConfigFile | undefined {
  for (let dir = start; ; dir = dirname(dir)) {
    const own = join(dir, CONFIG_FILE)
    if (existsSync(own)) return { file: own, settings: readJson(own), prefix: '' }
    const manifest = join(dir, 'package.json')
    if (existsSync(manifest)) {
      const json = readJson(manifest)
      const section = isRecord(json) ? json.pipetest : undefined
      if (section === undefined) return undefined
      return { file: manifest, settings: section, prefix: 'pipetest.' }
    }
    if (dirname(dir) === dir) return undefined
  }
}

/** The configured interpreter: a path (`.venv/bin/python`) is the project's; a bare name is PATH's. */
export function configuredPython(python: string, configDir: string): string {
  return /[\\/]/.test(python) ? resolve(configDir, python) : python
}

/** What can be known of a configuration before it is checked (see {@link peekProjectConfig}). */
export interface ConfigPeek {
  /** `python` (PIPETEST_PYTHON wins), or undefined. */
  python?: string | undefined
  /** Its only `dag`, absolute, or undefined. */
  dag?: string | undefined
  /** `rootDir`, absolute, or undefined. */
  rootDir?: string | undefined
  /** `testDataDir` as written (relative to the project root), or undefined. */
  testDataDir?: string | undefined
  /** `"cache": false`. */
  cacheOff: boolean
  /** `cache.dir`, absolute, or undefined. */
  cacheDir?: string | undefined
}

/**
 * A few settings read without the schema (which loads zod, ~15 ms), for what a command starts
 * before it has read the project for real — `pipetest run`'s Python worker. Anything that is
 * not what the schema would take reads as unset; loadProjectConfig says what is wrong with it.
 */
export function peekProjectConfig(dir: string, env: NodeJS.ProcessEnv = process.env): ConfigPeek {
  let found: ConfigFile | undefined
  try {
    found = findConfigFile(resolve(dir))
  } catch {
    found = undefined
  }
  const settings = found && isRecord(found.settings) ? found.settings : {}
  const base = found ? dirname(found.file) : dir
  const { python, dag, cache, rootDir, testDataDir } = settings
  const path = (value: unknown) =>
    typeof value === 'string' && value !== '' ? resolve(base, value) : undefined
  const fromEnv = env.PIPETEST_PYTHON?.trim() ? env.PIPETEST_PYTHON : undefined
  const dags = typeof dag === 'string' ? [dag] : Array.isArray(dag) ? dag : []
  return {
    python:
      fromEnv ??
      (typeof python === 'string' && python !== '' ? configuredPython(python, base) : undefined),
    dag: dags.length === 1 ? path(dags[0]) : undefined,
    rootDir: found ? (path(rootDir) ?? base) : undefined,
    testDataDir: typeof testDataDir === 'string' && testDataDir !== '' ? testDataDir : undefined,
    cacheOff: cache === false,
    cacheDir: isRecord(cache) ? path(cache.dir) : undefined,
  }
}

function readJson(file: string): unknown {
  const code = 'CONFIG_INVALID'
  return readJsonFile(
    file,
    { notFound: code, unreadable: code, invalid: code },
    'Configuration file',
  )
}
