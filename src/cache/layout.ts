import { readdirSync } from 'node:fs'
import { join } from 'node:path'

/**
 * Where an execution cache keeps its entries (`entries/ab/<key>.json`, see execution-cache.ts).
 * Apart from the store, which loads zod: `pipetest run` asks {@link holdsNoEntry} before it
 * loads anything heavier than its command line.
 */
export function entriesDirOf(cacheDir: string): string {
  return join(cacheDir, 'entries')
}

/**
 * True when the cache in `cacheDir` holds no entry (none stored yet, or emptied): every
 * execution of a run will miss it, so what only executed scripts need (the preloading Python
 * worker) can start before the run has computed a single key.
 */
export function holdsNoEntry(cacheDir: string): boolean {
  const entries = entriesDirOf(cacheDir)
  let shards: string[]
  try {
    shards = readdirSync(entries)
  } catch {
    return true
  }
  return shards.every((shard) => {
    try {
      // Written as a temporary file and renamed: only a `.json` is an entry.
      return !readdirSync(join(entries, shard)).some((name) => name.endsWith('.json'))
    } catch {
      return true
    }
  })
}
