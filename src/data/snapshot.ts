import { createHash } from 'node:crypto'
import { PipetestError } from '../errors.js'
import type { DataRow, OutputData } from './output-data.js'
import { DataReadError } from './readers.js'
import type { ColumnSummary } from './summary.js'
import { cellKey, compareCells, type Cell } from './values.js'

/**
 * How an output is normalised before it is snapshotted: what would change from run to run
 * without the data changing (timestamps, generated ids, float noise, row order) is left out,
 * masked, rounded or sorted here.
 */
export interface SnapshotOptions {
  /** Only these columns (JSON documents: keys), in this order. Default: all of them. */
  columns?: string[]
  /** Columns (or keys) left out entirely: generated ids, run timestamps. */
  exclude?: string[]
  /** Columns (or keys) kept in the schema whose values are masked: their type and nulls stay. */
  mask?: string[]
  /** Digits kept after the decimal point of non-integer numbers. Default: all of them. */
  round?: number
  /**
   * Rows shown are the first in this order (columns compared left to right), and the content
   * hash ignores row order: for steps whose row order is not deterministic.
   */
  sortBy?: string | string[]
  /** Rows shown. Default 5, at most 50. */
  rows?: number
}

/**
 * A stable, reviewable picture of one output: its schema and counts, a content hash of every
 * (normalised) row, and the first rows. Nothing in it depends on where or when the step ran:
 * no paths, sizes, durations or run folders. Plain data, for the test framework to serialise.
 */
export type OutputSnapshot = TableSnapshot | DocumentSnapshot | UnreadableSnapshot

export interface TableSnapshot {
  format: string
  /** File names inside a folder output (shards, splits); absent for a single file. */
  files?: string[]
  rows: number
  splits?: Record<string, number>
  /** One line per column: `name: type, nulls, distinct, range or values`. */
  columns: string[]
  /** sha256 (shortened) of every normalised row. */
  hash: string
  /** A header line, then one line per row, values as JSON. */
  sample: string[]
}

export interface DocumentSnapshot {
  format: string
  keys: Record<string, string | number | boolean | null>
  hash: string
}

export interface UnreadableSnapshot {
  unreadable: string
}

/** The reason may name the file by its path inside a run folder: say the output instead. */
function unreadable(data: OutputData, reason: string): UnreadableSnapshot {
  return { unreadable: reason.split(data.path).join(data.name) }
}

const SNAPSHOT_ROWS = 5
const MAX_SNAPSHOT_ROWS = 50
const MASKED = '<masked>'
/** More files than this are counted, not listed. */
const FILES_LISTED = 20
const HASH_LENGTH = 16

/**
 * The snapshot of `data` (from `readData`/`readOutput`) after normalisation. Reads the rows
 * once more, streaming: memory stays bounded by the rows shown.
 *
 * @example
 * const snapshot = await snapshotData(await readOutput(result, 'features'), { round: 4, exclude: ['created_at'] })
 */
export async function snapshotData(
  data: OutputData,
  options: SnapshotOptions = {},
): Promise<OutputSnapshot> {
  const shown = checkOptions(data, options)
  const { summary } = data
  if (summary.kind === 'unreadable') return unreadable(data, summary.reason)
  const format = summary.formats.join(' + ') + (summary.gzip ? ' (gzip)' : '')
  if (summary.kind === 'document') {
    const keys: DocumentSnapshot['keys'] = {}
    for (const key of pickColumns(Object.keys(summary.keys), options)) {
      const { value } = summary.keys[key]!
      keys[key] = options.mask?.includes(key)
        ? MASKED
        : typeof value === 'number'
          ? (rounded(value, options.round) as number)
          : value
    }
    return { format, keys, hash: shortHash(JSON.stringify(keys)) }
  }
  const columns = pickColumns(
    summary.columns.map((column) => column.name),
    options,
  )
  const byName = new Map(summary.columns.map((column) => [column.name, column]))
  const masked = new Set(options.mask ?? [])
  const sortBy = sortColumns(options)
  const normalise = (row: DataRow): Cell[] =>
    columns.map((column) =>
      masked.has(column) && row[column] != null ? MASKED : rounded(row[column], options.round),
    )
  const sortKey = sortBy.map((column) => columns.indexOf(column))
  const sample: Array<{ cells: Cell[]; line: string }> = []
  const ordered = createHash('sha256')
  let unordered = 0n
  const take = (row: DataRow): void => {
    const cells = normalise(row)
    const line = cells.map(showCell).join(' | ')
    if (sortKey.length === 0) {
      ordered.update(line + '\n')
      if (sample.length < shown) sample.push({ cells, line })
      return
    }
    // Order-free: the sum of the rows' own hashes (mod 2^64) does not depend on row order.
    unordered = (unordered + BigInt(`0x${shortHash(line)}`)) & 0xffff_ffff_ffff_ffffn
    keepSmallest(sample, { cells, line }, shown, (a, b) => compareRows(a, b, sortKey))
  }
  try {
    for await (const row of data.rows()) take(row)
  } catch (error) {
    // Readable when summarised, not any more (removed or rewritten since): a snapshot that
    // says so, like one of an output that never was readable, rather than an exception.
    if (error instanceof DataReadError) return unreadable(data, `${error.file} ${error.reason}`)
    throw error
  }
  const hash =
    sortKey.length === 0
      ? ordered.digest('hex').slice(0, HASH_LENGTH)
      : unordered.toString(16).padStart(HASH_LENGTH, '0')
  return {
    format,
    ...(summary.files.length > 1 || summary.files[0] !== data.path.split(/[\\/]/).pop()
      ? { files: filesOf(summary.files) }
      : {}),
    rows: summary.rows,
    ...(summary.splits ? { splits: summary.splits } : {}),
    columns: columns.map((name) => describeColumn(byName.get(name)!, masked.has(name), options)),
    hash,
    sample: [columns.join(' | '), ...sample.map((entry) => entry.line)],
  }
}

