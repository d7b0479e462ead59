import { join } from 'node:path'
import { makeProject, writePipeline } from '../lib/generators.mjs'
import { launchByHand } from '../lib/launchers.mjs'
import { assertAllPassed, buildPipelineSpec } from '../lib/pipetest.mjs'
import { wide } from '../lib/shapes.mjs'
import { formatMs } from '../lib/table.mjs'
import { compareInterleaved } from '../lib/timing.mjs'

const TARGET = 1.15

/**
 * Measure 1 — runner overhead. `executions` sequential executions of a trivial `main()`
 * (as many independent nodes, one script each) through pipetest — one PipelineRun at
 * concurrency 1 running the script tier, so the figure includes the run folder, input
 * hashing, the harness, log files, output discovery and closing the run — vs. the same
 * scripts one after another through the hand-written launcher with the interpreter already
 * resolved. pipetest is given the default `python3` — a pyenv shim here — so the ratio only
 * stays low if the runner resolves the shim once per process; the shim launcher is reported
 * for context (what every execution would cost without that resolution).
 */
export async function measureRunnerOverhead({ pipetest, python, repeat, executions, log }) {
  const rows = []
  const details = {}
  for (const runner of ['python', 'node']) {
    const pipeline = writePipeline(makeProject(`overhead-${runner}`), wide(executions), { runner })
    const spec = buildPipelineSpec(pipetest, pipeline)
    const extension = runner === 'node' ? 'mjs' : 'py'
    let serial = 0

    const throughPipetest = async () => {
      const run = new pipetest.PipelineRun(spec, { concurrency: 1 })
      const { scripts } = await run.runTiers({ scripts: true })
      await run.close()
      assertAllPassed(`runner overhead (${runner})`, Object.values(scripts))
      if (run.executionCount !== executions) {
        throw new Error(`expected ${executions} executions, pipetest ran ${run.executionCount}`)
      }
    }
    const byHand = (interpreter) => async () => {
      for (const node of pipeline.shape.nodes) {
        await launchByHand({
          runner,
          python: interpreter,
          scriptPath: join(pipeline.root, 'scripts', `${node}.${extension}`),
          cwd: pipeline.root,
          inputPaths: { data: join(pipeline.root, pipeline.specs[node].inputPaths.data) },
          outputRoot: join(pipeline.root, 'baseline', String(serial++)),
          jobArgs: { iterations: 0 },
        })
      }
    }
    const variants = { pipetest: throughPipetest, launcher: byHand(python) }
    if (runner === 'python') variants.shimLauncher = byHand('python3')

    // One untimed round: the first execution pays for module loading and the one-off
    // interpreter resolution, which a test run pays once, not per script.
    for (const variant of Object.values(variants)) await variant()
    const timings = await compareInterleaved(variants, repeat)
    const perExecution = (name) => timings[name].median / executions
    const ratio = perExecution('pipetest') / perExecution('launcher')
    log(
      `  ${runner}: pipetest ${formatMs(perExecution('pipetest'))}, launcher ${formatMs(perExecution('launcher'))} per execution`,
    )
    rows.push({
      measure: `1. runner overhead, ${runner} (per execution)`,
      figure: formatMs(perExecution('pipetest')),
      baseline: `${formatMs(perExecution('launcher'))} hand-written launcher`,
      ratio,
      target: `≤ ${TARGET}×`,
      met: ratio <= TARGET,
    })
    if (variants.shimLauncher) {
      rows.push({
        measure: '1. (context) same launcher through the python3 shim',
        figure: formatMs(perExecution('pipetest')),
        baseline: `${formatMs(perExecution('shimLauncher'))} shim launcher`,
        ratio: perExecution('pipetest') / perExecution('shimLauncher'),
        target: 'context',
        met: null,
      })
    }
    details[runner] = {
      executionsPerSample: executions,
      perExecutionMs: Object.fromEntries(
        Object.keys(variants).map((name) => [name, perExecution(name)]),
      ),
      samplesMs: Object.fromEntries(Object.entries(timings).map(([name, t]) => [name, t.samples])),
      ratio,
    }
  }
  return { rows, details }
}
