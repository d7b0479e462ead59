import { execFileSync } from 'node:child_process'
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect } from 'vitest'
import { compareFingerprints, fingerprintInputs } from '../../src/engine/input-guard.js'
import { dominantFormat } from '../../src/data/formats.js'
import { discoverOutputs } from '../../src/engine/outputs.js'
import { walkTree } from '../../src/files/walk.js'
import { it, type TempDir } from '../support/fixtures.js'

/** A folder with a FIFO (no writer: opening it would block forever) and a link loop. */
function awkwardFolder(tempDir: TempDir): string {
  const dir = tempDir('pipetest-walk-')
  mkdirSync(join(dir, 'sub'))
  writeFileSync(join(dir, 'sub', 'b.csv'), 'b\n')
  writeFileSync(join(dir, 'a.csv'), 'a\n')
  execFileSync('mkfifo', [join(dir, 'pipe')])
  symlinkSync(dir, join(dir, 'loop'))
  return dir
}

describe('walkTree', () => {
  it('lists entries sorted, parents first, reporting links and special files without following or opening them', ({
    tempDir,
  }) => {
    const dir = awkwardFolder(tempDir)
    const entries = [...walkTree(dir)].map((e) => [e.path.slice(dir.length + 1), e.kind])
    expect(entries).toEqual([
      ['a.csv', 'file'],
      ['loop', 'symlink'],
      ['pipe', 'special'],
      ['sub', 'directory'],
      ['sub/b.csv', 'file'],
    ])
  })

  it('stops after maxEntries and leaves out skipped folders with their content', ({ tempDir }) => {
    const dir = awkwardFolder(tempDir)
    expect([...walkTree(dir, { maxEntries: 2 })]).toHaveLength(2)
    const names = [...walkTree(dir, { skip: (name) => name === 'sub' })].map((e) => e.name)
    expect(names).toEqual(['a.csv', 'loop', 'pipe'])
  })

  it('lets outputs, data formats and the input guard finish on a FIFO and a link loop', async ({
    tempDir,
  }) => {
    const dir = awkwardFolder(tempDir)
    expect(discoverOutputs({ out: dir })[0]).toMatchObject({ produced: true, files: 2 })
    expect(dominantFormat([dir])).toBe('csv')
    const before = await fingerprintInputs({ data: dir })
    writeFileSync(join(dir, 'sub', 'b.csv'), 'changed\n')
    expect(compareFingerprints(before, await fingerprintInputs({ data: dir }))).toEqual([
      { input: 'data', path: join(dir, 'sub', 'b.csv'), change: 'modified' },
    ])
  })
})
