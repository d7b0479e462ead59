import { createHash } from 'node:crypto'
import { createReadStream, lstatSync, readlinkSync, realpathSync, type Stats } from 'node:fs'
import { relative, resolve, sep } from 'node:path'
import { statThrough, walkTree } from '../files/walk.js'

/**
 * Content digests for cache keys and stored blobs: sha256 of the bytes. A file is read once
 * per process and version of it (path, inode, size, mtime): a run asks for the same input of
 * many executions, and a script's module is shared by many nodes.
 */
const memo = new Map<string, Promise<string>>()

/** sha256 (hex) of a file's bytes, read as a stream (data files may be large). */
export function hashFile(
  path: string,
  stats: Stats | undefined = statThrough(path),
): Promise<string> {
  const version = stats ? `${path}\0${stats.ino}\0${stats.size}\0${stats.mtimeMs}` : undefined
  const known = version === undefined ? undefined : memo.get(version)
  if (known) return known
  const digest = new Promise<string>((resolveDigest, reject) => {
    const hash = createHash('sha256')
    createReadStream(path)
      .on('data', (chunk) => hash.update(chunk))
      .on('error', reject)
      .on('end', () => resolveDigest(hash.digest('hex')))
  })
  if (version !== undefined) {
    memo.set(version, digest)
    digest.catch(() => memo.delete(version))
  }
  return digest
}

/** A tree too large to fingerprint, or holding something that cannot be read as data. */
export class UnhashableError extends Error {}

const MAX_TREE_ENTRIES = 100_000

/**
 * A digest of everything a script can read through `path`: a file's bytes; a folder's
 * names, kinds and file contents at any depth (sorted, so equal trees give equal digests).
 * Symlinks are looked through, as the script would (a loop is cut by real path); FIFOs,
 * sockets and devices are never opened, only named. `exclude` folders (pipetest's own run
 * folders, when an input is the test data folder itself) are left out. A missing path has a
 * digest too ("missing"), so its later appearance changes the key.
 */
export async function hashTree(path: string, exclude: string[] = []): Promise<string> {
  const hash = createHash('sha256')
  const excluded = new Set(exclude.map((dir) => resolve(dir)))
  const visited = new Set<string>()
  let entries = 0
  const visit = async (at: string, name: string): Promise<void> => {
    if (++entries > MAX_TREE_ENTRIES) {
      throw new UnhashableError(`more than ${MAX_TREE_ENTRIES} entries under ${path}`)
    }
    let link: string | undefined
    try {
      if (lstatSync(at).isSymbolicLink()) link = readlinkSync(at)
    } catch {
      hash.update(`missing ${name}\n`)
      return
    }
    const stats = statThrough(at)
    if (!stats) {
      hash.update(`dangling ${name} -> ${link ?? ''}\n`)
      return
    }
    if (stats.isFile()) {
      hash.update(`file ${name} ${await hashFile(at, stats)}\n`)
      return
    }
    if (!stats.isDirectory()) {
      hash.update(`special ${name}\n`)
      return
    }
    const real = realpathSync(at)
    if (visited.has(real)) {
      hash.update(`loop ${name}\n`)
      return
    }
    visited.add(real)
    hash.update(`dir ${name}\n`)
    for (const entry of walkTree(at, {
      skip: (_name, kind, child) => kind === 'directory' && excluded.has(resolve(child)),
    })) {
      const child = relative(at, entry.path).split(sep).join('/')
      if (entry.kind === 'directory') hash.update(`dir ${name}/${child}\n`)
      else if (entry.kind === 'special') hash.update(`special ${name}/${child}\n`)
      else await visit(entry.path, `${name}/${child}`)
      if (++entries > MAX_TREE_ENTRIES) {
        throw new UnhashableError(`more than ${MAX_TREE_ENTRIES} entries under ${path}`)
      }
    }
  }
  await visit(path, '.')
  return hash.digest('hex')
}
