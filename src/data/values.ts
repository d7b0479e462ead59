/** The value types a data contract speaks of. `json` is a nested object or list. */
export const columnTypes = ['integer', 'number', 'string', 'boolean', 'datetime', 'json'] as const
export type ColumnType = (typeof columnTypes)[number]

/** A cell after reading: text formats give strings, typed formats (Parquet, JSON) their values. */
export type Cell = string | number | bigint | boolean | Date | null | undefined | object

/**
 * Spellings of "no value" in delimited text: pandas' default `na_values` (what a pandas step
 * writes for NaN is an empty field, and what it reads as missing is this list).
 */
const NULL_TOKENS = new Set([
  '',
  'NA',
  'N/A',
  'n/a',
  'NaN',
  'nan',
  '-NaN',
  '-nan',
  'null',
  'NULL',
  'None',
  '<NA>',
  '#N/A',
  '#NA',
])

const INTEGER = /^[+-]?\d+$/
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$|^[+-]?(inf|Infinity)$/i
const BOOLEAN = /^(true|false|True|False|TRUE|FALSE)$/
const DATETIME = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/

/**
 * The type of one cell, or null for a missing value. Delimited text (`text`: CSV/TSV) is typed
 * by its spelling, null tokens included; typed values by their JavaScript type, where a string
 * is a string (or a datetime, which JSON can only spell as ISO text). NaN counts as missing,
 * as in pandas.
 */
export function cellType(cell: Cell, text = false): ColumnType | null {
  if (cell === null || cell === undefined) return null
  if (typeof cell === 'string') {
    if (text) return textType(cell)
    return isDatetime(cell) ? 'datetime' : 'string'
  }
  if (typeof cell === 'number') {
    if (Number.isNaN(cell)) return null
    return Number.isInteger(cell) ? 'integer' : 'number'
  }
  if (typeof cell === 'bigint') return 'integer'
  if (typeof cell === 'boolean') return 'boolean'
  if (isDate(cell)) return 'datetime'
  return 'json'
}

function isDatetime(text: string): boolean {
  const first = text.charCodeAt(0)
  return first >= 48 && first <= 57 && DATETIME.test(text)
}

function textType(text: string): ColumnType | null {
  if (NULL_TOKENS.has(text)) return null
  const first = text.charCodeAt(0)
  // Most cells are plain words or numbers: skip the regexes that cannot match.
  const numeric = (first >= 48 && first <= 57) || first === 43 || first === 45 || first === 46
  if (numeric || first === 73 || first === 105) {
    if (INTEGER.test(text)) return 'integer'
    if (NUMBER.test(text)) return 'number'
    if (first >= 48 && first <= 57 && DATETIME.test(text)) return 'datetime'
    return 'string'
  }
  if (BOOLEAN.test(text)) return 'boolean'
  return 'string'
}

/** The narrowest type that holds both (integer ⊂ number; anything else mixed is a string). */
export function widen(a: ColumnType | undefined, b: ColumnType): ColumnType {
  if (a === undefined || a === b) return b
  if ((a === 'integer' && b === 'number') || (a === 'number' && b === 'integer')) return 'number'
  return 'string'
}

/** A cell as the value of its column's type: numbers for numeric text, booleans, nulls. */
export function typedCell(cell: Cell, type: ColumnType | undefined, text: boolean): Cell {
  if (typeof cell !== 'string' || !text) {
    if (typeof cell === 'number' && Number.isNaN(cell)) return null
    return cell ?? null
  }
  if (NULL_TOKENS.has(cell)) return null
  if (type === 'integer' || type === 'number') {
    const value = Number(cell)
    return Number.isNaN(value) ? cell : value
  }
  if (type === 'boolean') return cell.toLowerCase() === 'true'
  return cell
}

/** The number a numeric cell stands for (numbers, numeric text, bigints), for min/max. */
export function numericValue(cell: Cell): number | undefined {
  if (typeof cell === 'number') return cell
  if (typeof cell === 'bigint') return Number(cell)
  if (typeof cell === 'string') {
    const value = Number(cell)
    return Number.isNaN(value) ? undefined : value
  }
  return undefined
}

/** A stable text form of a cell: distinct counting, hashing, messages. */
export function cellKey(cell: Cell): string {
  if (isDate(cell)) return cell.toISOString()
  if (typeof cell === 'object' && cell !== null) return JSON.stringify(cell, bigintReplacer)
  return String(cell)
}

/** The order of two cells: missing first, numbers by value, anything else by its text. */
export function compareCells(a: Cell, b: Cell): number {
  if (a === b) return 0
  if (a === null || a === undefined) return -1
  if (b === null || b === undefined) return 1
  const numeric = (x: Cell): x is number | bigint => typeof x === 'number' || typeof x === 'bigint'
  if (numeric(a) && numeric(b)) return a < b ? -1 : a > b ? 1 : 0
  const [x, y] = [cellKey(a), cellKey(b)]
  return x < y ? -1 : x > y ? 1 : 0
}

/**
 * A Date from any realm: the Parquet reader may run in Node's main context while a Jest test
 * runs in its own, where `instanceof Date` is false for the reader's dates.
 */
export function isDate(value: unknown): value is Date {
  return Object.prototype.toString.call(value) === '[object Date]'
}

export function bigintReplacer(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value
}
