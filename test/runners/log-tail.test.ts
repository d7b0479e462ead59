import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { readLogTail } from '../../src/runners/log-tail.js'
import { useTempDirs } from './helpers.js'

const tempDir = useTempDirs()

describe('readLogTail', () => {
  it('keeps the last lines, without the final newline', async () => {
    const file = join(await tempDir(), 'out.log')
    await writeFile(file, Array.from({ length: 100 }, (_, i) => `line ${i}`).join('\n') + '\n')

    expect(await readLogTail(file, 3)).toBe('line 97\nline 98\nline 99')
  })

  it('starts at a line boundary when the byte limit cuts a line', async () => {
    const file = join(await tempDir(), 'out.log')
    await writeFile(file, 'first line that gets cut\nsecond\nthird\n')

    expect(await readLogTail(file, 40, 16)).toBe('second\nthird')
  })

  it('replaces a multi-byte character cut by the byte limit', async () => {
    const file = join(await tempDir(), 'out.log')
    await writeFile(file, 'ééééé')

    expect(await readLogTail(file, 40, 5)).toBe('\uFFFDéé')
  })

  it('gives an empty tail for a missing or empty log', async () => {
    const dir = await tempDir()
    await writeFile(join(dir, 'empty.log'), '')

    expect(await readLogTail(join(dir, 'missing.log'))).toBe('')
    expect(await readLogTail(join(dir, 'empty.log'))).toBe('')
  })
})
