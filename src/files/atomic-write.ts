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
 */
export function writeFileAtomic(path: string, content: string): void {
  const file = linkTarget(path)
  const temp = join(
    dirname(file),
    `.${basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`,
  )
  let fd: number | undefined
  try {
    fd = openSync(temp, 'wx', 0o644)
    writeSync(fd, content)
    fsyncSync(fd)
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
