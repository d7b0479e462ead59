#!/usr/bin/env node
/**
 * Count log lines per service and level, as CSV. A plain command-line program:
 *
 *   node count_by_service.mjs <dir with filtered.txt> <output .csv file>
 *
 * The spec declares the output as a file path (it has an extension), so pipetest creates its
 * folder and passes the file path itself.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

const [inputDir, outputFile] = process.argv.slice(2)
if (!inputDir || !outputFile) {
  console.error('usage: count_by_service.mjs <input dir> <output .csv>')
  process.exit(2)
}
const counts = new Map()
for (const line of readFileSync(join(inputDir, 'filtered.txt'), 'utf8').split('\n')) {
  const [, level, service] = line.split(' ')
  if (!service) continue
  const key = `${service},${level}`
  counts.set(key, (counts.get(key) ?? 0) + 1)
}
const rows = [...counts].sort(([a], [b]) => a.localeCompare(b)).map(([key, n]) => `${key},${n}`)
writeFileSync(outputFile, ['service,level,lines', ...rows, ''].join('\n'))
console.log(`counted ${rows.length} service/level pairs`)
