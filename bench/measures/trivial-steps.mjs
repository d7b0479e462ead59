import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { makeProject, writePipeline } from '../lib/generators.mjs'
import { SHELL_PYTHON_LAUNCHER } from '../lib/launchers.mjs'
import { assertAllPassed, buildPipelineSpec } from '../lib/pipetest.mjs'
import { runOk } from '../lib/processes.mjs'
import { wide } from '../lib/shapes.mjs'
import { formatMs } from '../lib/table.mjs'
import { compareInterleaved } from '../lib/timing.mjs'

const TARGETS = { 1: 1.0, 2: 1.1 }

/**
 * Measure 8 — trivial steps. `count` independent Python steps whose `main` does nothing but
 * check its input and write its output, i.e. what pipetest itself costs per execution: the
 * script tier through one PipelineRun at concurrency 1 and 2, vs. what a person would type
 * in a shell — a loop (concurrency 1) or `xargs -P2` (concurrency 2) over a minimal
 * launcher (`python -c …` importing the script and calling `main`), with the resolved
 * interpreter. Each launcher runs in a session of its own (`setsid`), as pipetest's scripts
 * do: with autogroup scheduling, children sharing one session would share one CPU share.
 */
export async function measureTrivialSteps({ pipetest, python, repeat, count, log }) {
  const pipeline = writePipeline(makeProject('trivial'), wide(count), { runner: 'python' })
  const spec = buildPipelineSpec(pipetest, pipeline)
  const jobs = join(pipeline.root, 'jobs.txt')
  let serial = 0
  const writeJobs = () => {
    const outRoot = join(pipeline.root, 'by-hand', String(serial++))
    const lines = pipeline.shape.nodes.map((node) =>
      [
        join(pipeline.root, 'scripts', `${node}.py`),
        join(pipeline.root, pipeline.specs[node].inputPaths.data),
        join(outRoot, node),
      ].join(' '),
    )
    writeFileSync(jobs, `${lines.join('\n')}\n`)
  }
  const throughPipetest = (concurrency) => async () => {
    const run = new pipetest.PipelineRun(spec, { concurrency })
    const { scripts } = await run.runTiers({ scripts: true })
    await run.close()
    assertAllPassed(`trivial steps (concurrency ${concurrency})`, Object.values(scripts))
    if (run.executionCount !== count) {
      throw new Error(`expected ${count} executions, pipetest ran ${run.executionCount}`)
    }
  }
  // The job list is written before the clock starts (the project has no spaces in its path).
  const shell = (script) => async () => {
    writeJobs()
    await runOk('sh', ['-c', script, 'sh', python, SHELL_PYTHON_LAUNCHER, jobs], {
      cwd: pipeline.root,
      detached: true,
    })
  }
  const variants = {
    pipetest1: throughPipetest(1),
    loop: shell('while read s i o; do setsid "$1" -c "$2" "$s" "$i" "$o" || exit 1; done < "$3"'),
    pipetest2: throughPipetest(2),
    xargs: shell('xargs -P2 -L1 setsid "$1" -c "$2" < "$3"'),
  }
  // One untimed round: module loading and the interpreter resolution are paid once per run.
  for (const variant of Object.values(variants)) await variant()
  const timings = await compareInterleaved(variants, repeat)
  const rows = []
  const details = { steps: count }
  for (const [concurrency, baseline, label] of [
    [1, 'loop', 'shell loop'],
    [2, 'xargs', '`xargs -P2`'],
  ]) {
    const figure = timings[`pipetest${concurrency}`].median
    const reference = timings[baseline].median
    const ratio = figure / reference
    log(
      `  concurrency ${concurrency}: pipetest ${formatMs(figure)}, ${label} ${formatMs(reference)}`,
    )
    rows.push({
      measure: `8. ${count} trivial Python steps, concurrency ${concurrency}`,
      figure: formatMs(figure),
      baseline: `${formatMs(reference)} ${label} of a launcher`,
      ratio,
      target: `≤ ${TARGETS[concurrency]}×`,
      met: ratio <= TARGETS[concurrency],
    })
    details[`concurrency${concurrency}`] = { ratio, pipetestMs: figure, baselineMs: reference }
  }
  details.samplesMs = Object.fromEntries(
    Object.entries(timings).map(([name, t]) => [name, t.samples]),
  )
  return { rows, details }
}
