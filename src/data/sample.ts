import { copyFileSync, mkdirSync, statSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { openDataset } from './dataset.js'
import { readJsonFile, readRows, type DataFile } from './readers.js'
import type { Cell } from './values.js'
import { bigintReplacer } from './values.js'

/** Files copied whole when no row-level sample can be written (Parquet, JSON documents). */
const COPY_LIMIT = 1024 * 1024

export interface SampleReport {
  /** Files written, relative to the sample folder. */
  files: string[]
  /** Files left out, with why. */
  skipped: string[]
}

/**
 * Writes the first `rows` rows of every data file at `source` under `target`, keeping the
 * folder layout (splits, shards), the format and gzip: a small, committed stand-in for an
 * upstream step's real output. JSON documents and Parquet files are copied whole up to 1 MB.
 */
export async function writeSample(
  source: string,
  target: string,
  rows: number,
): Promise<SampleReport> {
  const dataset = openDataset(source)
  if (dataset.kind === 'unreadable') return { files: [], skipped: [dataset.reason] }
  const report: SampleReport = { files: [], skipped: [] }
  for (const file of dataset.files) {
    const out = join(target, file.relative)
    mkdirSync(dirname(out), { recursive: true })
    const written = await sampleFile(file, out, rows)
    if (written === true) report.files.push(file.relative)
    else report.skipped.push(`${file.relative}: ${written}`)
  }
  return report
}

async function sampleFile(file: DataFile, out: string, rows: number): Promise<true | string> {
  if (file.format === 'parquet' || file.format === 'json') {
    if (file.format === 'json') {
      const content = await readJsonFile(file)
      if (content.kind === 'rows') {
        write(
          out,
          JSON.stringify(content.value.slice(0, rows), bigintReplacer, 2) + '\n',
          file.gzip,
        )
        return true
      }
    }
    const size = statSync(file.path).size
    if (size > COPY_LIMIT) return `${Math.round(size / 1e6)} MB is too large to copy as a sample`
    copyFileSync(file.path, out)
    return true
  }
  const lines: string[] = []
  const delimiter = file.format === 'tsv' ? '\t' : ','
  let header: string[] | undefined
  let taken = 0
  for await (const chunk of readRows(file)) {
    if (file.format !== 'jsonl' && header === undefined) {
      header = chunk.columns
      lines.push(delimited(header, delimiter))
    }
    for (const row of chunk.rows) {
      if (taken >= rows) break
      lines.push(
        file.format === 'jsonl'
          ? JSON.stringify(objectOf(chunk.columns, row), bigintReplacer)
          : delimited(
              row.map((cell) => String(cell ?? '')),
              delimiter,
            ),
      )
      taken++
    }
    if (taken >= rows) break
  }
  write(out, lines.join('\n') + '\n', file.gzip)
  return true
}

function objectOf(columns: string[], row: Cell[]): Record<string, Cell> {
  const object: Record<string, Cell> = {}
  columns.forEach((column, i) => {
    if (row[i] !== undefined) object[column] = row[i]
  })
  return object
}

/** One RFC 4180 line: fields with the delimiter, a quote or a line break are quoted. */
function delimited(fields: string[], delimiter: string): string {
  if (delimiter === '\t') return fields.join('\t')
  return fields
    .map((field) => (/[",\r\n]/.test(field) ? `"${field.replaceAll('"', '""')}"` : field))
    .join(delimiter)
}

function write(path: string, text: string, gzip: boolean): void {
  writeFileSync(path, gzip ? gzipSync(text) : text)
}
