#!/usr/bin/env node
/**
 * `npm run bench` (= `npm run build && node bench/run.mjs`): the six measures of pipetest's
 * performance targets, each against a baseline timed in the same run, medians of several
 * repetitions. Prints a table and its Markdown form, writes bench/results/latest.json.
 *
 *   node bench/run.mjs [--quick] [--only 1,4]      BENCH_REPEAT=N to change the repetitions
 *
 * See bench/README.md for what each figure means.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { availableParallelism, cpus, loadavg, platform, release, totalmem } from 'node:os'
import { parseArgs } from 'node:util'
import { removeProjects, REPO_ROOT } from './lib/generators.mjs'
import { cpuSnapshot, othersShare } from './lib/machine-load.mjs'
import { loadPipetest } from './lib/pipetest.mjs'
import { resolveRealPython, runOk } from './lib/processes.mjs'
import { markdownTable, textTable } from './lib/table.mjs'
import { nowMs } from './lib/timing.mjs'
import { measureAdapters } from './measures/adapters.mjs'
import { measureCriticalPath } from './measures/critical-path.mjs'
import { measureDataSummary } from './measures/data-summary.mjs'
import { measureExecutionCache } from './measures/execution-cache.mjs'
import { measureMemory } from './measures/memory.mjs'
import { measureParallel } from './measures/parallel.mjs'
import { measureRealWorkload } from './measures/real-workload.mjs'
import { measureRunnerOverhead } from './measures/runner-overhead.mjs'
import { measureScale } from './measures/scale.mjs'
import { measureTrivialSteps } from './measures/trivial-steps.mjs'
import { measureWastedWork } from './measures/wasted-work.mjs'

const { values: flags } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    keep: { type: 'boolean', default: false },
  },
})

const repeat = Number(process.env.BENCH_REPEAT ?? (flags.quick ? 3 : 5))
if (!Number.isInteger(repeat) || repeat < 1) {
  console.error(`BENCH_REPEAT must be a positive integer, got ${process.env.BENCH_REPEAT}`)
  process.exit(2)
}
// Measure 2, whose single repetition takes tens of seconds, uses fewer repetitions so that the
// default bench stays under five minutes on two cores.
const heavyRepeat = Math.max(1, Math.ceil(repeat * 0.6))
const settings = {
  repeat,
  heavyRepeat,
  executions: flags.quick ? 5 : 10,
  stepMs: flags.quick ? 100 : 200,
  wideCount: 32,
  sizes: flags.quick ? [50, 500] : [50, 100, 200, 500],
  megabytes: 200,
  dataMegabytes: flags.quick ? 256 : 1024,
  trivialSteps: flags.quick ? 40 : 80,
}

// Every measure times executions, so none may be restored from the execution cache: off here
// and in every process the bench starts (Vitest, Jest, the CLI inherit the environment) —
// except measure 11, which is about the cache and turns it on for its own runs, and measure
// 10's context row of a first run with an empty cache.
process.env.PIPETEST_CACHE = '0'

const log = (line) => process.stderr.write(`${line}\n`)
const percent = (share) => `${(share * 100).toFixed(0)}%`
// Above this share of the CPU taken by others, the run's figures are flagged as noisy.
const NOISY_SHARE = 0.1
const pipetest = await loadPipetest()
const python = await resolveRealPython('python3')
const pythonVersion = (await runOk(python, ['--version'])).stdout.trim()

const measures = [
  [
    '1',
    'runner overhead',
    () => measureRunnerOverhead({ pipetest, python, repeat, executions: settings.executions, log }),
  ],
  [
    '2',
    'parallel scheduling',
    () =>
      measureParallel({
        pipetest,
        python,
        repeat: heavyRepeat,
        stepMs: settings.stepMs,
        wideCount: settings.wideCount,
        log,
      }),
  ],
  ['3', 'no wasted work', () => measureWastedWork({ pipetest, log })],
  ['4', 'adapter overhead', () => measureAdapters({ repeat, log })],
  ['5', 'scale', () => measureScale({ pipetest, repeat, sizes: settings.sizes, log })],
  ['6', 'memory', () => measureMemory({ megabytes: settings.megabytes, log })],
  [
    '7',
    'data summary memory',
    () => measureDataSummary({ megabytes: settings.dataMegabytes, log }),
  ],
  [
    '8',
    'trivial steps',
    () => measureTrivialSteps({ pipetest, python, repeat, count: settings.trivialSteps, log }),
  ],
  [
    '9',
    'critical path',
    () =>
      measureCriticalPath({
        pipetest,
        python,
        repeat: heavyRepeat,
        length: 8,
        stepMs: settings.stepMs,
        log,
      }),
  ],
  ['10', 'real workload', () => measureRealWorkload({ pipetest, repeat, log })],
  [
    '11',
    'execution cache',
    () => measureExecutionCache({ python, repeat, stepMs: settings.stepMs, log }),
  ],
]
const selected = flags.only ? new Set(flags.only.split(',').map((id) => id.trim())) : null

const machine = {
  cpu: cpus()[0]?.model ?? 'unknown',
  cores: availableParallelism(),
  memoryGb: Math.round(totalmem() / 2 ** 30),
  os: `${platform()} ${release()}`,
  node: process.version,
  python: `${pythonVersion} (${python}; python3 on PATH resolves to it)`,
  loadAverageAtStart: loadavg().map((value) => Number(value.toFixed(2))),
}
log(
  `pipetest bench — ${machine.cores} cores, ${machine.cpu}, Node ${machine.node}, ${pythonVersion}`,
)
log(`repetitions: ${repeat} (measure 2: ${heavyRepeat})${flags.quick ? ', quick' : ''}`)

const rows = []
const results = {}
let errors = 0
const started = nowMs()
for (const [id, title, measure] of measures) {
  if (selected && !selected.has(id)) continue
  log(`\n[${id}] ${title}`)
  const measureStart = nowMs()
  const cpuBefore = cpuSnapshot()
  const finished = () => {
    const share = othersShare(cpuBefore, cpuSnapshot())
    if (share !== null) log(`  (other processes used ${percent(share)} of the CPU meanwhile)`)
    return { seconds: (nowMs() - measureStart) / 1000, othersCpuShare: share }
  }
  try {
    const { rows: measureRows, details } = await measure()
    // A measure may report a part it could not run as an `error` row and go on with the rest.
    if (measureRows.some((row) => row.figure === 'error')) errors++
    rows.push(...measureRows)
    results[id] = { title, rows: measureRows, details, ...finished() }
  } catch (error) {
    errors++
    const message = error instanceof Error ? error.message : String(error)
    log(`  failed: ${message}`)
    rows.push({
      measure: `${id}. ${title}`,
      figure: 'error',
      baseline: '—',
      ratio: null,
      target: '—',
      met: false,
    })
    results[id] = { title, error: message, ...finished() }
  }
}
machine.loadAverageAtEnd = loadavg().map((value) => Number(value.toFixed(2)))
const totalSeconds = (nowMs() - started) / 1000

const report = {
  date: new Date().toISOString(),
  machine,
  settings: { ...settings, quick: flags.quick },
  totalSeconds,
  rows,
  measures: results,
}
mkdirSync(`${REPO_ROOT}/bench/results`, { recursive: true })
writeFileSync(`${REPO_ROOT}/bench/results/latest.json`, `${JSON.stringify(report, null, 2)}\n`)
if (!flags.keep) removeProjects()

console.log(`\n${textTable(rows)}\n`)
console.log(
  `Machine: ${machine.cores} cores (${machine.cpu}), ${machine.memoryGb} GB, ${machine.os}, Node ${machine.node}, ${pythonVersion}. ` +
    `Load average ${machine.loadAverageAtStart.join('/')} at start, ${machine.loadAverageAtEnd.join('/')} at end. ` +
    `${repeat} repetitions (${heavyRepeat} for measure 2), medians; ${totalSeconds.toFixed(0)} s.\n`,
)
const shares = Object.entries(results).filter(([, result]) => result.othersCpuShare !== null)
if (shares.length > 0) {
  const [noisiest, worst] = shares.reduce((a, b) =>
    b[1].othersCpuShare > a[1].othersCpuShare ? b : a,
  )
  const share = worst.othersCpuShare
  console.log(
    `Other processes used up to ${percent(share)} of the machine's CPU during a measure (measure ${noisiest}).` +
      (share > NOISY_SHARE
        ? ' That is enough to inflate the figures, measure 2 most (its ideal assumes every core' +
          ' is ours; the by-hand context rows suffer alike); rerun on a quieter machine for' +
          ' figures to publish.'
        : '') +
      '\n',
  )
}
console.log(markdownTable(rows))
console.log(`\nFull figures and samples: bench/results/latest.json`)
process.exitCode = errors > 0 ? 1 : 0
