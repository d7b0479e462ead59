import { createHash } from 'node:crypto'
import { constants, readlinkSync, type Stats } from 'node:fs'
import { open } from 'node:fs/promises'
import { resolve } from 'node:path'
import { statThrough, walkTree } from '../files/walk.js'

/**
 * Inputs are the user's data: pipetest never writes them, and a script that does is caught.
 * A fingerprint records everything the script can reach through each input (path, size,
 * mtime, and a content hash for small files); comparing the fingerprints taken before and
 * after an execution lists what the script deleted, changed or added.
 *
 * "Reach" includes symlinks: the folder walk (src/files/walk.ts) reports a link without
 * following it, and the guard looks through it — a link inside an input
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
  const guard = new Guard(fingerprint, limits, options)
  for (const [name, path] of Object.entries(inputs)) await guard.recordInput(name, path)
  return fingerprint
}

class Guard {
  #entriesLeft: number
  #hashedBytesLeft: number
  readonly #excluded: Set<string>
  /** Folders already walked (`dev:ino`), per input: each is recorded once, so link loops end. */
  #visited = new Set<string>()
  #input = ''

  constructor(
    private readonly fingerprint: InputFingerprint,
    private readonly limits: typeof GUARD_LIMITS,
    private readonly options: FingerprintOptions,
  ) {
    this.#entriesLeft = limits.entries
    this.#hashedBytesLeft = limits.hashedTotalBytes
    // By path, and by identity for a folder reached another way (through a link).
    const exclude = options.exclude ?? []
    this.#excluded = new Set([
      ...exclude.map((path) => resolve(path)),
      ...exclude.flatMap((path) => folderId(statThrough(path)) ?? []),
    ])
  }

  async recordInput(input: string, root: string): Promise<void> {
    this.#input = input
    this.#visited = new Set()
    // The input itself is followed when it is a link (a linked data folder is common).
    await this.#record(root, statThrough(root), '', 0)
  }

  /** Records `path` (its stats through any link); a folder is walked. */
  async #record(path: string, stats: Stats | undefined, link: string, linkDepth: number) {
    if (stats === undefined) return this.#set(path, link ? `${link}dangling` : 'missing')
    if (stats.isFile()) return this.#set(path, link + (await this.#fileSignature(path, stats)))
    if (!stats.isDirectory()) return this.#set(path, `${link}special:${specialKind(stats)}`)
    const id = folderId(stats)!
    if (this.#excluded.has(id) || this.#excluded.has(path)) return
    if (this.#visited.has(id)) return this.#set(path, `${link}dir-again`)
    this.#set(path, `${link}dir`)
    this.#visited.add(id)
    await this.#walkFolder(path, linkDepth)
  }

  async #walkFolder(dir: string, linkDepth: number): Promise<void> {
    const skip = (_name: string, kind: string, path: string) =>
      kind === 'directory' &&
      (this.#excluded.has(path) || this.#excluded.has(folderId(statThrough(path)) ?? ''))
    for (const entry of walkTree(dir, { skip, maxEntries: Math.max(0, this.#entriesLeft) })) {
      if (this.options.signal?.aborted) return
      this.#entriesLeft--
      switch (entry.kind) {
        case 'directory': {
          const id = folderId(statThrough(entry.path))
          if (id) this.#visited.add(id)
          this.#set(entry.path, 'dir')
          break
        }
        case 'file':
        case 'special':
          await this.#record(entry.path, statThrough(entry.path), '', linkDepth)
          break
        case 'symlink': {
          const link = `link:${readLink(entry.path)}|`
          const target = statThrough(entry.path)
          if (target?.isDirectory() && linkDepth >= this.limits.linkDepth) {
            this.#set(entry.path, `${link}dir`)
            this.#note(
              `The input guard looks through at most ${this.limits.linkDepth} symlinked folders one inside another; changes behind ${entry.path} (${this.#input}) are not checked.`,
            )
            break
          }
          await this.#record(entry.path, target, link, linkDepth + 1)
          break
        }
      }
    }
    if (this.#entriesLeft <= 0) {
      this.#note(
        `The input guard stopped after ${this.limits.entries.toLocaleString('en-US')} files and folders; changes to the rest of ${this.#input} are not checked.`,
      )
    }
  }

  async #fileSignature(path: string, stats: Stats): Promise<string> {
    const plain = `file:${stats.size}:${stats.mtimeMs}`
    if (stats.size > this.limits.hashedFileBytes || stats.size > this.#hashedBytesLeft) {
      return plain
    }
    this.#hashedBytesLeft -= stats.size
    let handle
    try {
      // O_NONBLOCK: if the file was swapped for a FIFO since stat(), open must not wait.
      handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK)
      if (!(await handle.stat()).isFile()) return `${plain}:changed-kind`
      const hash = createHash('sha1')
        .update(await handle.readFile())
        .digest('hex')
      return `${plain}:${hash}`
    } catch {
      return `${plain}:unreadable`
    } finally {
      await handle?.close()
    }
  }

  #set(path: string, value: string): void {
    this.fingerprint.entries.set(`${this.#input}\0${path}`, value)
  }

  #note(note: string): void {
    if (!this.fingerprint.notes.includes(note)) this.fingerprint.notes.push(note)
  }
}

function folderId(stats: Stats | undefined): string | undefined {
  return stats?.isDirectory() ? `${stats.dev}:${stats.ino}` : undefined
}

function specialKind(stats: Stats | undefined): string {
  if (stats?.isFIFO()) return 'fifo'
  if (stats?.isSocket()) return 'socket'
  if (stats?.isCharacterDevice()) return 'char-device'
  if (stats?.isBlockDevice()) return 'block-device'
  return 'other'
}

function readLink(path: string): string {
  try {
    return readlinkSync(path)
  } catch {
    return '?'
  }
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
