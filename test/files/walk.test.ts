import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { compareFingerprints, fingerprintInputs } from '../../src/engine/input-guard.js'
import { dominantFormat } from '../../src/data/formats.js'
import { discoverOutputs } from '../../src/engine/outputs.js'
import { walkTree } from '../../src/files/walk.js'

const root = mkdtempSync(join(tmpdir(), 'pipetest-walk-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))

/** A folder with a FIFO (no writer: opening it would block forever) and a link loop. */
function awkwardFolder(name: string): string {
  const dir = join(root, name)
  mkdirSync(join(dir, 'sub'), { recursive: true })
  writeFileSync(join(dir, 'sub', 'b.csv'), 'b\n')
  writeFileSync(join(dir, 'a.csv'), 'a\n')
  execFileSync('mkfifo', [join(dir, 'pipe')])
  symlinkSync(dir, join(dir, 'loop'))
  return dir
}

describe('walkTree', () => {
  it('lists entries sorted, parents first, reporting links and special files without following or opening them', () => {
    const dir = awkwardFolder('listed')
    const entries = [...walkTree(dir)].map((e) => [e.path.slice(dir.length + 1), e.kind])
    expect(entries).toEqual([
      ['a.csv', 'file'],
      ['loop', 'symlink'],
      ['pipe', 'special'],
      ['sub', 'directory'],
      ['sub/b.csv', 'file'],
    ])
  })

  it('stops after maxEntries and leaves out skipped folders with their content', () => {
    const dir = awkwardFolder('bounded')
    expect([...walkTree(dir, { maxEntries: 2 })]).toHaveLength(2)
    const names = [...walkTree(dir, { skip: (name) => name === 'sub' })].map((e) => e.name)
    expect(names).toEqual(['a.csv', 'loop', 'pipe'])
  })

  it('lets outputs, data formats and the input guard finish on a FIFO and a link loop', async () => {
    const dir = awkwardFolder('callers')
    expect(discoverOutputs({ out: dir })[0]).toMatchObject({ produced: true, files: 2 })
    expect(dominantFormat([dir])).toBe('csv')
    const before = await fingerprintInputs({ data: dir })
    writeFileSync(join(dir, 'sub', 'b.csv'), 'changed\n')
    expect(compareFingerprints(before, await fingerprintInputs({ data: dir }))).toEqual([
      { input: 'data', path: join(dir, 'sub', 'b.csv'), change: 'modified' },
    ])
  })
})
