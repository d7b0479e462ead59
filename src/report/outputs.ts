import { closeSync, openSync, readdirSync, readSync, statSync } from 'node:fs'
import { extname, join, relative, sep } from 'node:path'
import { isTemporaryFile } from '../engine/outputs.js'
import type { ExecutionResult, OutputReport } from '../engine/results.js'

/**
 * What a report shows of one output: its files with sizes and a preview of the data — for
 * tabular files the column summary and the first rows, for small text files (metrics JSON)
 * the text. Previews are read when the report is written, from the run folder.
 */
export interface OutputView {
  name: string
  path: string
  produced: boolean
  kind: OutputReport['kind']
  fileCount: number
  bytes: number
  /** Data files, relative to the output path (the first MAX_FILES of them). */
  files: Array<{ path: string; bytes: number }>
  preview: DataPreview | null
}

export type DataPreview = TablePreview | TextPreview

export interface TablePreview {
  kind: 'table'
  /** The file previewed, relative to the output path. */
  file: string
  format: string
  columns: ColumnSummary[]
  rows: string[][]
  /** Rows read to compute the summary (the first rows of the file). */
  rowsRead: number
  /** False when the file has more rows than were read. */
  complete: boolean
}

export interface ColumnSummary {
  name: string
  type: 'integer' | 'number' | 'boolean' | 'string' | 'empty'
  nulls: number
  distinct: number
  min: string | null
  max: string | null
}

export interface TextPreview {
  kind: 'text'
  file: string
  format: string
  text: string
  truncated: boolean
}

/** Reads what the report shows of an execution's outputs. */
export type OutputPreviewer = (execution: ExecutionResult) => OutputView[]

export const MAX_FILES = 50
/** Bytes read from a file for its preview: enough for a summary of the first rows. */
const PREVIEW_BYTES = 256 * 1024
const TEXT_BYTES = 4 * 1024
const PREVIEW_ROWS = 10
const TEXT_FORMATS = new Set(['.json', '.txt', '.yaml', '.yml', '.md', '.log'])

export const previewOutputs: OutputPreviewer = (execution) =>
  execution.outputs.map((output) => {
    const files = output.kind === 'missing' ? [] : listFiles(output)
    return {
      name: output.name,
      path: output.path,
      produced: output.produced,
      kind: output.kind,
      fileCount: output.files,
      bytes: output.bytes,
      files,
      preview: previewOf(output, files),
    }
  })

function listFiles(output: OutputReport): Array<{ path: string; bytes: number }> {
  if (output.kind === 'file') return [{ path: '', bytes: output.bytes }]
  const files: Array<{ path: string; bytes: number }> = []
  const pending = [output.path]
  while (pending.length > 0 && files.length < MAX_FILES) {
    const dir = pending.shift() as string
    let entries
    try {
      entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) =>
        a.name.localeCompare(b.name),
      )
    } catch {
      continue
    }
    for (const entry of entries) {
      const full = dir + sep + entry.name
      if (entry.isDirectory()) {
        if (!entry.name.startsWith('.') && entry.name !== '__pycache__') pending.push(full)
      } else if (entry.isFile() && !isTemporaryFile(entry.name) && files.length < MAX_FILES) {
        files.push({ path: relative(output.path, full), bytes: statSync(full).size })
      }
    }
  }
  return files
}

function previewOf(
  output: OutputReport,
  files: Array<{ path: string; bytes: number }>,
): DataPreview | null {
  const tabular = files.find((file) => delimiterOf(output, file.path) !== undefined)
  const chosen = tabular ?? files.find((file) => TEXT_FORMATS.has(extensionOf(output, file.path)))
  if (!chosen || chosen.bytes === 0) return null
  const path = chosen.path === '' ? output.path : join(output.path, chosen.path)
  try {
    const delimiter = delimiterOf(output, chosen.path)
    return delimiter === undefined
      ? textPreview(path, chosen.path, extensionOf(output, chosen.path))
      : tablePreview(path, chosen.path, delimiter)
  } catch {
    // A file that vanished or cannot be read has no preview; its size is still listed.
    return null
  }
}

function extensionOf(output: OutputReport, file: string): string {
  return extname(file === '' ? output.path : file).toLowerCase()
}

function delimiterOf(output: OutputReport, file: string): string | undefined {
  const extension = extensionOf(output, file)
  return extension === '.csv' ? ',' : extension === '.tsv' ? '\t' : undefined
}

function readHead(path: string, bytes: number): { text: string; complete: boolean } {
  const fd = openSync(path, 'r')
  try {
    const buffer = Buffer.alloc(bytes + 1)
    const read = readSync(fd, buffer, 0, bytes + 1, 0)
    return {
      text: buffer.subarray(0, Math.min(read, bytes)).toString('utf8'),
      complete: read <= bytes,
    }
  } finally {
    closeSync(fd)
  }
}

function textPreview(path: string, file: string, extension: string): TextPreview {
  const { text, complete } = readHead(path, TEXT_BYTES)
  return { kind: 'text', file, format: extension.slice(1), text, truncated: !complete }
}

function tablePreview(path: string, file: string, delimiter: string): TablePreview {
  const { text, complete } = readHead(path, PREVIEW_BYTES)
  const lines = text.split(/\r?\n/)
  // The last line of a partial read may be cut in the middle.
  if (!complete) lines.pop()
  const records = lines.filter((line) => line !== '').map((line) => splitRecord(line, delimiter))
  const header = records.shift() ?? []
  return {
    kind: 'table',
    file,
    format: delimiter === ',' ? 'csv' : 'tsv',
    columns: header.map((name, index) =>
      summarise(
        name,
        records.map((row) => row[index] ?? ''),
      ),
    ),
    rows: records.slice(0, PREVIEW_ROWS),
    rowsRead: records.length,
    complete,
  }
}

/** One delimited line, with RFC 4180 quotes (a quoted field may hold the delimiter). */
function splitRecord(line: string, delimiter: string): string[] {
  const fields: string[] = []
  let field = ''
  let quoted = false
  for (let i = 0; i < line.length; i++) {
    const char = line[i]
    if (quoted) {
      if (char === '"' && line[i + 1] === '"') {
        field += '"'
        i++
      } else if (char === '"') quoted = false
      else field += char
    } else if (char === '"' && field === '') quoted = true
    else if (char === delimiter) {
      fields.push(field)
      field = ''
    } else field += char
  }
  fields.push(field)
  return fields
}

const NULLS = new Set(['', 'na', 'nan', 'null', 'none'])

function summarise(name: string, values: string[]): ColumnSummary {
  const present = values.filter((value) => !NULLS.has(value.trim().toLowerCase()))
  const type: ColumnSummary['type'] =
    present.length === 0
      ? 'empty'
      : present.every((value) => /^[+-]?\d+$/.test(value.trim()))
        ? 'integer'
        : present.every((value) => value.trim() !== '' && Number.isFinite(Number(value)))
          ? 'number'
          : present.every((value) => /^(true|false)$/i.test(value.trim()))
            ? 'boolean'
            : 'string'
  const numeric = type === 'integer' || type === 'number'
  const sorted = numeric ? [...present].sort((a, b) => Number(a) - Number(b)) : [...present].sort()
  return {
    name,
    type,
    nulls: values.length - present.length,
    distinct: new Set(present).size,
    min: sorted[0] ?? null,
    max: sorted[sorted.length - 1] ?? null,
  }
}
