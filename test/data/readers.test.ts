import { execFileSync } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect } from 'vitest'
import {
  detectFormat,
  readData,
  summarizeData,
  type ColumnSummary,
  type DataSummary,
  type TableSummary,
} from '../../src/data/index.js'
import { it, repoRoot } from '../support/fixtures.js'
import { writeParquet, type ParquetCompression } from './parquet-writer.js'

// One folder for the file: the samples are written once (one Python process), and each test's
// own files have their own names.
let root: string
let samples: string

it.beforeAll(({ fileTempDir }) => {
  root = fileTempDir('pipetest-data-')
  samples = join(root, 'samples')
  // Python's csv, gzip, json and pickle modules write the samples: files from another tool.
  execFileSync('python3', [join(repoRoot, 'test/fixtures/data/write_samples.py'), samples])
})

function table(summary: DataSummary): TableSummary {
  if (summary.kind !== 'table') throw new Error(`expected a table, got ${JSON.stringify(summary)}`)
  return summary
}

function column(summary: DataSummary, name: string): ColumnSummary {
  const found = table(summary).columns.find((c) => c.name === name)
  if (!found) throw new Error(`no column ${name}`)
  return found
}

describe('format detection', () => {
  it('recognises each format by extension, and gzip and JSON Lines by content', () => {
    const formats = [
      'transactions.csv',
      'transactions.tsv',
      'transactions.csv.gz',
      'transactions_noext',
      'transactions.jsonl',
      'transactions.json',
      'metrics.json',
    ].map((name) => detectFormat(join(samples, name)))
    expect(formats).toEqual([
      { format: 'csv', gzip: false },
      { format: 'tsv', gzip: false },
      { format: 'csv', gzip: true },
      { format: 'csv', gzip: true },
      { format: 'jsonl', gzip: false },
      { format: 'json', gzip: false },
      { format: 'json', gzip: false },
    ])
  })

  it('reports a pickle as what it is instead of guessing', () => {
    expect(detectFormat(join(samples, 'model.pkl'))).toEqual({
      format: undefined,
      gzip: false,
      reason: 'it is a Python pickle',
    })
  })

  it('recognises Parquet by its magic and refuses a .parquet name without it', () => {
    const dir = join(root, 'magic')
    mkdirSync(dir, { recursive: true })
    writeParquet(join(dir, 'data.bin'), { id: Int32Array.from([1]) })
    writeFileSync(join(dir, 'fake.parquet'), 'a,b\n1,2\n')
    expect(detectFormat(join(dir, 'data.bin'))).toEqual({ format: 'parquet', gzip: false })
    expect(detectFormat(join(dir, 'fake.parquet'))).toMatchObject({
      format: undefined,
      reason: 'it is named .parquet but has no PAR1 magic',
    })
  })
})

