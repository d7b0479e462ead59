import { createHash } from 'node:crypto'
import { readFile, readlink, stat } from 'node:fs/promises'
import { statThrough, walkTree, type TreeEntry } from '../files/walk.js'

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
  for (const [name, path] of Object.entries(inputs)) await record(fingerprint, name, path)
  return fingerprint
}

/**
 * The input itself is followed when it is a symlink (a linked data folder is common); links
 * inside it are recorded as links, never followed, so a link loop cannot hang the guard, and
 * FIFOs, sockets and devices are recorded by type, never opened (src/files/walk.ts).
 */
async function record(fingerprint: InputFingerprint, input: string, root: string): Promise<void> {
  const key = (path: string) => `${input}\0${path}`
  const stats = statThrough(root)
  if (stats === undefined) {
    fingerprint.set(key(root), 'missing')
  } else if (stats.isFile()) {
    fingerprint.set(key(root), await fileSignature(root))
  } else if (!stats.isDirectory()) {
    fingerprint.set(key(root), 'special')
  } else {
    fingerprint.set(key(root), 'dir')
    for (const entry of walkTree(root, { skip: isRunByproduct, maxEntries: Infinity })) {
      fingerprint.set(key(entry.path), await entrySignature(entry))
    }
  }
}

// Python caches bytecode next to modules it imports from an input folder, and an input may be
// the test data dir itself, whose `.pipetest/` receives this run's outputs.
function isRunByproduct(name: string): boolean {
  return name === '__pycache__' || name.endsWith('.pyc') || name === '.pipetest'
}

async function entrySignature(entry: TreeEntry): Promise<string> {
  switch (entry.kind) {
    case 'directory':
      return 'dir'
    case 'special':
      return 'special'
    case 'symlink':
      return `link:${await readlink(entry.path).catch(() => '')}`
    case 'file':
      return fileSignature(entry.path)
  }
}

async function fileSignature(path: string): Promise<string> {
  let size: number
  let mtimeMs: number
  try {
    ;({ size, mtimeMs } = await stat(path))
  } catch {
    return 'missing'
  }
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
