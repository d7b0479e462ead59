/**
 * Extract: read the raw order export (CSV) and write it as typed JSON records.
 *
 *   input  raw_orders  a folder with orders.csv
 *   output records     orders.json: every row, numbers parsed, nothing dropped yet
 *   env    CSV_DELIMITER (default ",")
 *
 * pipetest imports this module and calls main(); nothing runs at import time, so the same
 * file can be imported by tests or other tools without side effects.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'

// Columns that hold numbers. A value that does not parse stays a string, so the cleaning
// step can reject the row with a reason instead of this step guessing.
const NUMERIC = new Set(['quantity', 'unit_price'])

function parseValue(column, raw) {
  const value = raw.trim()
  if (!NUMERIC.has(column) || value === '') return value
  const number = Number(value)
  return Number.isFinite(number) ? number : value
}

export async function main({ inputPaths, outputPaths, environVars }) {
  const delimiter = environVars.CSV_DELIMITER ?? ','
  const text = await readFile(join(inputPaths.raw_orders, 'orders.csv'), 'utf8')
  // A plain split is enough for this export (no quoted fields); real CSV needs a parser.
  const [header, ...lines] = text.split(/\r?\n/).filter((line) => line.trim() !== '')
  const columns = header.split(delimiter).map((name) => name.trim())
  if (!columns.includes('order_id')) {
    throw new Error(
      `No order_id column in orders.csv (columns: ${columns.join(', ')}); is CSV_DELIMITER right?`,
    )
  }
  const records = lines.map((line) => {
    const cells = line.split(delimiter)
    return Object.fromEntries(
      columns.map((column, i) => [column, parseValue(column, cells[i] ?? '')]),
    )
  })

  await mkdir(outputPaths.records, { recursive: true })
  await writeFile(join(outputPaths.records, 'orders.json'), `${JSON.stringify(records, null, 2)}\n`)
  console.log(`Extracted ${records.length} orders`)
  return { orders: records.length }
}
