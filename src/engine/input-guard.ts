import { createHash } from 'node:crypto'
import { lstat, readdir, readFile, readlink, stat } from 'node:fs/promises'
import { join } from 'node:path'

/**
 * Inputs are the user's data: pipetest never writes them, and a script that does is caught.
 * A fingerprint records every file under each input (path, size, mtime, and a content hash
 * for small files); comparing the fingerprints taken before and after an execution lists
 * what the script deleted, changed or added.
 */

/** Files up to this size are hashed, so a rewrite with the same size and mtime is still seen. */
export const HASHED_FILE_LIMIT = 1024 * 1024

export type InputFingerprint = Map<string, string>

export interface InputChange {
  input: string
  /** Absolute path of the changed file or folder. */
  path: string
  change: 'deleted' | 'modified' | 'added'
}

export async function fingerprintInputs(inputs: Record<string, string>): Promise<InputFingerprint> {
  const fingerprint: InputFingerprint = new Map()
  for (const [name, path] of Object.entries(inputs)) await record(fingerprint, name, path, true)
  return fingerprint
}

/**
 * The input itself is followed when it is a symlink (a linked data folder is common); links
 * inside it are recorded as links, never followed, so a link loop cannot hang the guard.
 */
async function record(
  fingerprint: InputFingerprint,
  input: string,
  path: string,
  follow: boolean,
): Promise<void> {
  const key = `${input}\0${path}`
  let stats
  try {
    stats = follow ? await stat(path) : await lstat(path)
  } catch {
    fingerprint.set(key, 'missing')
    return
  }
  if (stats.isSymbolicLink()) {
    fingerprint.set(key, `link:${await readlink(path)}`)
  } else if (stats.isDirectory()) {
    fingerprint.set(key, 'dir')
    for (const entry of (await readdir(path)).sort()) {
      // Python caches bytecode next to modules it imports from an input folder, and an input
      // may be the test data dir itself, whose `.pipetest/` receives this run's outputs.
      if (entry === '__pycache__' || entry.endsWith('.pyc') || entry === '.pipetest') continue
      await record(fingerprint, input, join(path, entry), false)
    }
  } else {
    fingerprint.set(key, await fileSignature(path, stats.size, stats.mtimeMs))
  }
}

async function fileSignature(path: string, size: number, mtimeMs: number): Promise<string> {
  if (size > HASHED_FILE_LIMIT) return `file:${size}:${mtimeMs}`
  try {
    const hash = createHash('sha1')
      .update(await readFile(path))
      .digest('hex')
    return `file:${size}:${mtimeMs}:${hash}`
  } catch {
    return `file:${size}:${mtimeMs}:unreadable`
  }
}

export function compareFingerprints(
  before: InputFingerprint,
  after: InputFingerprint,
): InputChange[] {
  const changes: InputChange[] = []
  for (const [key, value] of before) {
    const now = after.get(key)
    if (now === value) continue
    changes.push(change(key, now === undefined || now === 'missing' ? 'deleted' : 'modified'))
  }
  for (const key of after.keys()) if (!before.has(key)) changes.push(change(key, 'added'))
  return changes
}

function change(key: string, kind: InputChange['change']): InputChange {
  const [input = '', path = ''] = key.split('\0')
  return { input, path, change: kind }
}

/** "deleted data_input: /data/train.csv" lines, at most `limit`, with a count of the rest. */
export function describeInputChanges(changes: InputChange[], limit = 10): string {
  const lines = changes.slice(0, limit).map((c) => `  - ${c.change} ${c.input}: ${c.path}`)
  if (changes.length > limit) lines.push(`  … and ${changes.length - limit} more`)
  return lines.join('\n')
}