describe('summaries', () => {
  it.each(['transactions.csv', 'transactions.tsv', 'transactions.csv.gz', 'transactions_noext'])(
    'summarises %s: types, nulls, distinct counts and ranges',
    async (name) => {
      const summary = await summarizeData(join(samples, name))
      expect(table(summary).rows).toBe(4)
      expect(table(summary).columns.map((c) => [c.name, c.type, c.nulls])).toEqual([
        ['transaction_id', 'integer', 0],
        ['amount', 'number', 1],
        ['merchant', 'string', 1],
        ['ts', 'datetime', 0],
        ['is_fraud', 'integer', 0],
      ])
      expect(column(summary, 'amount')).toMatchObject({ min: 0, max: 230.75, distinct: 3 })
      expect(column(summary, 'merchant').values).toEqual(['acme', 'bolt, inc'])
      expect(column(summary, 'ts')).toMatchObject({
        min: '2025-01-01T09:15:00',
        max: '2025-01-04T08:00:00',
      })
      expect(column(summary, 'is_fraud').values).toEqual([0, 1])
    },
  )

  it.each(['transactions.jsonl', 'transactions.json'])(
    'summarises %s the same way',
    async (name) => {
      const summary = await summarizeData(join(samples, name))
      expect(table(summary).rows).toBe(4)
      expect(table(summary).columns.map((c) => [c.name, c.type, c.nulls])).toEqual([
        ['transaction_id', 'integer', 0],
        ['amount', 'number', 1],
        ['merchant', 'string', 0], // an empty string is a value in JSON
        ['ts', 'datetime', 0], // JSON can only spell a datetime as ISO text
        ['is_fraud', 'integer', 0],
      ])
    },
  )

  it("reads a metrics document with Python's NaN as keys by dotted path", async () => {
    const summary = await summarizeData(join(samples, 'metrics.json'))
    expect(summary).toMatchObject({
      kind: 'document',
      keys: {
        auc: { type: 'number', value: 0.91 },
        loss: { type: 'number', value: 'NaN' },
        'per_class.0.recall': { type: 'number', value: 0.8 },
        'per_class.1.recall': { type: 'number', value: 0.7 },
      },
    })
  })

  it('reads shards in order, skipping markers and hidden checksums', async () => {
    const summary = table(await summarizeData(join(samples, 'shards')))
    expect(summary.files).toEqual(['part-00000.csv', 'part-00001.csv'])
    expect(summary.rows).toBe(4)
    expect(summary.splits).toBeUndefined()
  })

  it('counts the rows of each split subfolder', async () => {
    const summary = table(await summarizeData(join(samples, 'splits')))
    expect(summary.splits).toEqual({ test: 1, train: 2, val: 1 })
    expect(summary.rows).toBe(4)
  })

  it('reports a folder holding a pickle as unreadable, naming the file and why', async () => {
    const summary = await summarizeData(samples)
    expect(summary.kind).toBe('unreadable')
    expect(summary.kind === 'unreadable' && summary.reason).toContain(
      'model.pkl: it is a Python pickle',
    )
  })

  it('reports a CSV with a ragged row as unreadable, naming the file', async () => {
    const file = join(root, 'ragged.csv')
    writeFileSync(file, 'a,b\n1,2\n3\n')
    const summary = await summarizeData(file)
    expect(summary).toMatchObject({ kind: 'unreadable' })
    expect(summary.kind === 'unreadable' && summary.reason).toMatch(
      /^ragged\.csv cannot be read as CSV: /,
    )
  })

  it('counts a column missing from some JSON lines as null in those rows', async () => {
    const file = join(root, 'sparse.jsonl')
    writeFileSync(file, '{"a": 1}\n{"a": 2, "b": "x"}\n{"a": 3}\n')
    const summary = await summarizeData(file)
    expect(column(summary, 'b')).toMatchObject({ nulls: 2, type: 'string' })
  })

  it('stops counting distinct values at the limit and says so', async () => {
    const file = join(root, 'many.csv')
    writeFileSync(file, 'id\n' + Array.from({ length: 1500 }, (_, i) => i).join('\n') + '\n')
    expect(column(await summarizeData(file), 'id')).toMatchObject({
      distinct: 1000,
      distinctCapped: true,
      min: 0,
      max: 1499,
    })
  })
})

describe('Parquet written by arrow-rs', () => {
  const compressions: ParquetCompression[] = [
    'UNCOMPRESSED',
    'SNAPPY',
    'GZIP',
    'ZSTD',
    'BROTLI',
    'LZ4_RAW',
  ]
  it.each(compressions)('reads a %s file, row group by row group', async (compression) => {
    const file = join(root, `t-${compression}.parquet`)
    const n = 2500
    writeParquet(
      file,
      {
        id: Int32Array.from({ length: n }, (_, i) => i),
        amount: Float64Array.from({ length: n }, (_, i) => i / 4),
        label: Array.from({ length: n }, (_, i) =>
          i % 10 === 0 ? null : i % 3 === 0 ? 'fraud' : 'ok',
        ),
      },
      { compression, rowGroupSize: 1000 },
    )
    const summary = await summarizeData(file)
    expect(table(summary)).toMatchObject({ rows: n, formats: ['parquet'], gzip: false })
    expect(column(summary, 'id')).toMatchObject({ type: 'integer', min: 0, max: n - 1, nulls: 0 })
    expect(column(summary, 'amount')).toMatchObject({ type: 'number', max: (n - 1) / 4 })
    expect(column(summary, 'label')).toMatchObject({
      type: 'string',
      nulls: 250,
      values: ['fraud', 'ok'],
    })
    const data = await readData('t', file)
    expect(await data.head(2)).toEqual([
      { id: 0, amount: 0, label: null },
      { id: 1, amount: 0.25, label: 'ok' },
    ])
  })
})

describe('readData', () => {
  it('streams typed rows across split subfolders', async () => {
    const data = await readData('processed_data', join(samples, 'splits'))
    const rows = []
    for await (const row of data.rows()) rows.push(row)
    expect(rows.map((row) => row.transaction_id)).toEqual([4, 1, 2, 3]) // test/, train/, val/
    expect(rows[0]).toEqual({
      transaction_id: 4,
      amount: null,
      merchant: 'acme',
      ts: '2025-01-04T08:00:00',
      is_fraud: 0,
    })
  })

  it('gives the parsed object of a JSON document', async () => {
    const data = await readData('metrics', join(samples, 'metrics.json'))
    const document = await data.document()
    expect(document?.auc).toBe(0.91)
    expect(Number.isNaN(document?.loss)).toBe(true)
    expect(await data.head()).toEqual([])
  })
})
