import { relative } from 'node:path'
import { readData, type DataRow, type DataSummary } from '../data/index.js'
import type { ExecutionResult, OutputReport } from '../engine/results.js'
import { isTemporaryFile, MAX_WALK_ENTRIES, statThrough, walkTree } from '../files/walk.js'

/**
 * What a report shows of one output: its files with sizes and what the data layer reads in
 * it — for tables the column summary (types, nulls, distinct, min/max, row count) and the
 * first rows, for a JSON document (metrics) its keys. Read when the report is written, from
 * the run folder.
 */
export type OutputView = Awaited<ReturnType<typeof previewOutput>>

/** Reads what the report shows of an execution's outputs. */
export type OutputPreviewer = (execution: ExecutionResult) => Promise<OutputView[]>

export const MAX_FILES = 50
export const PREVIEW_ROWS = 10

export const previewOutputs: OutputPreviewer = (execution) =>
  Promise.all(execution.outputs.map(previewOutput))

async function previewOutput(output: OutputReport) {
  // Data files, relative to the output path (the first MAX_FILES of them).
  const files = output.kind === 'missing' ? [] : listFiles(output)
  // The data layer's summary (null when nothing was written), the first rows of a table.
  let data: DataSummary | null = null
  let rows: DataRow[] = []
  if (output.produced) {
    try {
      const read = await readData(output.name, output.path)
      data = read.summary
      if (data.kind === 'table') rows = await read.head(PREVIEW_ROWS)
    } catch (error) {
      // The data layer reports bad data as `unreadable`; anything else (a file removed since)
      // costs this preview, never the report.
      data = {
        kind: 'unreadable',
        path: output.path,
        reason: error instanceof Error ? error.message : String(error),
      }
    }
  }
  return {
    name: output.name,
    path: output.path,
    produced: output.produced,
    kind: output.kind,
    fileCount: output.files,
    bytes: output.bytes,
    files,
    data,
    rows,
  }
}

function listFiles(output: OutputReport): Array<{ path: string; bytes: number }> {
  if (output.kind === 'file') return [{ path: '', bytes: output.bytes }]
  const files: Array<{ path: string; bytes: number }> = []
  const skip = (name: string) => name.startsWith('.') || name === '__pycache__'
  for (const entry of walkTree(output.path, { skip, maxEntries: MAX_WALK_ENTRIES })) {
    if (entry.kind !== 'file' || isTemporaryFile(entry.name)) continue
    files.push({
      path: relative(output.path, entry.path),
      bytes: statThrough(entry.path)?.size ?? 0,
    })
    if (files.length === MAX_FILES) break
  }
  return files
}
