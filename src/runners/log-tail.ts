import { open } from 'node:fs/promises'

/** How much of a log a result keeps in memory; the full log stays on disk. */
export const TAIL_MAX_BYTES = 64 * 1024
export const TAIL_MAX_LINES = 40

/**
 * The last lines of a log file, read from its end so a 200 MB log costs 64 KiB of memory.
 * Bytes that are not valid UTF-8 become U+FFFD instead of failing. A line cut in half by the
 * byte limit is dropped so the tail starts at a line boundary. A missing file gives ''.
 */
export async function readLogTail(
  file: string,
  maxLines: number = TAIL_MAX_LINES,
  maxBytes: number = TAIL_MAX_BYTES,
): Promise<string> {
  let handle
  try {
    handle = await open(file, 'r')
  } catch {
    return ''
  }
  try {
    const { size } = await handle.stat()
    const length = Math.min(size, maxBytes)
    const buffer = Buffer.alloc(length)
    await handle.read(buffer, 0, length, size - length)
    let text = new TextDecoder('utf-8', { fatal: false }).decode(buffer)
    if (length < size) {
      const firstBreak = text.indexOf('\n')
      if (firstBreak !== -1 && firstBreak < text.length - 1) text = text.slice(firstBreak + 1)
    }
    const lines = text.replace(/\r?\n$/, '').split('\n')
    return lines.slice(-maxLines).join('\n')
  } finally {
    await handle.close()
  }
}
