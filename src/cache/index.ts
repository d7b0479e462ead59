export { cacheKeyOf, type KeyInput, type KeyRequest } from './cache-key.js'
export { ExecutionCache, type CacheStatus } from './execution-cache.js'
export { resolveCacheSettings, type CacheSetting } from './settings.js'
