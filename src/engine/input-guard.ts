import { createHash } from 'node:crypto'
import { constants, type Stats } from 'node:fs'
import { open } from 'node:fs/promises'
import { reachableEntries } from '../files/reach.js'

/**
 * Inputs are the user's data: pipetest never writes them, and a script that does is caught.
 * A fingerprint records everything the script can reach through each input (path, size,
 * mtime, and a content hash for small files); comparing the fingerprints taken before and
 * after an execution lists what the script deleted, changed or added.
 *
 * "Reach" includes symlinks (src/files/reach.ts looks through them): a link inside an input
 * (`data/raw/shared -> ../shared`) is recorded as a link and its target walked under the
 * link's path, so a write through it is seen. Each folder is walked once (a link loop ends
 * there). Bytecode caches and hidden folders are data like any other: the Python runner sends
 * bytecode elsewhere (see runners/python.ts), so none appears legitimately. FIFOs, sockets
 * and devices are recorded by kind and never opened: opening a FIFO blocks until a writer
 * appears, which would hang the run before the script starts.
 *
 * The walk is bounded ({@link GUARD_LIMITS}); when a bound is hit the fingerprint carries a
 * note saying what was not checked, and the result shows it.
 */
export const GUARD_LIMITS = {
  /** Files, folders and links recorded per fingerprint, over all inputs. */
  entries: 100_000,
  /** Symlinked folders looked through, one inside another. */
  linkDepth: 32,
  /** Files up to this size are hashed, so a rewrite with the same size and mtime is still seen. */
  hashedFileBytes: 1024 * 1024,
  /** Content hashed per fingerprint; beyond it, files are compared by size and mtime only. */
  hashedTotalBytes: 256 * 1024 * 1024,
}

export interface InputFingerprint {
  /** `input\0path` → what was there. */
  entries: Map<string, string>
  /** Bounds that were hit, as sentences for the result ("… not checked"). */
  notes: string[]
}

export interface InputChange {
  input: string
  /** Absolute path of the changed file or folder, as reached from the input. */
  path: string
  change: 'deleted' | 'modified' | 'added'
}

export interface FingerprintOptions {
  /** Folders never walked (the run folders under the test data dir, which receive outputs). */
  exclude?: string[]
  /** Stops the walk early (the run was interrupted); the fingerprint is then partial. */
  signal?: AbortSignal
  limits?: Partial<typeof GUARD_LIMITS>
}

export async function fingerprintInputs(
  inputs: Record<string, string>,
  options: FingerprintOptions = {},
): Promise<InputFingerprint> {
  const limits = { ...GUARD_LIMITS, ...options.limits }
  const fingerprint: InputFingerprint = { entries: new Map(), notes: [] }
  const note = (text: string) => {
    if (!fingerprint.notes.includes(text)) fingerprint.notes.push(text)
  }
  let entriesLeft = limits.entries
  let hashedBytesLeft = limits.hashedTotalBytes
  /** Size and mtime, and a content hash while the bounds allow, so a same-size rewrite shows. */
  const fileSignature = async (path: string, stats: Stats): Promise<string> => {
    const plain = `file:${stats.size}:${stats.mtimeMs}`
    if (stats.size > limits.hashedFileBytes || stats.size > hashedBytesLeft) return plain
    hashedBytesLeft -= stats.size
    return `${plain}:${await hashContent(path)}`
  }
  const reach = { exclude: options.exclude ?? [], maxLinkDepth: limits.linkDepth }
  for (const [input, root] of Object.entries(inputs)) {
    for (const entry of reachableEntries(root, reach)) {
      if (options.signal?.aborted) break
      if (entry.path !== root && --entriesLeft < 0) {
        note(
          `The input guard stopped after ${limits.entries.toLocaleString('en-US')} files and folders; changes to the rest of ${input} are not checked.`,
        )
        break
      }
      const link = entry.link === undefined ? '' : `link:${entry.link}|`
      let value: string
      switch (entry.kind) {
        case 'file':
          value = link + (await fileSignature(entry.path, entry.stats!))
          break
        case 'special':
          value = `${link}special:${specialKind(entry.stats)}`
          break
        case 'too-deep':
          value = `${link}dir`
          note(
            `The input guard looks through at most ${limits.linkDepth} symlinked folders one inside another; changes behind ${entry.path} (${input}) are not checked.`,
          )
          break
        default:
          value = link + entry.kind
      }
      fingerprint.entries.set(`${input}\0${entry.path}`, value)
    }
  }
  return fingerprint
}

/** sha1 of a file's bytes, or why there is none. */
async function hashContent(path: string): Promise<string> {
  let handle
  try {
    // O_NONBLOCK: if the file was swapped for a FIFO since stat(), open must not wait.
    handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK)
    if (!(await handle.stat()).isFile()) return 'changed-kind'
    return createHash('sha1')
      .update(await handle.readFile())
      .digest('hex')
  } catch {
    return 'unreadable'
  } finally {
    await handle?.close()
  }
}

function specialKind(stats: Stats | undefined): string {
  if (stats?.isFIFO()) return 'fifo'
  if (stats?.isSocket()) return 'socket'
  if (stats?.isCharacterDevice()) return 'char-device'
  if (stats?.isBlockDevice()) return 'block-device'
  return 'other'
}

export function compareFingerprints(
  before: InputFingerprint,
  after: InputFingerprint,
): InputChange[] {
  const changes: InputChange[] = []
  for (const [key, value] of before.entries) {
    const now = after.entries.get(key)
    if (now === value) continue
    changes.push(change(key, now === undefined || now === 'missing' ? 'deleted' : 'modified'))
  }
  for (const key of after.entries.keys()) {
    if (!before.entries.has(key)) changes.push(change(key, 'added'))
  }
  return changes
}

function change(key: string, kind: InputChange['change']): InputChange {
  const [input = '', path = ''] = key.split('\0')
  return { input, path, change: kind }
}

/** "deleted data_input: /data/train.csv" lines, at most `limit`, with a count of the rest. */
export function describeInputChanges(
  changes: InputChange[],
  limit = 10,
  line = (c: InputChange) => `${c.change} ${c.input}: ${c.path}`,
): string {
  const lines = changes.slice(0, limit).map((c) => `  - ${line(c)}`)
  if (changes.length > limit) lines.push(`  … and ${changes.length - limit} more`)
  return lines.join('\n')
}
