import { createHash } from 'node:crypto'
import { isRecord } from '../files/json.js'
import { openDataset, type Dataset } from './dataset.js'
import type { DataFormat } from './formats.js'
import { DataReadError, readJsonFile, readRows, type DataFile } from './readers.js'
import {
  cellKey,
  cellType,
  compareCells,
  numericValue,
  widen,
  type Cell,
  type ColumnType,
} from './values.js'

/** Distinct values counted per column; past it the count reads "at least". */
const DISTINCT_LIMIT = 1000
/** A column with at most this many distinct values lists them (labels, categories). */
const VALUES_LISTED = 20

/** What one column holds. Serialisable: numbers are finite, dates are ISO strings. */
export interface ColumnSummary {
  name: string
  /** The narrowest type of every non-null value; null when every value is missing. */
  type: ColumnType | null
  nulls: number
  /** Distinct non-null values, up to DISTINCT_LIMIT (`distinctCapped` past it). */
  distinct: number
  distinctCapped: boolean
  /** Numbers: the smallest and largest; datetimes: the earliest and latest (ISO text). */
  min?: number | string
  max?: number | string
  /** Every distinct value, sorted, when there are at most VALUES_LISTED. */
  values?: Array<string | number | boolean>
  /** Set when a contract asked: repeated values (for `unique`) … */
  duplicates?: { count: number; examples: string[] }
  /** … and values outside the allowed ones (for `values`). */
  disallowed?: { count: number; examples: string[] }
}

/** What a table and a document summary both say of the files read. */
interface FilesRead {
  path: string
  /** Every format met (usually one), and whether any file was gzipped. */
  formats: DataFormat[]
  gzip: boolean
  files: string[]
  bytes: number
  /** sha256 of the rows (or the keys) as read (only when asked: `hash: true`). */
  hash?: string
}

export interface TableSummary extends FilesRead {
  kind: 'table'
  rows: number
  columns: ColumnSummary[]
  /** Rows per split subfolder (`train`, `val`, `test`), when the output has them. */
  splits?: Record<string, number>
}

/** One leaf of a JSON document, by dotted path (`auc`, `per_class.1.recall`). */
export interface DocumentKey {
  type: ColumnType | null
  /** The value; NaN and ±Infinity (Python writes them) as the text `NaN`, `Infinity`, `-Infinity`. */
  value: string | number | boolean | null
}

export interface DocumentSummary extends FilesRead {
  kind: 'document'
  keys: Record<string, DocumentKey>
}

export interface UnreadableSummary {
  kind: 'unreadable'
  path: string
  reason: string
}

export type DataSummary = TableSummary | DocumentSummary | UnreadableSummary

export interface SummaryOptions {
  /** One file inside a folder output. */
  file?: string
  /** Columns whose every value is remembered, to find repeats (contracts' `unique`). */
  unique?: string[]
  /** Allowed values per column: values outside them are counted (contracts' `values`). */
  allowed?: Record<string, Array<string | number | boolean>>
  /** Compute a content hash of the rows (snapshots). */
  hash?: boolean
}

/**
 * Summarises the data at `path` (a file or a folder of shards/splits) in one streaming pass:
 * columns, inferred types, row count, null counts, distinct counts up to DISTINCT_LIMIT,
 * min/max. Memory stays bounded whatever the size, except for columns named in `unique`.
 * Never throws for bad data: what cannot be read is an `unreadable` summary with the reason.
 *
 * @example
 * const summary = await summarizeData('out/processed_data')
 * if (summary.kind === 'table') console.log(summary.rows, summary.columns.map((c) => c.name))
 */
export async function summarizeData(
  path: string,
  options: SummaryOptions = {},
): Promise<DataSummary> {
  return summarizeDataset(openDataset(path, options.file), options)
}

export async function summarizeDataset(
  dataset: Dataset,
  options: SummaryOptions = {},
): Promise<DataSummary> {
  if (dataset.kind === 'unreadable') return dataset
  const { files, path, bytes } = dataset
  const read: FilesRead = {
    path,
    formats: [...new Set(files.map((file) => file.format))],
    gzip: files.some((file) => file.gzip),
    files: files.map((file) => file.relative),
    bytes,
  }
  try {
    // A JSON object is a document (metrics, a config): keys, not rows.
    if (files.length === 1 && files[0]!.format === 'json') {
      const content = await readJsonFile(files[0]!)
      if (content.kind === 'document') {
        const keys = flattenDocument(content.value)
        const hash = options.hash
          ? { hash: createHash('sha256').update(JSON.stringify(keys)).digest('hex') }
          : {}
        return { kind: 'document', ...read, keys, ...hash }
      }
    }
    return await summarizeTable(read, files, options)
  } catch (error) {
    if (error instanceof DataReadError) {
      return { kind: 'unreadable', path, reason: `${error.file} ${error.reason}` }
    }
    throw error
  }
}

class ColumnTracker {
  type: ColumnType | undefined
  nulls = 0
  readonly seen = new Set<string>()
  capped = false
  /** Numbers, or the ISO text of datetimes (min/max are reported only for a column of one kind). */
  min: number | string | undefined
  max: number | string | undefined
  readonly everyValue: Set<string> | undefined
  readonly duplicates = new Tally()
  readonly allowed: Set<string> | undefined
  readonly disallowed = new Tally()

  constructor(
    readonly name: string,
    unique: boolean,
    allowed: Array<string | number | boolean> | undefined,
  ) {
    if (unique) this.everyValue = new Set()
    if (allowed) this.allowed = new Set(allowed.map(String))
  }

