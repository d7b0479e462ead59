import { execFileSync } from 'node:child_process'
import { mkdirSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect } from 'vitest'
import {
  compareFingerprints,
  describeInputChanges,
  fingerprintInputs,
} from '../../src/engine/input-guard.js'
import { it, type TempDir } from '../support/fixtures.js'

/** A folder of inputs: a data folder (one file nested) and a config file beside it. */
function inputsFolder(tempDir: TempDir) {
  const root = tempDir('pipetest-guard-')
  mkdirSync(join(root, 'data', 'train'), { recursive: true })
  writeFileSync(join(root, 'data', 'train', 'a.csv'), 'x\n1\n')
  writeFileSync(join(root, 'data', 'b.csv'), 'y\n2\n')
  writeFileSync(join(root, 'config.json'), '{}')
  return { root, inputs: { data: join(root, 'data'), config: join(root, 'config.json') } }
}

describe('input guard', () => {
  it('sees no change when the inputs were only read', async ({ tempDir }) => {
    const { inputs } = inputsFolder(tempDir)
    const before = await fingerprintInputs(inputs)
    expect(compareFingerprints(before, await fingerprintInputs(inputs))).toEqual([])
  })

  it('reports deleted, rewritten and added files', async ({ tempDir }) => {
    const { root, inputs } = inputsFolder(tempDir)
    const before = await fingerprintInputs(inputs)
    rmSync(join(root, 'data', 'b.csv'))
    const file = join(root, 'data', 'train', 'a.csv')
    const { mtime } = statSync(file)
    // Same size, same mtime: only the content hash can tell.
    writeFileSync(file, 'x\n9\n')
    utimesSync(file, mtime, mtime)
    writeFileSync(join(root, 'data', 'new.csv'), 'z')
    const changes = compareFingerprints(before, await fingerprintInputs(inputs))
    expect(changes).toEqual([
      { input: 'data', path: join(root, 'data', 'b.csv'), change: 'deleted' },
      { input: 'data', path: file, change: 'modified' },
      { input: 'data', path: join(root, 'data', 'new.csv'), change: 'added' },
    ])
    expect(describeInputChanges(changes, 2)).toBe(
      [
        `  - deleted data: ${join(root, 'data', 'b.csv')}`,
        `  - modified data: ${file}`,
        '  … and 1 more',
      ].join('\n'),
    )
  })

  it('reports a deleted input file or folder', async ({ tempDir }) => {
    const { root, inputs } = inputsFolder(tempDir)
    const before = await fingerprintInputs(inputs)
    rmSync(join(root, 'config.json'))
    rmSync(join(root, 'data'), { recursive: true })
    const changes = compareFingerprints(before, await fingerprintInputs(inputs))
    expect(changes.filter((c) => c.change === 'deleted').map((c) => c.path)).toContain(
      join(root, 'config.json'),
    )
    expect(changes.every((c) => c.change === 'deleted')).toBe(true)
  })

  it('reports bytecode caches and hidden folders, and skips only the excluded folders', async ({
    tempDir,
  }) => {
    const { root, inputs } = inputsFolder(tempDir)
    const exclude = [join(root, 'data', '.pipetest')]
    const before = await fingerprintInputs(inputs, { exclude })
    mkdirSync(join(root, 'data', '__pycache__'))
    writeFileSync(join(root, 'data', '__pycache__', 'm.cpython-311.pyc'), 'x')
    mkdirSync(join(root, 'data', '.cache'))
    mkdirSync(join(root, 'data', '.pipetest', 'runs'), { recursive: true })
    const changes = compareFingerprints(before, await fingerprintInputs(inputs, { exclude }))
    expect(changes.map((c) => c.path)).toEqual([
      join(root, 'data', '.cache'),
      join(root, 'data', '__pycache__'),
      join(root, 'data', '__pycache__', 'm.cpython-311.pyc'),
    ])
  })

  it('follows symlinks inside an input, walking a folder reached twice (a loop) once', async ({
    tempDir,
  }) => {
    const { root, inputs } = inputsFolder(tempDir)
    mkdirSync(join(root, 'shared'))
    writeFileSync(join(root, 'shared', 'lookup.csv'), 'a\n')
    symlinkSync('../shared', join(root, 'data', 'shared'))
    symlinkSync('..', join(root, 'data', 'train', 'up'))
    const before = await fingerprintInputs(inputs)
    expect(before.notes).toEqual([])
    writeFileSync(join(root, 'shared', 'lookup.csv'), 'b\n')
    expect(compareFingerprints(before, await fingerprintInputs(inputs))).toEqual([
      { input: 'data', path: join(root, 'data', 'shared', 'lookup.csv'), change: 'modified' },
    ])
  })

  it('never opens a FIFO (it would block), but sees it replaced', async ({ tempDir }) => {
    const { root, inputs } = inputsFolder(tempDir)
    execFileSync('mkfifo', [join(root, 'data', 'events.pipe')])
    const before = await fingerprintInputs(inputs)
    rmSync(join(root, 'data', 'events.pipe'))
    writeFileSync(join(root, 'data', 'events.pipe'), 'now a file')
    expect(compareFingerprints(before, await fingerprintInputs(inputs))).toEqual([
      { input: 'data', path: join(root, 'data', 'events.pipe'), change: 'modified' },
    ])
  })

  it('says which bound stopped the walk: entries, symlinked folders one inside another', async ({
    tempDir,
  }) => {
    const { root, inputs } = inputsFolder(tempDir)
    const few = await fingerprintInputs(inputs, { limits: { entries: 2 } })
    expect(few.notes).toEqual([
      'The input guard stopped after 2 files and folders; changes to the rest of data are not checked.',
    ])
    mkdirSync(join(root, 'a', 'b'), { recursive: true })
    symlinkSync('../a', join(root, 'data', 'a'))
    symlinkSync('b', join(root, 'a', 'b-link'))
    const shallow = await fingerprintInputs(inputs, { limits: { linkDepth: 1 } })
    expect(shallow.notes).toEqual([
      `The input guard looks through at most 1 symlinked folders one inside another; changes behind ${join(root, 'data', 'a', 'b-link')} (data) are not checked.`,
    ])
  })
})
