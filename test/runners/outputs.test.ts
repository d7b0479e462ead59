import { mkdir, symlink, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect } from 'vitest'
import { it } from '../support/fixtures.js'
import { discoverOutputs } from '../../src/engine/outputs.js'
import { isTemporaryFile } from '../../src/files/walk.js'
import { describeOutput } from '../../src/engine/execution-result.js'

async function put(file: string, content: string): Promise<void> {
  await mkdir(join(file, '..'), { recursive: true })
  await writeFile(file, content)
}

describe('discoverOutputs', () => {
  it('counts data files at any depth, such as train/val/test split folders', async ({
    tempDir,
  }) => {
    const root = tempDir()
    const out = join(root, 'data_output')
    await put(join(out, 'train', 'train_processed_data.csv'), 'a,b\n1,2\n')
    await put(join(out, 'val', 'val_processed_data.csv'), 'a,b\n')
    await put(join(out, 'test', 'deep', 'er', 'test_processed_data.csv'), 'a\n')
    await put(join(out, 'train', '.DS_Store'), 'junk')
    await put(join(out, 'train', '__pycache__', 'x.cpython-311.pyc'), 'junk')
    await put(join(out, '.cache', 'blob'), 'hidden folder content')
    await put(join(out, 'run.log'), 'log')

    expect(discoverOutputs({ data_output: out })).toEqual([
      {
        name: 'data_output',
        path: out,
        produced: true,
        kind: 'directory',
        files: 3,
        bytes: 8 + 4 + 2,
      },
    ])
  })

  it('does not count a folder holding only temporary, hidden or empty files as produced', async ({
    tempDir,
  }) => {
    const root = tempDir()
    const out = join(root, 'model_output')
    await put(join(out, '.gitkeep'), '')
    await put(join(out, 'model.bst.tmp'), 'partial')
    await put(join(out, 'notes.swp'), 'x')
    await put(join(out, 'sub', 'empty.csv'), '')
    await put(join(out, 'sub', 'Thumbs.db'), 'x')

    const [report] = discoverOutputs({ model_output: out })
    expect(report).toMatchObject({ produced: false, kind: 'directory', files: 0, bytes: 0 })
    // Said as what it is, never "empty".
    expect(report!.nonData).toEqual({ count: 5, examples: expect.any(Array) })
    expect(report!.nonData!.examples).toHaveLength(3)
    expect(describeOutput(report!)).toMatch(
      /^model_output \(folder holding no data file, only 5 temporary, hidden or 0-byte files \(.+, … 2 more\): /,
    )
  })

  it('says an empty folder and a 0-byte file are that', async ({ tempDir }) => {
    const root = tempDir()
    await put(join(root, 'empty.json'), '')
    await mkdir(join(root, 'nothing'))
    const [file, folder] = discoverOutputs({
      metrics: join(root, 'empty.json'),
      plots: join(root, 'nothing'),
    })
    expect(describeOutput(file!)).toBe(`metrics (0-byte file: ${join(root, 'empty.json')})`)
    expect(describeOutput(folder!)).toBe(`plots (empty folder: ${join(root, 'nothing')})`)
  })

  it('reports a declared file by its size, an empty file as not produced and a missing path as missing', async ({
    tempDir,
  }) => {
    const root = tempDir()
    await put(join(root, 'metrics.json'), '{"auc": 0.9}')
    await put(join(root, 'empty.json'), '')

    expect(
      discoverOutputs({
        metrics: join(root, 'metrics.json'),
        empty: join(root, 'empty.json'),
        absent: join(root, 'absent'),
        emptyDir: root + '/never-created-dir',
      }),
    ).toEqual([
      {
        name: 'metrics',
        path: join(root, 'metrics.json'),
        produced: true,
        kind: 'file',
        files: 1,
        bytes: 12,
      },
      {
        name: 'empty',
        path: join(root, 'empty.json'),
        produced: false,
        kind: 'file',
        files: 0,
        bytes: 0,
      },
      {
        name: 'absent',
        path: join(root, 'absent'),
        produced: false,
        kind: 'missing',
        files: 0,
        bytes: 0,
      },
      {
        name: 'emptyDir',
        path: root + '/never-created-dir',
        produced: false,
        kind: 'missing',
        files: 0,
        bytes: 0,
      },
    ])
  })

  it('reports an empty folder as a directory that was not produced', async ({ tempDir }) => {
    const root = tempDir()
    const out = join(root, 'out')
    await mkdir(out)

    expect(discoverOutputs({ out })[0]).toMatchObject({
      kind: 'directory',
      produced: false,
      files: 0,
    })
  })

  it('follows symlinked files but not symlinked folders, so a link cycle cannot loop', async ({
    tempDir,
  }) => {
    const root = tempDir()
    const out = join(root, 'out')
    await put(join(root, 'elsewhere', 'data.csv'), 'abc')
    await mkdir(out)
    await symlink(join(root, 'elsewhere', 'data.csv'), join(out, 'linked.csv'))
    await symlink(out, join(out, 'loop'))
    await symlink(join(root, 'gone.csv'), join(out, 'dangling.csv'))

    expect(discoverOutputs({ out })[0]).toMatchObject({ produced: true, files: 1, bytes: 3 })
  })
})

describe('isTemporaryFile', () => {
  it.each([
    ['.DS_Store', true],
    ['Thumbs.db', true],
    ['desktop.ini', true],
    ['.hidden', true],
    ['part-0000.csv.tmp', true],
    ['x.TEMP', true],
    ['notes~', true],
    ['.notes.swp', true],
    ['a.bak', true],
    ['a.orig', true],
    ['a.rej', true],
    ['a.lock', true],
    ['a.pid', true],
    ['stdout.log', true],
    ['mod.pyc', true],
    ['mod.pyo', true],
    ['/out/__pycache__/mod.py', true],
    ['.gitkeep', false],
    ['.placeholder', false],
    ['train.csv', false],
    ['model.bst', false],
    ['/out/train/train.csv', false],
  ])('%s → %s', (name, expected) => {
    expect(isTemporaryFile(name)).toBe(expected)
  })
})
