import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { describe, expect } from 'vitest'
import { readData, snapshotData, type SnapshotOptions } from '../../src/data/index.js'
import { it } from '../support/fixtures.js'

// One folder for the file: each test's data files have their own names.
let root: string
it.beforeAll(({ fileTempDir }) => {
  root = fileTempDir('pipetest-snapshot-')
})

function file(name: string, content: string): string {
  const path = join(root, name)
  mkdirSync(join(path, '..'), { recursive: true })
  writeFileSync(path, content)
  return path
}

async function snapshot(path: string, options: SnapshotOptions = {}) {
  return snapshotData(await readData('out', path), options)
}

const header = 'id,score,made_at\n'
const rows = [
  '3,0.333333333,2026-11-28T10:00:00',
  '1,0.1,2026-11-28T10:00:01',
  '2,0.25,2026-11-28T10:00:02',
]

describe('snapshotData', () => {
  it('sorts, rounds and leaves out what varies: two runs with other row order and times agree', async () => {
    const a = file('a.csv', header + rows.join('\n') + '\n')
    const b = file(
      'b.csv',
      header +
        [...rows]
          .reverse()
          .map((row) => row.replace('10:00', '11:30'))
          .join('\n') +
        '\n',
    )
    const options = { sortBy: 'id', exclude: ['made_at'], round: 3 }
    const first = await snapshot(a, options)
    expect(first).toEqual({
      format: 'csv',
      rows: 3,
      columns: [
        'id: integer, 0 nulls, 3 distinct, values 1, 2, 3',
        'score: number, 0 nulls, 3 distinct, values 0.1, 0.25, 0.333',
      ],
      hash: expect.stringMatching(/^[0-9a-f]{16}$/),
      sample: ['id | score', '1 | 0.1', '2 | 0.25', '3 | 0.333'],
    })
    expect(await snapshot(b, options)).toEqual(first)
    // Without sortBy the order is part of the data.
    const inFileOrder = { exclude: ['made_at'] }
    expect(await snapshot(a, inFileOrder)).not.toEqual(await snapshot(b, inFileOrder))
  })

  it('masks values but keeps the column, its type and nulls; keeps only the rows asked for', async () => {
    const path = file('masked.csv', header + rows.join('\n') + '\n')
    const result = await snapshot(path, { mask: ['made_at'], rows: 1, columns: ['id', 'made_at'] })
    expect(result).toMatchObject({
      columns: ['id: integer, 0 nulls, 3 distinct, values 1, 2, 3', 'made_at: datetime, 0 nulls'],
      sample: ['id | made_at', '3 | <masked>'],
    })
  })

  it('lists the files of a folder output and the rows per split, never its path', async () => {
    file('folder/train/part-0.csv', 'id\n1\n2\n')
    file('folder/val/part-0.csv', 'id\n3\n')
    const result = await snapshot(join(root, 'folder'))
    expect(result).toMatchObject({
      files: ['train/part-0.csv', 'val/part-0.csv'],
      rows: 3,
      splits: { train: 2, val: 1 },
    })
    expect(JSON.stringify(result)).not.toContain(root)
  })

  it('snapshots a JSON document by its keys, rounded, with keys left out or masked', async () => {
    const path = file(
      'metrics.json',
      '{"auc": 0.912345, "at": "2026-11-28", "model": {"id": "x1"}}',
    )
    expect(
      await snapshot(path, { round: 2, exclude: ['at'], mask: ['model.id'], sortBy: 'id' }),
    ).toEqual({
      format: 'json',
      keys: { auc: 0.91, 'model.id': '<masked>' },
      hash: expect.stringMatching(/^[0-9a-f]{16}$/),
    })
  })

  it('says what an unreadable output is, naming the output instead of its path', async () => {
    const path = file('model.pkl', 'binary')
    const result = await snapshot(path)
    expect(result).toEqual({ unreadable: expect.any(String) })
    expect(JSON.stringify(result)).not.toContain(root)
  })

  it('an output that can no longer be read when snapshotted records why instead of throwing', async () => {
    const lines = rows.map((row) => JSON.stringify({ id: Number(row.split(',')[0]) }))
    for (const name of ['scores.csv', 'scores.csv.gz', 'scores.jsonl']) {
      const content = name.endsWith('jsonl') ? lines.join('\n') : header + rows.join('\n')
      const path = file(`gone/${name}`, '')
      writeFileSync(path, name.endsWith('.gz') ? gzipSync(content) : content)
      const data = await readData('out', path)
      // Read once (readOutput), then gone before the snapshot re-reads its rows: a run folder
      // pruned meanwhile, or a shared output rewritten by another test.
      rmSync(path)
      const result = await snapshotData(data)
      expect(result).toEqual({ unreadable: expect.stringContaining(`${name} cannot be read`) })
      expect(JSON.stringify(result)).not.toContain(root)
    }
  })

  it('rejects a column that is not there, listing the ones that are', async () => {
    const path = file('typo.csv', header + rows.join('\n') + '\n')
    await expect(snapshot(path, { sortBy: 'ID' })).rejects.toThrow(
      'Output snapshot: sortBy names ID, not in out (its columns: id, score, made_at)',
    )
    await expect(snapshot(path, { rows: 500 })).rejects.toThrow(
      'rows must be a whole number from 0 to 50',
    )
  })
})
