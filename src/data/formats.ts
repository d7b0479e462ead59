import { closeSync, openSync, readSync } from 'node:fs'
import { gunzipSync } from 'node:zlib'

/** The formats pipetest reads. Everything else is reported as unreadable, never guessed. */
export const dataFormats = ['csv', 'tsv', 'json', 'jsonl', 'parquet'] as const
export type DataFormat = (typeof dataFormats)[number]

const NAMES: Record<DataFormat, string> = {
  csv: 'CSV',
  tsv: 'TSV',
  json: 'JSON',
  jsonl: 'JSON Lines',
  parquet: 'Parquet',
}

/** `CSV`, `JSON Lines`, `gzipped CSV`: how reports name a format. */
export function formatName(format: DataFormat, gzip = false): string {
  return gzip ? `gzipped ${NAMES[format]}` : NAMES[format]
}

/** A file's format, or why it has none pipetest can read. */
export type FormatDetection =
  { format: DataFormat; gzip: boolean } | { format: undefined; gzip: boolean; reason: string }

const BY_EXTENSION: Record<string, DataFormat> = {
  csv: 'csv',
  tsv: 'tsv',
  tab: 'tsv',
  json: 'json',
  jsonl: 'jsonl',
  ndjson: 'jsonl',
  parquet: 'parquet',
  pq: 'parquet',
}

/** Names that say what a file is, so the report can say why it is not data. */
const KNOWN_OTHERS: Record<string, string> = {
  pkl: 'a Python pickle',
  pickle: 'a Python pickle',
  joblib: 'a joblib dump',
  bst: 'an XGBoost model',
  onnx: 'an ONNX model',
  pt: 'a PyTorch model',
  h5: 'an HDF5 file',
  hdf5: 'an HDF5 file',
  npy: 'a NumPy array',
  npz: 'a NumPy archive',
  zip: 'a zip archive',
  tar: 'a tar archive',
  tgz: 'a tar archive',
  avro: 'an Avro file',
  orc: 'an ORC file',
  feather: 'an Arrow/Feather file',
  arrow: 'an Arrow file',
  xlsx: 'an Excel workbook',
}

/** Bytes looked at to recognise a format by its content. */
const SNIFF_BYTES = 64 * 1024

/**
 * The format of one data file, from its name and its first bytes: `train.csv`, `part-0.csv.gz`,
 * `metrics.json`, `rows.jsonl`, `data.parquet`. A name without a known extension is recognised
 * by content (Parquet's `PAR1` magic, gzip, a JSON document or JSON lines, delimited text with
 * a consistent column count); a name and content that disagree are reported, not guessed.
 */
export function detectFormat(file: string): FormatDetection {
  const name = file.split(/[\\/]/).pop()!.toLowerCase()
  const parts = name.split('.')
  const gzipName = parts.length > 2 && parts.at(-1) === 'gz'
  const extension = gzipName ? parts.at(-2)! : parts.length > 1 ? parts.at(-1)! : ''
  const head = readHead(file)
  const gzipped = head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b
  const byName = BY_EXTENSION[extension]

  if (head.length >= 4 && head.toString('latin1', 0, 4) === 'PAR1') {
    if (byName !== undefined && byName !== 'parquet') {
      return unreadable(gzipped, `it is named .${extension} but holds Parquet data`)
    }
    return { format: 'parquet', gzip: false }
  }
  if (byName === 'parquet') return unreadable(gzipped, 'it is named .parquet but has no PAR1 magic')
  const text = gzipped ? gunzipHead(file) : head
  if (text === undefined) return unreadable(true, 'it is gzipped but cannot be decompressed')
  if (byName !== undefined) return { format: byName, gzip: gzipped }
  const other = KNOWN_OTHERS[extension] ?? (name.endsWith('.tar.gz') ? 'a tar archive' : undefined)
  if (other !== undefined) return unreadable(gzipped, `it is ${other}`)
  const sniffed = sniffText(text)
  if (sniffed !== undefined) return { format: sniffed, gzip: gzipped }
  return unreadable(
    gzipped,
    extension === ''
      ? 'it has no extension and its content is not CSV, TSV, JSON, JSON Lines or Parquet'
      : `.${extension} is not a data format pipetest reads (CSV, TSV, JSON, JSON Lines, Parquet, gzipped or not)`,
  )
}

function unreadable(gzip: boolean, reason: string): FormatDetection {
  return { format: undefined, gzip, reason }
}

function readHead(file: string): Buffer {
  const fd = openSync(file, 'r')
  try {
    const buffer = Buffer.alloc(SNIFF_BYTES)
    const read = readSync(fd, buffer, 0, SNIFF_BYTES, 0)
    return buffer.subarray(0, read)
  } finally {
    closeSync(fd)
  }
}

/** The start of a gzipped file, decompressed; a truncated stream still yields its start. */
function gunzipHead(file: string): Buffer | undefined {
  try {
    return gunzipSync(readHead(file), { finishFlush: 2 /* Z_SYNC_FLUSH */ }).subarray(
      0,
      SNIFF_BYTES,
    )
  } catch {
    return undefined
  }
}

/** Content sniffing for files without a telling extension. */
function sniffText(head: Buffer): DataFormat | undefined {
  if (head.includes(0)) return undefined // binary
  const text = head.toString('utf8')
  const trimmed = text.trimStart()
  const lines = text.split(/\r?\n/).filter((line) => line.trim() !== '')
  // The last line may be cut by the sniff window.
  const complete = text.length === SNIFF_BYTES ? lines.slice(0, -1) : lines
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    if (complete.length > 1 && complete.every(isJsonObjectLine)) return 'jsonl'
    return 'json'
  }
  if (complete.length < 2) return undefined
  for (const [format, delimiter] of [
    ['tsv', '\t'],
    ['csv', ','],
  ] as const) {
    const counts = complete.slice(0, 50).map((line) => fieldCount(line, delimiter))
    if (counts[0]! > 1 && counts.every((count) => count === counts[0])) return format
  }
  return undefined
}

function isJsonObjectLine(line: string): boolean {
  try {
    const value: unknown = JSON.parse(line)
    return typeof value === 'object' && value !== null && !Array.isArray(value)
  } catch {
    return false
  }
}

/** Fields of one delimited line, quotes respected (`"bolt, inc"` is one field). */
function fieldCount(line: string, delimiter: string): number {
  let count = 1
  let quoted = false
  for (const char of line) {
    if (char === '"') quoted = !quoted
    else if (char === delimiter && !quoted) count++
  }
  return count
}
