import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { makeProject, writePipeline } from '../lib/generators.mjs'
import { runOk } from '../lib/processes.mjs'
import { wide } from '../lib/shapes.mjs'
import { formatMb } from '../lib/table.mjs'

const LIMIT_BYTES = 150 * 1024 * 1024
const PROBE = fileURLToPath(new URL('../lib/memory-probe.mjs', import.meta.url))
const GNU_TIME = '/usr/bin/time'

/**
 * Measure 6 — memory. A script writing `megabytes` MB to stdout and as much to stderr, run
 * through pipetest in a fresh Node process: that process's peak RSS (VmHWM from /proc; GNU
 * time's maximum RSS as a cross-check when installed) must stay under 150 MB, and the saved
 * logs must hold every byte. Baseline: the same process running a script that prints nothing.
 */
export async function measureMemory({ megabytes, log }) {
  const loud = await probe(megabytes)
  const quiet = await probe(0)
  const expected = megabytes * 1024 * 1024
  // The logs may carry a few lines of the harness's own besides the script's output.
  const complete = (bytes) => bytes !== null && bytes >= expected && bytes < expected + 64 * 1024
  const logsComplete = complete(loud.stdoutBytes) && complete(loud.stderrBytes)
  const peak = Math.max(loud.vmHwmKb, loud.gnuTimeMaxRssKb ?? 0) * 1024
  log(
    `  peak RSS ${formatMb(peak)} (idle ${formatMb(quiet.vmHwmKb * 1024)}); logs ${loud.stdoutBytes} + ${loud.stderrBytes} bytes of ${expected} each`,
  )
  return {
    rows: [
      {
        measure: `6. peak RSS, script printing ${megabytes} MB to stdout and to stderr`,
        figure: `${formatMb(peak)}, logs ${logsComplete ? 'complete' : 'INCOMPLETE'}`,
        baseline: `${formatMb(quiet.vmHwmKb * 1024)} silent script`,
        ratio: peak / (quiet.vmHwmKb * 1024),
        target: '< 150 MB, full logs',
        met: peak < LIMIT_BYTES && logsComplete,
      },
    ],
    details: {
      megabytesPerStream: megabytes,
      expectedBytesPerStream: expected,
      loud,
      quiet,
      logsComplete,
    },
  }
}

async function probe(megabytes) {
  const root = makeProject(`memory-${megabytes}`)
  const pipeline = writePipeline(root, wide(1), { loudMegabytes: megabytes })
  const args = [PROBE, root, pipeline.testDataDir, pipeline.shape.nodes[0]]
  const useTime = existsSync(GNU_TIME)
  const { stdout, stderr } = useTime
    ? await runOk(GNU_TIME, ['-v', process.execPath, ...args])
    : await runOk(process.execPath, args)
  const report = JSON.parse(stdout.trim().split('\n').at(-1))
  const maxRss = useTime
    ? /Maximum resident set size \(kbytes\): (\d+)/.exec(stderr)?.[1]
    : undefined
  return { ...report, gnuTimeMaxRssKb: maxRss ? Number(maxRss) : null }
}
