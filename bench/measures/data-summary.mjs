import { createWriteStream, statSync } from 'node:fs'
import { join } from 'node:path'
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'
import { makeProject } from '../lib/generators.mjs'
import { runOk } from '../lib/processes.mjs'
import { formatMb } from '../lib/table.mjs'

const LIMIT_BYTES = 200 * 1024 * 1024
const PROBE = fileURLToPath(new URL('../lib/summary-probe.mjs', import.meta.url))

/**
 * Measure 7 — summarising a large output. A CSV of `megabytes` MB (8 columns: integers,
 * floats, categories, timestamps, free text, some empty cells) is generated in a temporary
 * folder, then summarised (columns, types, nulls, distinct counts, min/max) by the data layer
 * in a fresh Node process: its peak RSS must stay well under 200 MB, whatever the file's size.
 * Baseline: the same process summarising a 1 MB file of the same shape.
 */
export async function measureDataSummary({ megabytes, log }) {
  const root = makeProject('data-summary')
  const big = join(root, 'big.csv')
  const small = join(root, 'small.csv')
  log(`  writing a ${megabytes} MB CSV…`)
  await writeCsv(big, megabytes * 1024 * 1024)
  await writeCsv(small, 1024 * 1024)
  const large = await probe(big)
  const baseline = await probe(small)
  const peak = large.vmHwmKb * 1024
  const throughput = statSync(big).size / 1e6 / large.seconds
  log(
    `  peak RSS ${formatMb(peak)} (1 MB file: ${formatMb(baseline.vmHwmKb * 1024)}); ${large.rows} rows in ${large.seconds.toFixed(1)} s (${throughput.toFixed(0)} MB/s)`,
  )
  return {
    rows: [
      {
        measure: `7. peak RSS, summarising a ${megabytes} MB CSV (${large.rows} rows)`,
        figure: formatMb(peak),
        baseline: `${formatMb(baseline.vmHwmKb * 1024)} for 1 MB`,
        ratio: peak / (baseline.vmHwmKb * 1024),
        target: '< 200 MB',
        met: peak < LIMIT_BYTES,
      },
    ],
    details: { megabytes, large, baseline, throughputMbPerSecond: throughput },
  }
}

async function probe(file) {
  const { stdout } = await runOk(process.execPath, [PROBE, file])
  return JSON.parse(stdout.trim().split('\n').at(-1))
}

const MERCHANTS = ['acme', 'bolt', 'cargo', 'delta', 'echo', 'fjord', 'gamma', 'helix']

/** A CSV of about `bytes` bytes, written in 1 MB chunks (deterministic content). */
async function writeCsv(path, bytes) {
  const out = createWriteStream(path)
  let written = 0
  let id = 0
  let seed = 42
  const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648
  const header = 'id,amount,merchant,ts,label,score,country,note\n'
  out.write(header)
  written += header.length
  while (written < bytes) {
    let chunk = ''
    while (chunk.length < 1024 * 1024) {
      id++
      const amount = id % 97 === 0 ? '' : (next() * 1000).toFixed(2)
      const day = String(1 + (id % 28)).padStart(2, '0')
      const note = id % 5 === 0 ? `"note, ${id}"` : `n${id % 1000}`
      chunk += `${id},${amount},${MERCHANTS[id % 8]},2025-01-${day}T10:${String(id % 60).padStart(2, '0')}:00,${id % 7 === 0 ? 1 : 0},${next().toFixed(6)},${id % 3 === 0 ? 'DE' : 'FR'},${note}\n`
    }
    written += chunk.length
    if (!out.write(chunk)) await once(out, 'drain')
  }
  out.end()
  await once(out, 'finish')
}