  add(cell: Cell, text: boolean): void {
    const type = cellType(cell, text)
    if (type === null) {
      this.nulls++
      return
    }
    this.type = widen(this.type, type)
    const key = cellKey(cell)
    if (!this.capped && !this.seen.has(key)) {
      if (this.seen.size === DISTINCT_LIMIT) this.capped = true
      else this.seen.add(key)
    }
    if (type === 'integer' || type === 'number' || type === 'datetime') {
      const value = type === 'datetime' ? key : numericValue(cell)!
      if (this.min === undefined || value < this.min) this.min = value
      if (this.max === undefined || value > this.max) this.max = value
    }
    if (this.everyValue?.has(key)) this.duplicates.add(key)
    else this.everyValue?.add(key)
    if (this.allowed && !this.allowed.has(allowedKey(type, cell, key))) this.disallowed.add(key)
  }

  summary(): ColumnSummary {
    const type = this.type ?? null
    const summary: ColumnSummary = {
      name: this.name,
      type,
      nulls: this.nulls,
      distinct: this.seen.size,
      distinctCapped: this.capped,
    }
    if (type === 'integer' || type === 'number') {
      if (Number.isFinite(this.min)) summary.min = this.min
      if (Number.isFinite(this.max)) summary.max = this.max
    } else if (type === 'datetime') {
      summary.min = this.min
      summary.max = this.max
    }
    if (!this.capped && this.seen.size <= VALUES_LISTED && type !== 'json') {
      summary.values = [...this.seen].map((text) => listedValue(text, type)).sort(compareCells)
    }
    if (this.everyValue) summary.duplicates = { ...this.duplicates }
    if (this.allowed) summary.disallowed = { ...this.disallowed }
    return summary
  }
}

/** How many values were found, and the first few distinct ones to show. */
class Tally {
  count = 0
  readonly examples: string[] = []

  add(key: string): void {
    this.count++
    if (this.examples.length < 5 && !this.examples.includes(key)) this.examples.push(key)
  }
}

async function summarizeTable(
  read: FilesRead,
  files: DataFile[],
  options: SummaryOptions,
): Promise<TableSummary> {
  const trackers = new Map<string, ColumnTracker>()
  const unique = new Set(options.unique ?? [])
  const hash = options.hash ? createHash('sha256') : undefined
  let rows = 0
  const splits = new Map<string, number>()
  const trackerOf = (name: string, rowsBefore: number) => {
    let tracker = trackers.get(name)
    if (tracker === undefined) {
      tracker = new ColumnTracker(name, unique.has(name), options.allowed?.[name])
      // A column first met in a later file or line was missing from the rows before it.
      tracker.nulls = rowsBefore
      trackers.set(name, tracker)
    }
    return tracker
  }
  for (const file of files) {
    let fileRows = 0
    for await (const chunk of readRows(file)) {
      const columns = chunk.columns.map((name) => trackerOf(name, rows))
      const text = chunk.text === true
      for (const row of chunk.rows) {
        for (let i = 0; i < columns.length; i++) columns[i]!.add(row[i], text)
        if (hash) hash.update(row.map(cellKey).join('\u001f') + '\u001e')
      }
      rows += chunk.rows.length
      fileRows += chunk.rows.length
      // Columns this chunk lacks are missing in its rows.
      if (trackers.size > columns.length) {
        const present = new Set(chunk.columns)
        for (const [name, tracker] of trackers) {
          if (!present.has(name)) tracker.nulls += chunk.rows.length
        }
      }
    }
    if (file.split !== undefined) splits.set(file.split, (splits.get(file.split) ?? 0) + fileRows)
  }
  return {
    kind: 'table',
    ...read,
    rows,
    columns: [...trackers.values()].map((tracker) => tracker.summary()),
    ...(splits.size > 0 ? { splits: Object.fromEntries(splits) } : {}),
    ...(hash ? { hash: hash.digest('hex') } : {}),
  }
}

/** The leaves of a JSON object by dotted path, up to a depth and a count that keep reports short. */
function flattenDocument(document: Record<string, unknown>): Record<string, DocumentKey> {
  const keys: Record<string, DocumentKey> = {}
  let count = 0
  const visit = (value: unknown, path: string, depth: number) => {
    if (count >= DISTINCT_LIMIT) return
    if (isRecord(value) && depth < 6) {
      const entries = Object.entries(value)
      if (entries.length > 0) {
        for (const [key, child] of entries) visit(child, path ? `${path}.${key}` : key, depth + 1)
        return
      }
    }
    count++
    keys[path] = documentKey(value)
  }
  visit(document, '', 0)
  return keys
}

function documentKey(value: unknown): DocumentKey {
  if (typeof value === 'number' && !Number.isFinite(value)) {
    return { type: 'number', value: String(value) }
  }
  const type = cellType(value as Cell)
  if (type === 'json') return { type, value: JSON.stringify(value) }
  return { type, value: (value ?? null) as DocumentKey['value'] }
}

/** How an allowed value is compared: numbers by value (`1` and `1.0`), the rest as text. */
function allowedKey(type: ColumnType, cell: Cell, key: string): string {
  if (type === 'boolean') return key.toLowerCase()
  return type === 'integer' || type === 'number' ? String(numericValue(cell)) : key
}

function listedValue(text: string, type: ColumnType | null): string | number | boolean {
  if (type === 'integer' || type === 'number') return Number(text)
  if (type === 'boolean') return text.toLowerCase() === 'true'
  return text
}
