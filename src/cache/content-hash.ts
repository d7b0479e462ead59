import { createHash } from 'node:crypto'
import { createReadStream, type Stats } from 'node:fs'
import { relative, sep } from 'node:path'
import { reachableEntries } from '../files/reach.js'
import { statThrough } from '../files/walk.js'

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
 * Symlinks are looked through, as the script would (files/reach.ts: each folder once); FIFOs,
 * sockets and devices are never opened, only named. `exclude` folders (pipetest's own run
 * folders, when an input is the test data folder itself) are left out. A missing path has a
 * digest too ("missing"), so its later appearance changes the key.
 */
export async function hashTree(path: string, exclude: string[] = []): Promise<string> {
  const hash = createHash('sha256')
  let entries = 0
  for (const entry of reachableEntries(path, { exclude })) {
    if (++entries > MAX_TREE_ENTRIES) {
      throw new UnhashableError(`more than ${MAX_TREE_ENTRIES} entries under ${path}`)
    }
    const inside = relative(path, entry.path).split(sep).join('/')
    const name = inside === '' ? '.' : `./${inside}`
    if (entry.kind === 'file') {
      hash.update(`file ${name} ${await hashFile(entry.path, entry.stats)}\n`)
    } else {
      // A dangling link's target is named: creating it later changes what the script reads.
      hash.update(`${entry.kind} ${name}${entry.kind === 'dangling' ? ` -> ${entry.link}` : ''}\n`)
    }
  }
  return hash.digest('hex')
}