function checkOptions(data: OutputData, options: SnapshotOptions): number {
  const shown = options.rows ?? SNAPSHOT_ROWS
  if (!Number.isInteger(shown) || shown < 0 || shown > MAX_SNAPSHOT_ROWS) {
    throw usage(`rows must be a whole number from 0 to ${MAX_SNAPSHOT_ROWS}, got ${shown}`, 'rows')
  }
  if (options.round !== undefined && !(Number.isInteger(options.round) && options.round >= 0)) {
    throw usage(`round must be a whole number of digits ≥ 0, got ${options.round}`, 'round')
  }
  const { summary } = data
  if (summary.kind === 'unreadable') return shown
  const present =
    summary.kind === 'table'
      ? summary.columns.map((column) => column.name)
      : Object.keys(summary.keys)
  // Asked-for columns must exist (a typo would snapshot nothing); excluded or masked ones may
  // be absent, since one set of options serves every output of a pipeline.
  for (const field of ['columns', 'sortBy'] as const) {
    // Documents have no rows to sort.
    if (field === 'sortBy' && summary.kind !== 'table') continue
    const wanted = field === 'columns' ? (options.columns ?? []) : sortColumns(options)
    const unknown = wanted.filter((column) => !present.includes(column))
    if (unknown.length > 0) {
      const what = summary.kind === 'table' ? 'columns' : 'keys'
      throw usage(
        `${field} names ${unknown.join(', ')}, not in ${data.node === undefined ? '' : `${data.node}'s `}${data.name} (its ${what}: ${present.join(', ') || 'none'})`,
        field,
      )
    }
  }
  if (summary.kind === 'table' && options.columns !== undefined) {
    const dropped = sortColumns(options).filter((column) => !options.columns!.includes(column))
    if (dropped.length > 0) {
      throw usage(`sortBy names ${dropped.join(', ')}, which columns leaves out`, 'sortBy')
    }
  }
  return shown
}

function usage(message: string, field: string): PipetestError {
  return new PipetestError('USAGE', `Output snapshot: ${message}`, {
    field,
    hint: 'See the snapshot options: columns, exclude, mask, round, sortBy, rows.',
  })
}

function sortColumns(options: SnapshotOptions): string[] {
  if (options.sortBy === undefined) return []
  return typeof options.sortBy === 'string' ? [options.sortBy] : options.sortBy
}

function pickColumns(present: string[], options: SnapshotOptions): string[] {
  const chosen = options.columns ?? present
  const excluded = new Set(options.exclude ?? [])
  return chosen.filter((column) => !excluded.has(column))
}

function filesOf(files: string[]): string[] {
  if (files.length <= FILES_LISTED) return files
  return [...files.slice(0, FILES_LISTED), `… ${files.length - FILES_LISTED} more`]
}

function describeColumn(column: ColumnSummary, masked: boolean, options: SnapshotOptions): string {
  const facts = [column.type ?? 'empty', `${column.nulls} null${column.nulls === 1 ? '' : 's'}`]
  if (!masked) {
    facts.push(`${column.distinctCapped ? '≥ ' : ''}${column.distinct} distinct`)
    if (column.values !== undefined && column.type !== 'datetime') {
      facts.push(
        `values ${column.values.map((value) => showCell(rounded(value, options.round))).join(', ')}`,
      )
    } else if (column.min !== undefined && column.max !== undefined) {
      facts.push(
        `${showCell(rounded(column.min, options.round))} … ${showCell(rounded(column.max, options.round))}`,
      )
    }
  }
  return `${column.name}: ${facts.join(', ')}`
}

function rounded(cell: Cell, round: number | undefined): Cell {
  if (cell === undefined) return null
  const whole = typeof cell !== 'number' || Number.isInteger(cell) || !Number.isFinite(cell)
  return round === undefined || whole ? cell : Number(cell.toFixed(round))
}

/** A value as one reads it in a row line: text quoted, numbers and booleans bare. */
function showCell(cell: Cell): string {
  if (cell === null || cell === undefined) return 'null'
  if (cell === MASKED) return MASKED
  if (typeof cell === 'number' || typeof cell === 'boolean' || typeof cell === 'bigint') {
    return String(cell)
  }
  return JSON.stringify(typeof cell === 'string' ? cell : cellKey(cell))
}

function compareRows(
  a: { cells: Cell[]; line: string },
  b: { cells: Cell[]; line: string },
  key: number[],
): number {
  for (const index of key) {
    const order = compareCells(a.cells[index], b.cells[index])
    if (order !== 0) return order
  }
  // Ties broken by the whole row, so the rows shown never depend on the order they came in.
  return compareCells(a.line, b.line)
}

/** Keeps the `limit` smallest entries, sorted: bounded memory whatever the row count. */
function keepSmallest<T>(kept: T[], entry: T, limit: number, compare: (a: T, b: T) => number) {
  if (limit === 0) return
  if (kept.length === limit && compare(entry, kept[kept.length - 1]!) >= 0) return
  let at = kept.length
  while (at > 0 && compare(entry, kept[at - 1]!) < 0) at--
  kept.splice(at, 0, entry)
  if (kept.length > limit) kept.pop()
}

function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, HASH_LENGTH)
}
