import { createHash } from 'node:crypto'
import { mkdirSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { writeFileAtomic } from './atomic-write.js'

/**
 * A folder of small JSON records, one file per key (a test file's path), through which the
 * processes of one test run hand data to each other: Vitest workers to the watch plugin, Jest
 * workers to jest-junit. Written atomically, so a reader never sees half a record, and read
 * leniently, because a record being replaced or damaged by hand must never fail a report.
 */
export function writeRecord(folder: string, key: string, record: unknown): void {
  mkdirSync(folder, { recursive: true })
  writeFileAtomic(join(folder, `${hashOf(key)}.json`), JSON.stringify(record), { durable: false })
}

/**
 * Every readable record of the folder that `accept` recognises, by file name (a name that
 * starts with the time reads oldest first); none when the folder is missing.
 */
export function readRecords<T>(folder: string, accept: (value: unknown) => value is T): T[] {
  let names: string[]
  try {
    names = readdirSync(folder).filter((name) => name.endsWith('.json'))
  } catch {
    return []
  }
  const records: T[] = []
  for (const name of names.sort()) {
    try {
      const parsed: unknown = JSON.parse(readFileSync(join(folder, name), 'utf8'))
      if (accept(parsed)) records.push(parsed)
    } catch {
      // Being replaced or damaged: the next run rewrites it.
    }
  }
  return records
}

/** A short stable name for a key (a path can be longer than a file name may be). */
export function hashOf(key: string): string {
  return createHash('sha1').update(key).digest('hex').slice(0, 16)
}
