import { appendFileSync, existsSync, readdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { makeProject, REPO_ROOT, writePipeline } from '../lib/generators.mjs'
import { runOk } from '../lib/processes.mjs'
import { chain } from '../lib/shapes.mjs'
import { formatMs } from '../lib/table.mjs'
import { median, timed } from '../lib/timing.mjs'
import { calibrate } from './parallel.mjs'

const NO_CHANGE_TARGET = 0.2

/**
 * Measure 11 — the execution cache. A chain of five CPU-bound Python steps (~`stepMs` each),
 * all tiers through `pipetest run` (the CLI, a process of its own), with the cache on. Each
 * repetition: an empty cache and a first run (every script executes), then a second run with
 * nothing changed (no script executes), then a run after editing the leaf script (only it
 * executes). Figures: second run / first run (target ≤ 0.20) and one-change run / first run.
 * The executions of every run are counted by the steps' marker files, so a figure that came
 * from the wrong number of executions is an error, not a ratio.
 */
export async function measureExecutionCache({ python, repeat, stepMs, log }) {
  const iterations = await calibrate('python', python, stepMs)
  const root = makeProject('execution-cache')
  const markerDir = join(root, 'markers')
  const pipeline = writePipeline(root, chain(5), { iterations, markerDir })
  const leaf = pipeline.shape.nodes.at(-1)
  const cacheDir = join(root, pipeline.testDataDir, '.pipetest', 'cache')
  const markers = () => (existsSync(markerDir) ? readdirSync(markerDir).length : 0)
  const pipetestRun = async (expectedExecutions, label) => {
    const before = markers()
    const { ms } = await timed(() =>
      runOk(
        process.execPath,
        [join(REPO_ROOT, 'dist', 'cli.cjs'), 'run', pipeline.dagFile, '--python', python],
        // The bench turns the cache off for every other measure; this one is about it.
        { cwd: root, env: { ...process.env, NO_COLOR: '1', PIPETEST_CACHE: '1' } },
      ),
    )
    const executions = markers() - before
    if (executions !== expectedExecutions) {
      throw new Error(
        `${label}: expected ${expectedExecutions} executions, the steps left ${executions} markers`,
      )
    }
    return ms
  }
  const samples = { first: [], noChange: [], oneChange: [] }
  for (let i = 0; i <= repeat; i++) {
    rmSync(cacheDir, { recursive: true, force: true })
    const first = await pipetestRun(5, 'first run')
    const noChange = await pipetestRun(0, 'second run, nothing changed')
    appendFileSync(join(root, 'scripts', `${leaf}.py`), `\n# edit ${i}\n`)
    const oneChange = await pipetestRun(1, `run after editing ${leaf}`)
    // The first repetition warms the page cache and the compiled harness: not timed.
    if (i === 0) continue
    samples.first.push(first)
    samples.noChange.push(noChange)
    samples.oneChange.push(oneChange)
  }
  const first = median(samples.first)
  const noChange = median(samples.noChange)
  const oneChange = median(samples.oneChange)
  log(
    `  first ${formatMs(first)}, nothing changed ${formatMs(noChange)}, leaf edited ${formatMs(oneChange)}`,
  )
  const noChangeRatio = noChange / first
  return {
    rows: [
      {
        measure: '11. execution cache: second run, nothing changed (5 steps, all tiers)',
        figure: formatMs(noChange),
        baseline: `${formatMs(first)} first run`,
        ratio: noChangeRatio,
        target: `≤ ${NO_CHANGE_TARGET.toFixed(2)}`,
        met: noChangeRatio <= NO_CHANGE_TARGET,
      },
      {
        measure: '    context: after editing the leaf script (1 of 5 runs)',
        figure: formatMs(oneChange),
        baseline: `${formatMs(first)} first run`,
        ratio: oneChange / first,
        target: '—',
        met: null,
      },
    ],
    details: { iterations, stepMs, samples, first, noChange, oneChange },
  }
}
