/**
 * Child process of the data-summary measure: summarises one data file through pipetest's
 * data layer and prints, as JSON on its last stdout line, the summary's row count, the time
 * it took and this process's peak resident set (VmHWM). Its own process, so the peak is the
 * summary's and nothing else's.
 *
 *   node summary-probe.mjs <file>
 */
import { readFileSync } from 'node:fs'
import { performance } from 'node:perf_hooks'
import { loadPipetest } from './pipetest.mjs'

const [file] = process.argv.slice(2)
const pipetest = await loadPipetest()
const started = performance.now()
const summary = await pipetest.summarizeData(file)
const seconds = (performance.now() - started) / 1000
if (summary.kind !== 'table') throw new Error(`expected a table, got ${JSON.stringify(summary)}`)
const status = readFileSync('/proc/self/status', 'utf8')
const vmHwmKb = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1])
console.log(
  JSON.stringify({ vmHwmKb, seconds, rows: summary.rows, columns: summary.columns.length }),
)
