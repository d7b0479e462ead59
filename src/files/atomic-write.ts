import { randomBytes } from 'node:crypto'
import {
  closeSync,
  fsyncSync,
  openSync,
  realpathSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs'
import { basename, dirname, join } from 'node:path'

/**
 * Writes `content` to `file` so that readers only ever see the old or the new content:
 * the bytes go to a temporary file in the same folder (same file system, so the rename is
 * atomic), are flushed, and the temporary file is renamed over the target. Two concurrent
 * writers never produce a torn file: the last rename wins. A symlink is written through: its
 * target gets the new content and the link stays a link.
 *
 * `durable: false` skips the flush to disk (fsync, ~4 ms each on an ext4 disk, on the main
 * thread): concurrent readers still see old or new, but a power cut may leave the file empty.
 * For what pipetest records for itself and reads leniently (run markers and results, cache
 * entries, remembered probes), never for a user's files.
 */
export function writeFileAtomic(
  path: string,
  content: string,
  { durable = true }: { durable?: boolean } = {},
): void {
  const file = linkTarget(path)
  const temp = join(
    dirname(file),
    `.${basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`,
  )
  let fd: number | undefined
  try {
    fd = openSync(temp, 'wx', 0o644)
    writeSync(fd, content)
    if (durable) fsyncSync(fd)
    closeSync(fd)
    fd = undefined
    renameSync(temp, file)
  } catch (error) {
    if (fd !== undefined) closeSync(fd)
    rmSync(temp, { force: true })
    // A failed write(2) (a full disk) carries no path; the message must name the file.
    if (error instanceof Error && (error as NodeJS.ErrnoException).path === undefined) {
      Object.assign(error, { path: file })
    }
    throw error
  }
}

/** The file a path names, through symlinks; the path itself when it does not exist yet. */
function linkTarget(path: string): string {
  try {
    return realpathSync(path)
  } catch {
    return path
  }
}
