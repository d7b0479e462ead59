import { createReadStream, statSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { createInterface } from 'node:readline'
import { pipeline, type Duplex, type Readable } from 'node:stream'
import { createGunzip, gunzipSync } from 'node:zlib'
// Types only: the modules are loaded on the first Parquet file (loadParquetReader).
import type * as Hyparquet from 'hyparquet'
import type * as HyparquetCompressors from 'hyparquet-compressors'
import { isRecord, parsePythonJson } from '../files/json.js'
import { loadLibrary } from '../files/load-library.js'
import { formatName, type DataFormat } from './formats.js'
import type { Cell } from './values.js'

/** One data file of an output, as the readers see it. */
export interface DataFile {
  /** Absolute path. */
  path: string
  /** Path relative to the output (the file's own name for an output that is a file). */
  relative: string
  format: DataFormat
  gzip: boolean
  /** The split subfolder the file is in (`train`, `val`, …), when the output has splits. */
  split?: string
}

/**
 * A slice of a table: column names and rows of cells in that order. Readers hand out rows in
 * chunks so a file of any size is read with bounded memory; chunks of one file may name
 * different columns (JSON Lines objects need not share keys).
 */
export interface RowChunk {
  columns: string[]
  rows: Cell[][]
  /** Cells are delimited text (CSV/TSV), typed by their spelling: `12`, `true`, `NA`. */
  text?: true
}

/** A JSON file holding one object (metrics, a config): keys, not rows. */
export interface JsonDocument {
  kind: 'document'
  value: Record<string, unknown>
}

/** A file the reader could not make sense of: the file and what is wrong, for the report. */
export class DataReadError extends Error {
  override readonly name = 'DataReadError'
  constructor(
    readonly file: string,
    readonly reason: string,
  ) {
    super(`${file}: ${reason}`)
  }
}

const CHUNK_ROWS = 2048
/** JSON documents are parsed whole; bigger ones should be JSON Lines. */
const MAX_JSON_BYTES = 256 * 1024 * 1024

/**
 * The rows of a tabular file, chunk by chunk. A JSON file that holds an object is not a table:
 * read it with `readJsonFile`.
 */
export async function* readRows(file: DataFile): AsyncGenerator<RowChunk> {
  try {
    yield* ROW_READERS[file.format](file)
  } catch (error) {
    if (error instanceof DataReadError) throw error
    throw new DataReadError(
      file.relative,
      `cannot be read as ${formatName(file.format, file.gzip)}: ${messageOf(error)}`,
    )
  }
}

/** The parsed content of a JSON file: a document (an object) or rows (a list). */
export async function readJsonFile(
  file: DataFile,
): Promise<JsonDocument | { kind: 'rows'; value: unknown[] }> {
  const value = await readJson(file)
  if (Array.isArray(value)) return { kind: 'rows', value }
  if (isRecord(value)) return { kind: 'document', value }
  throw new DataReadError(file.relative, `holds a single ${typeof value}, not an object or a list`)
}

async function* readJsonRows(file: DataFile): AsyncGenerator<RowChunk> {
  const value = await readJson(file)
  if (!Array.isArray(value)) throw new DataReadError(file.relative, 'holds a JSON object, not rows')
  yield* chunkObjects(value.map((item) => (isRecord(item) ? item : { value: item })))
}

function open(file: DataFile): Readable {
  const stream = createReadStream(file.path, { highWaterMark: 256 * 1024 })
  return file.gzip ? piped(stream, createGunzip()) : stream
}

/**
 * `source` into `target`, whose reader sees an error of either (`pipe` forwards none: a file
 * gone or corrupt since it was listed left the reader waiting for ever).
 */
function piped<T extends Duplex>(source: Readable, target: T): T {
  // Errors reach the reader through `target`, which pipeline destroys with them.
  pipeline(source, target, () => {})
  return target
}

async function* readDelimited(file: DataFile): AsyncGenerator<RowChunk> {
  // Loaded on the first CSV read: most test files and commands never read a data file.
  const { parse } = await loadLibrary(() => import('csv-parse'), 'csv-parse')
  const parser = piped(
    open(file),
    parse({
      delimiter: file.format === 'tsv' ? '\t' : ',',
      bom: true,
      skip_empty_lines: true,
      // TSV has no quoting convention; a quote in a TSV cell is just a character.
      quote: file.format === 'tsv' ? false : '"',
    }),
  )
  let columns: string[] | undefined
  let rows: Cell[][] = []
  for await (const record of parser as AsyncIterable<string[]>) {
    if (columns === undefined) {
      columns = uniqueNames(record)
      continue
    }
    rows.push(record)
    if (rows.length === CHUNK_ROWS) {
      yield { columns, rows, text: true }
      rows = []
    }
  }
  if (columns === undefined) throw new DataReadError(file.relative, 'is empty: no header row')
  yield { columns, rows, text: true }
}

async function* readJsonLines(file: DataFile): AsyncGenerator<RowChunk> {
  const lines = createInterface({ input: open(file), crlfDelay: Infinity })
  let batch: Record<string, unknown>[] = []
  let lineNumber = 0
  for await (const line of lines) {
    lineNumber++
    if (line.trim() === '') continue
    let value: unknown
    try {
      value = parsePythonJson(line)
    } catch (error) {
      throw new DataReadError(file.relative, `line ${lineNumber} is not JSON: ${messageOf(error)}`)
    }
    batch.push(isRecord(value) ? value : { value })
    if (batch.length === CHUNK_ROWS) {
      yield* chunkObjects(batch)
      batch = []
    }
  }
  yield* chunkObjects(batch)
}

function* chunkObjects(objects: Record<string, unknown>[]): Generator<RowChunk> {
  for (let start = 0; start < objects.length || start === 0; start += CHUNK_ROWS) {
    const slice = objects.slice(start, start + CHUNK_ROWS)
    const columns = [...new Set(slice.flatMap((object) => Object.keys(object)))]
    yield { columns, rows: slice.map((object) => columns.map((column) => object[column] as Cell)) }
    if (objects.length === 0) return
  }
}

async function readJson(file: DataFile): Promise<unknown> {
  const size = statSync(file.path).size
  if (size > MAX_JSON_BYTES) {
    throw new DataReadError(
      file.relative,
      `is a ${Math.round(size / 1e6)} MB JSON document; documents over 256 MB are not read whole — write JSON Lines (.jsonl) instead`,
    )
  }
  const bytes = await readFile(file.path)
  const text = (file.gzip ? gunzipSync(bytes) : bytes).toString('utf8').replace(/^\uFEFF/, '')
  try {
    return parsePythonJson(text)
  } catch (error) {
    throw new DataReadError(file.relative, `is not valid JSON: ${messageOf(error)}`)
  }
}

async function* readParquet(file: DataFile): AsyncGenerator<RowChunk> {
  // Loaded on first use: most runs never meet a Parquet file.
  const [
    { asyncBufferFromFile, parquetMetadataAsync, parquetRead, parquetSchema },
    { compressors },
  ] = await loadParquetReader()
  const buffer = await asyncBufferFromFile(file.path)
  const metadata = await parquetMetadataAsync(buffer)
  const columns = parquetSchema(metadata).children.map((child) => child.element.name)
  let start = 0
  // One row group at a time: memory is bounded by the writer's row group size.
  for (const group of metadata.row_groups) {
    const end = start + Number(group.num_rows)
    let rows: Cell[][] = []
    await parquetRead({
      file: buffer,
      metadata,
      compressors,
      rowStart: start,
      rowEnd: end,
      rowFormat: 'array',
      onComplete: (data: Cell[][]) => (rows = data),
    })
    yield { columns, rows }
    start = end
  }
  if (metadata.row_groups.length === 0) yield { columns, rows: [] }
}

const ROW_READERS: Record<DataFormat, (file: DataFile) => AsyncGenerator<RowChunk>> = {
  csv: readDelimited,
  tsv: readDelimited,
  json: readJsonRows,
  jsonl: readJsonLines,
  parquet: readParquet,
}

type ParquetModules = [typeof Hyparquet, typeof HyparquetCompressors]

function loadParquetReader(): Promise<ParquetModules> {
  return Promise.all([
    loadLibrary(() => import('hyparquet'), 'hyparquet'),
    loadLibrary(() => import('hyparquet-compressors'), 'hyparquet-compressors'),
  ])
}

/** Header names made unique the way pandas does (`a`, `a.1`), so no column hides another. */
function uniqueNames(header: string[]): string[] {
  const seen = new Map<string, number>()
  return header.map((name) => {
    const count = seen.get(name) ?? 0
    seen.set(name, count + 1)
    return count === 0 ? name : `${name}.${count}`
  })
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
