import { randomBytes } from 'node:crypto'
import {
  chmodSync,
  constants,
  copyFileSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs'
import { dirname, join, relative, sep } from 'node:path'
import * as z from 'zod'
import { lazySchema } from '../files/lazy-schema.js'
import { writeFileAtomic } from '../files/atomic-write.js'
import { walkTree } from '../files/walk.js'
import { hashFile } from './content-hash.js'
import { entriesDirOf, holdsNoEntry } from './layout.js'

/**
 * The execution cache's storage: content-addressed blobs (`blobs/ab/<sha256>`) and one entry
 * per key (`entries/ab/<key>.json`) listing the files of a successful execution's folder —
 * its outputs and its logs — by digest. Writers put blobs first and the entry last, each
 * with a temporary file and a rename, so a reader sees a whole entry or none, and two
 * writers of one key (two Vitest workers, two CI shards on one volume) both leave a whole
 * one. A restore copies each blob into the new execution folder and checks the copy's
 * digest: a damaged or missing blob makes the entry a miss (and is removed), never a wrong
 * output. Hits touch the entry, so eviction removes the least recently used first.
 */

const entrySchema = lazySchema(() =>
  z.object({
    format: z.literal(1),
    key: z.string(),
    node: z.string(),
    scriptName: z.string(),
    runId: z.string(),
    /** The execution folder it was stored from. */
    executionDir: z.string(),
    storedAt: z.string(),
    durationMs: z.number(),
    exitCode: z.number().nullable(),
    /** Folders under the execution folder, parents first (empty ones too). */
    dirs: z.array(z.string()),
    files: z.array(
      z.object({
        /** Relative to the execution folder, `/`-separated. */
        path: z.string(),
        sha256: z.string().regex(/^[0-9a-f]{64}$/),
        size: z.number().int().nonnegative(),
        mode: z.number().int(),
      }),
    ),
  }),
)

export type CacheEntry = z.infer<ReturnType<typeof entrySchema>>

/** What is stored alongside the files: who ran, when, how it ended. */
export type EntryFacts = Pick<
  CacheEntry,
  'node' | 'scriptName' | 'runId' | 'executionDir' | 'durationMs' | 'exitCode'
>

/** The parts of an execution folder worth keeping: what a test reads and what a person reads. */
const STORED_PARTS = ['outputs', 'stdout.log', 'stderr.log']

/** New blobs younger than this are never collected: another writer may be about to list them. */
const BLOB_GRACE_MS = 10 * 60_000

export interface CacheStatus {
  dir: string
  entries: number
  blobs: number
  bytes: number
  maxBytes: number
  /** Least and most recently used entries (ISO dates), when there are entries. */
  oldestUse?: string
  newestUse?: string
}

export class ExecutionCache {
  constructor(
    readonly dir: string,
    readonly maxBytes: number,
  ) {}

  get #entriesDir(): string {
    return entriesDirOf(this.dir)
  }

  get #blobsDir(): string {
    return join(this.dir, 'blobs')
  }

  /** Folder where the import lists of Python scripts are remembered (local-modules.ts). */
  get modulesDir(): string {
    return join(this.dir, 'modules')
  }

  #entryFile(key: string): string {
    return join(this.#entriesDir, key.slice(0, 2), `${key}.json`)
  }

  #blobFile(sha256: string): string {
    return join(this.#blobsDir, sha256.slice(0, 2), sha256)
  }

  /** True when no entry is stored: every lookup will miss. */
  isEmpty(): boolean {
    return holdsNoEntry(this.dir)
  }

  /** The entry stored for `key`; an unreadable or malformed one is a miss. */
  lookup(key: string): CacheEntry | undefined {
    const entry = readEntry(this.#entryFile(key))
    return entry?.key === key ? entry : undefined
  }

  /**
   * Copies the entry's files into `executionDir` (which must hold nothing of them yet) and
   * checks each copy's digest. False when the entry is damaged: the entry and the bad blob are
   * removed, and the caller runs the script as if there had been no entry.
   */
  async restore(entry: CacheEntry, executionDir: string): Promise<boolean> {
    for (const dir of entry.dirs) mkdirSync(join(executionDir, dir), { recursive: true })
    for (const file of entry.files) {
      const blob = this.#blobFile(file.sha256)
      const target = join(executionDir, file.path)
      try {
        if (statSync(blob).size !== file.size) throw new Error('size')
        mkdirSync(dirname(target), { recursive: true })
        // A copy, not a hard link: a script that writes to its input (caught by the input
        // guard) or a person editing a run folder must never change what the cache holds.
        copyFileSync(blob, target, constants.COPYFILE_FICLONE)
        chmodSync(target, (file.mode & 0o777) | 0o200)
        if ((await hashFile(target)) !== file.sha256) throw new Error('digest')
      } catch {
        rmSync(blob, { force: true })
        rmSync(this.#entryFile(entry.key), { force: true })
        return false
      }
    }
    this.#touch(this.#entryFile(entry.key))
    return true
  }

  /**
   * Stores a successful execution's outputs and logs under `key`. Returns false (nothing
   * stored) when the outputs hold something that is not a plain file or folder (a symlink,
   * a FIFO): restoring it could not give the same outputs.
   */
  async store(key: string, facts: EntryFacts, executionDir: string): Promise<boolean> {
    const dirs: string[] = []
    const files: CacheEntry['files'] = []
    for (const part of STORED_PARTS) {
      const path = join(executionDir, part)
      let stats
      try {
        stats = lstatSync(path)
      } catch {
        continue
      }
      if (stats.isFile()) {
        files.push(await this.#putBlob(path, part, stats.mode))
        continue
      }
      if (!stats.isDirectory()) return false
      dirs.push(part)
      for (const entry of walkTree(path)) {
        const inside = relative(executionDir, entry.path).split(sep).join('/')
        if (entry.kind === 'directory') dirs.push(inside)
        else if (entry.kind === 'file')
          files.push(await this.#putBlob(entry.path, inside, lstatSync(entry.path).mode))
        else return false
      }
    }
    const entry: CacheEntry = {
      format: 1,
      key,
      ...facts,
      storedAt: new Date().toISOString(),
      dirs,
      files,
    }
    const file = this.#entryFile(key)
    mkdirSync(dirname(file), { recursive: true })
    writeFileAtomic(file, JSON.stringify(entry), { durable: false })
    return true
  }

  async #putBlob(source: string, path: string, mode: number): Promise<CacheEntry['files'][number]> {
    const sha256 = await hashFile(source)
    const size = statSync(source).size
    const blob = this.#blobFile(sha256)
    if (sizeOf(blob) === size) {
      this.#touch(blob)
    } else {
      mkdirSync(dirname(blob), { recursive: true })
      const temp = `${blob}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`
      try {
        copyFileSync(source, temp, constants.COPYFILE_FICLONE)
        // Read-only: nobody edits a blob by accident (restores copy it, with the file's mode).
        chmodSync(temp, 0o444)
        renameSync(temp, blob)
      } finally {
        rmSync(temp, { force: true })
      }
    }
    return { path, sha256, size, mode }
  }

  #touch(file: string): void {
    try {
      const now = new Date()
      utimesSync(file, now, now)
    } catch {
      // Removed meanwhile (evicted by another process): nothing to keep fresh.
    }
  }

  /**
   * Keeps the store within `maxBytes`: removes least recently used entries until the blobs
   * the others need fit, then the blobs no entry needs (except new ones, which a concurrent
   * writer may be about to list). Returns how many entries were removed.
   */
  evict(maxBytes: number = this.maxBytes): { entries: number; bytes: number } {
    const blobs = this.#listBlobs()
    const total = [...blobs.values()].reduce((sum, blob) => sum + blob.size, 0)
    if (total <= maxBytes) return { entries: 0, bytes: 0 }
    const entries = this.#listEntries()
    const users = new Map<string, number>()
    for (const { entry } of entries) {
      for (const sha of new Set(entry?.files.map((file) => file.sha256)))
        users.set(sha, (users.get(sha) ?? 0) + 1)
    }
    let bytes = total
    let removedEntries = 0
    const free = (sha: string) => {
      const blob = blobs.get(sha)
      if (!blob) return
      rmSync(blob.path, { force: true })
      blobs.delete(sha)
      bytes -= blob.size
    }
    // A blob no entry lists is garbage, unless it is new: its entry may be on its way.
    for (const [sha, blob] of blobs) {
      if (!users.has(sha) && Date.now() - blob.mtimeMs >= BLOB_GRACE_MS) free(sha)
    }
    for (const { file, entry } of entries.sort((a, b) => a.usedMs - b.usedMs)) {
      if (bytes <= maxBytes) break
      rmSync(file, { force: true })
      removedEntries++
      for (const sha of new Set(entry?.files.map((f) => f.sha256))) {
        const left = (users.get(sha) ?? 1) - 1
        users.set(sha, left)
        if (left === 0) free(sha)
      }
    }
    return { entries: removedEntries, bytes: total - bytes }
  }

  status(): CacheStatus {
    const blobs = this.#listBlobs()
    const entries = this.#listEntries().sort((a, b) => a.usedMs - b.usedMs)
    const status: CacheStatus = {
      dir: this.dir,
      entries: entries.length,
      blobs: blobs.size,
      bytes: [...blobs.values()].reduce((sum, blob) => sum + blob.size, 0),
      maxBytes: this.maxBytes,
    }
    if (entries.length > 0) {
      status.oldestUse = new Date(entries[0]!.usedMs).toISOString()
      status.newestUse = new Date(entries.at(-1)!.usedMs).toISOString()
    }
    return status
  }

  /** Empties the cache (entries first, so no reader ever finds an entry without its blobs). */
  clean(): CacheStatus {
    const before = this.status()
    rmSync(this.#entriesDir, { recursive: true, force: true })
    rmSync(this.#blobsDir, { recursive: true, force: true })
    rmSync(this.modulesDir, { recursive: true, force: true })
    return before
  }

  /** Creates the folder with a CACHEDIR.TAG (backup tools skip it) and a `.gitignore`. */
  ensure(): void {
    if (existsSync(join(this.dir, 'CACHEDIR.TAG'))) return
    mkdirSync(this.dir, { recursive: true })
    writeFileSync(join(this.dir, '.gitignore'), '*\n')
    writeFileSync(
      join(this.dir, 'CACHEDIR.TAG'),
      'Signature: 8a477f597d28d172789f06886806bc55\n# pipetest execution cache: pipetest cache clean empties it.\n',
    )
  }

  #listBlobs(): Map<string, { path: string; size: number; mtimeMs: number }> {
    const blobs = new Map<string, { path: string; size: number; mtimeMs: number }>()
    for (const entry of walkTree(this.#blobsDir, { maxEntries: Number.MAX_SAFE_INTEGER })) {
      if (entry.kind !== 'file' || entry.name.endsWith('.tmp')) continue
      try {
        const stats = statSync(entry.path)
        blobs.set(entry.name, { path: entry.path, size: stats.size, mtimeMs: stats.mtimeMs })
      } catch {
        // removed meanwhile
      }
    }
    return blobs
  }

  #listEntries(): Array<{ file: string; usedMs: number; entry: CacheEntry | undefined }> {
    const found: Array<{ file: string; usedMs: number; entry: CacheEntry | undefined }> = []
    const all = { maxEntries: Number.MAX_SAFE_INTEGER }
    for (const { kind, name, path } of walkTree(this.#entriesDir, all)) {
      if (kind !== 'file' || !name.endsWith('.json')) continue
      try {
        found.push({ file: path, usedMs: statSync(path).mtimeMs, entry: readEntry(path) })
      } catch {
        // removed meanwhile
      }
    }
    return found
  }
}

/** The entry in `file`; an unreadable or malformed one is undefined. */
function readEntry(file: string): CacheEntry | undefined {
  try {
    return entrySchema().parse(JSON.parse(readFileSync(file, 'utf8')))
  } catch {
    return undefined
  }
}

function sizeOf(path: string): number | undefined {
  try {
    return statSync(path).size
  } catch {
    return undefined
  }
}
