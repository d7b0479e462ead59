import { closeSync, openSync, readSync } from 'node:fs'
import { basename, extname } from 'node:path'
import { gunzipSync } from 'node:zlib'
import { isRecord } from '../files/json.js'
import { isFile, isTemporaryFile, statThrough, walkTree } from '../files/walk.js'

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

/**
 * What pipetest knows of a file extension: the format it reads it as; the name cursus'
 * `_detect_file_format` gives it, where that is not the extension (edge reports read the
 * same as cursus'); what a file it does not read is (so a report says why it is not data).
 */
const EXTENSIONS = new Map<string, { reads?: DataFormat; cursus?: string; is?: string }>(
  Object.entries({
    csv: { reads: 'csv' },
    tsv: { reads: 'tsv' },
    tab: { reads: 'tsv' },
    json: { reads: 'json' },
    jsonl: { reads: 'jsonl' },
    ndjson: { reads: 'jsonl' },
    parquet: { reads: 'parquet' },
    pq: { reads: 'parquet' },
    pkl: { cursus: 'pickle', is: 'a Python pickle' },
    pickle: { is: 'a Python pickle' },
    joblib: { is: 'a joblib dump' },
    bst: { cursus: 'xgboost_model', is: 'an XGBoost model' },
    onnx: { cursus: 'onnx_model', is: 'an ONNX model' },
    pt: { is: 'a PyTorch model' },
    h5: { cursus: 'hdf5', is: 'an HDF5 file' },
    hdf5: { is: 'an HDF5 file' },
    npy: { is: 'a NumPy array' },
    npz: { is: 'a NumPy archive' },
    zip: { cursus: 'compressed_archive', is: 'a zip archive' },
    tar: { is: 'a tar archive' },
    tgz: { cursus: 'compressed_archive', is: 'a tar archive' },
    avro: { is: 'an Avro file' },
    orc: { is: 'an ORC file' },
    feather: { is: 'an Arrow/Feather file' },
    arrow: { is: 'an Arrow file' },
    xlsx: { is: 'an Excel workbook' },
    txt: { cursus: 'text' },
    yml: { cursus: 'yaml' },
  } satisfies Record<string, { reads?: DataFormat; cursus?: string; is?: string }>),
)

/** cursus' name for the format of one file name (`train.csv` → `csv`, `model.tar.gz` → `compressed_archive`). */
export function fileFormat(name: string): string {
  if (/\.tar\.gz$/i.test(name)) return 'compressed_archive'
  const extension = extname(name).slice(1).toLowerCase()
  if (extension === '') return 'no_extension'
  return EXTENSIONS.get(extension)?.cursus ?? extension
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
  const byName = EXTENSIONS.get(extension)?.reads

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
  const other =
    EXTENSIONS.get(extension)?.is ?? (name.endsWith('.tar.gz') ? 'a tar archive' : undefined)
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
    return isRecord(value)
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

/** Files looked at: a sample is enough to name the format, and edges can carry big datasets. */
const SAMPLE_FILES = 1000

/**
 * The most common format among the data files under `paths` (files or folders, any depth),
 * or undefined when there are none. Ties go to the alphabetically first, for stable reports.
 * Symlinked files count, symlinked folders are not entered (the walk's policy, src/files/walk.ts).
 */
export function dominantFormat(paths: string[]): string | undefined {
  const counts = new Map<string, number>()
  let seen = 0
  const count = (path: string, name: string): void => {
    if (!isFile(path, 1)) return
    seen++
    const format = fileFormat(name)
    counts.set(format, (counts.get(format) ?? 0) + 1)
  }
  const skip = (name: string) => isTemporaryFile(name)
  for (const path of paths) {
    if (!statThrough(path)?.isDirectory()) count(path, basename(path))
    else
      for (const entry of walkTree(path, { skip })) {
        if (seen >= SAMPLE_FILES) break
        count(entry.path, entry.name)
      }
  }
  const ranked = [...counts].sort(([a, x], [b, y]) => y - x || (a < b ? -1 : 1))
  return ranked[0]?.[0]
}
