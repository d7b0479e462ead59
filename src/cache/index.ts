export { cacheKeyOf, type CacheKey, type KeyInput, type KeyRequest } from './cache-key.js'
export { hashFile, hashTree, UnhashableError } from './content-hash.js'
export {
  ExecutionCache,
  type CacheEntry,
  type CacheStatus,
  type EntryFacts,
} from './execution-cache.js'
export {
  CACHE_ENV,
  cacheOffByEnv,
  DEFAULT_CACHE_MAX_BYTES,
  defaultCacheDir,
  parseSize,
  resolveCacheSettings,
  type CacheOptions,
  type CacheSetting,
  type CacheSettings,
} from './settings.js'
