import { join, resolve } from 'node:path'
import { PipetestError } from '../errors.js'

/**
 * Where the execution cache lives and how large it may grow. Turned off by `cache: false`
 * (run option, `describePipeline`, project config), `--no-cache`, or PIPETEST_CACHE=0 in the
 * environment, which wins over everything (one switch for a CI job or a debugging session).
 */
export interface CacheOptions {
  /**
   * Default `<testDataDir>/.pipetest/cache` (ignored by git and by the input guard); a
   * relative path is relative to the test data folder (the project config resolves its own
   * against the config file's folder).
   */
  dir?: string
  /** Bytes, or a size like `"500MB"`, `"2GB"`; default 1 GB. */
  maxSize?: number | string
}

export type CacheSetting = boolean | CacheOptions

export interface CacheSettings {
  enabled: boolean
  dir: string
  maxBytes: number
}

export const DEFAULT_CACHE_MAX_BYTES = 1_000_000_000
export const CACHE_ENV = 'PIPETEST_CACHE'

/** `<testDataDir>/.pipetest/cache`. */
export function defaultCacheDir(testDataDir: string): string {
  return join(testDataDir, '.pipetest', 'cache')
}

/** True when the environment turns the cache off (`PIPETEST_CACHE=0`, `false`, `off`, `no`). */
export function cacheOffByEnv(env: NodeJS.ProcessEnv = process.env): boolean {
  const value = env[CACHE_ENV]?.trim().toLowerCase()
  return value === '0' || value === 'false' || value === 'off' || value === 'no'
}

/** The settings in effect for a run whose test data folder is `testDataDir`. */
export function resolveCacheSettings(
  setting: CacheSetting | undefined,
  testDataDir: string,
  env: NodeJS.ProcessEnv = process.env,
): CacheSettings {
  const options = typeof setting === 'object' ? setting : {}
  return {
    enabled: setting !== false && !cacheOffByEnv(env),
    dir:
      options.dir === undefined ? defaultCacheDir(testDataDir) : resolve(testDataDir, options.dir),
    maxBytes: parseSize(options.maxSize ?? DEFAULT_CACHE_MAX_BYTES, 'cache.maxSize'),
  }
}

const UNITS: Record<string, number> = {
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
  tib: 1024 ** 4,
}

/** `2GB` → 2_000_000_000; a number is bytes. Throws a PipetestError naming the field. */
export function parseSize(value: number | string, field: string): number {
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return Math.floor(value)
  const match = typeof value === 'string' ? /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(value) : null
  const unit = match ? UNITS[(match[2] || 'b').toLowerCase()] : undefined
  if (match && unit !== undefined) return Math.floor(Number(match[1]) * unit)
  throw new PipetestError('USAGE', `Invalid ${field}: ${JSON.stringify(value)}`, {
    field,
    hint: `Set ${field} to a number of bytes or a size like "500MB" or "2GB".`,
  })
}
