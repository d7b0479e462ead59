import { openDataset } from './dataset.js'
import { readJsonFile, readRows } from './readers.js'
import { summarizeDataset, type DataSummary, type SummaryOptions } from './summary.js'
import { typedCell, type Cell, type ColumnType } from './values.js'

/** A row as a test sees it: column → value (numbers as numbers, missing values as null). */
export type DataRow = Record<string, Cell>

/**
 * One output's data for a hand-written test: the summary, the rows as an async iterator
 * (files are streamed, so a large output is never held in memory), and `document` for a JSON
 * file that holds an object (metrics).
 */
export interface OutputData {
  kind: 'output-data'
  /** The step that wrote it, when read from a result. */
  node?: string
  name: string
  path: string
  summary: DataSummary
  /** Every row, file after file (shards and splits in name order). */
  rows(): AsyncGenerator<DataRow>
  /** The first `count` rows, as a list. */
  head(count?: number): Promise<DataRow[]>
  /** The parsed object of a JSON document output; undefined for tables. */
  document(): Promise<Record<string, unknown> | undefined>
}

/**
 * Opens the data at `path` (an output file or folder) for reading.
 *
 * @example
 * const data = await readData('processed_data', 'out/processed_data')
 * for await (const row of data.rows()) expect(row.amount).toBeGreaterThanOrEqual(0)
 */
export async function readData(
  name: string,
  path: string,
  options: SummaryOptions & { node?: string } = {},
): Promise<OutputData> {
  const dataset = openDataset(path, options.file)
  const summary = await summarizeDataset(dataset, options)
  const types = new Map<string, ColumnType | undefined>(
    summary.kind === 'table' ? summary.columns.map((c) => [c.name, c.type ?? undefined]) : [],
  )
  async function* rows(): AsyncGenerator<DataRow> {
    if (dataset.kind === 'unreadable' || summary.kind !== 'table') return
    for (const file of dataset.files) {
      for await (const chunk of readRows(file)) {
        const kinds = chunk.columns.map((column) => types.get(column))
        for (const cells of chunk.rows) {
          const row: DataRow = {}
          chunk.columns.forEach(
            (column, i) => (row[column] = typedCell(cells[i], kinds[i], chunk.text === true)),
          )
          yield row
        }
      }
    }
  }
  return {
    kind: 'output-data',
    ...(options.node !== undefined ? { node: options.node } : {}),
    name,
    path,
    summary,
    rows,
    async head(count = 10) {
      const found: DataRow[] = []
      if (count <= 0) return found
      for await (const row of rows()) {
        found.push(row)
        if (found.length >= count) break
      }
      return found
    },
    async document() {
      if (dataset.kind === 'unreadable' || summary.kind !== 'document') return undefined
      const content = await readJsonFile(dataset.files[0]!)
      return content.kind === 'document' ? content.value : undefined
    },
  }
}
