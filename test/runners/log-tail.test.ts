import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect } from 'vitest'
import { it } from '../support/fixtures.js'
import { readLogTail } from '../../src/runners/log-tail.js'

describe('readLogTail', () => {
  it('keeps the last lines, without the final newline', async ({ tempDir }) => {
    const file = join(tempDir(), 'out.log')
    await writeFile(file, Array.from({ length: 100 }, (_, i) => `line ${i}`).join('\n') + '\n')

    expect(await readLogTail(file, 3)).toBe('line 97\nline 98\nline 99')
  })

  it('starts at a line boundary when the byte limit cuts a line', async ({ tempDir }) => {
    const file = join(tempDir(), 'out.log')
    await writeFile(file, 'first line that gets cut\nsecond\nthird\n')

    expect(await readLogTail(file, 40, 16)).toBe('second\nthird')
  })

  it('replaces a multi-byte character cut by the byte limit', async ({ tempDir }) => {
    const file = join(tempDir(), 'out.log')
    await writeFile(file, 'ééééé')

    expect(await readLogTail(file, 40, 5)).toBe('\uFFFDéé')
  })

  it('gives an empty tail for a missing or empty log', async ({ tempDir }) => {
    const dir = tempDir()
    await writeFile(join(dir, 'empty.log'), '')

    expect(await readLogTail(join(dir, 'missing.log'))).toBe('')
    expect(await readLogTail(join(dir, 'empty.log'))).toBe('')
  })
})
