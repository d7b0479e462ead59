import { mkdirSync, readdirSync, readFileSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import { join } from 'node:path'
import { makeProject, writePipeline } from '../lib/generators.mjs'
import { launchByHand } from '../lib/launchers.mjs'
import { assertAllPassed, buildPipelineSpec } from '../lib/pipetest.mjs'
import { idealSchedule, runFlowByHand } from '../lib/pool.mjs'
import { lattice, wide } from '../lib/shapes.mjs'
import { formatMs } from '../lib/table.mjs'
import { median, timed } from '../lib/timing.mjs'

const TARGET = 1.2

/**
 * Measure 2 — parallel scheduling. The flow of a wide DAG and of an 8 × 8 lattice of
 * CPU-bound steps through `PipelineRun.testFlow()` at pipetest's default concurrency, vs.
 * the ideal schedule: max(total CPU work / cores, critical path).
 *
 * The work is measured in the same bench run, on the same steps: the first repetitions first run
 * the DAG by hand (hand-written launcher, a plain ready-queue `cores` wide), whose steps
 * report the CPU time of their process (interpreter start-up included — it is work the
 * pipeline needs whatever runs it). That hand-run's wall time is reported too, as context:
 * on a loaded machine neither it nor pipetest can reach the ideal, and pipetest / by-hand
 * then shows what is pipetest's own.
 */
export async function measureParallel({ pipetest, python, repeat, stepMs, wideCount, log }) {
  const cores = availableParallelism()
  const cases = [
    { shape: wide(wideCount), runner: 'python' },
    { shape: lattice(8, 8), runner: 'python' },
    { shape: wide(wideCount), runner: 'node' },
  ]
  const iterations = {
    python: await calibrate('python', python, stepMs),
    node: await calibrate('node', python, stepMs),
  }
  log(
    `  calibrated: ${iterations.python} Python / ${iterations.node} Node loop turns ≈ ${stepMs} ms`,
  )

  const rows = []
  const details = { cores, iterations, cases: [] }
  for (const { shape, runner } of cases) {
    const pipeline = writePipeline(makeProject(`parallel-${shape.name}`), shape, {
      runner,
      iterations: iterations[runner],
    })
    const spec = buildPipelineSpec(pipetest, pipeline)
    const samples = { pipetest: [], byHand: [], ideal: [], work: [], criticalPath: [] }
    for (let i = 0; i < repeat; i++) {
      // The hand-run is as long as the pipeline run; two of them pin the work down well
      // enough (CPU times hardly vary) and keep the measure within the bench's budget.
      if (i < Math.min(2, repeat)) {
        const byHand = await timed(() =>
          runFlowByHand({
            pipeline,
            python,
            iterations: iterations[runner],
            concurrency: cores,
            workDir: join(pipeline.root, 'by-hand', String(i)),
          }),
        )
        const schedule = idealSchedule(shape, byHand.value, cores)
        samples.byHand.push(byHand.ms)
        samples.ideal.push(schedule.ideal)
        samples.work.push(schedule.total)
        samples.criticalPath.push(schedule.criticalPath)
      }
      const { ms } = await timed(async () => {
        const run = new pipetest.PipelineRun(spec)
        const flow = await run.testFlow()
        await run.close()
        assertAllPassed(`parallel ${shape.name}`, [flow])
      })
      samples.pipetest.push(ms)
    }
    const wall = median(samples.pipetest)
    const ideal = median(samples.ideal)
    const byHand = median(samples.byHand)
    const ratio = wall / ideal
    const step = median(samples.work) / shape.nodes.length
    log(
      `  ${shape.name} (${runner}): pipetest ${formatMs(wall)}, by hand ${formatMs(byHand)}, ideal ${formatMs(ideal)} (mean step ${formatMs(step)} CPU)`,
    )
    rows.push({
      measure: `2. parallel flow, ${describe(shape)} ${runner} steps`,
      figure: formatMs(wall),
      baseline: `${formatMs(ideal)} ideal (${cores} cores, step ≈ ${formatMs(step)} CPU)`,
      ratio,
      target: `≤ ${TARGET}×`,
      met: ratio <= TARGET,
    })
    rows.push({
      measure: `2. (context) same DAG by hand, ${cores}-wide ready queue`,
      figure: formatMs(wall),
      baseline: `${formatMs(byHand)} by hand (${(byHand / ideal).toFixed(2)}× ideal)`,
      ratio: wall / byHand,
      target: 'context',
      met: null,
    })
    details.cases.push({
      shape: shape.name,
      runner,
      nodes: shape.nodes.length,
      edges: shape.edges.length,
      wallMs: wall,
      idealMs: ideal,
      byHandMs: byHand,
      ratio,
      samplesMs: samples,
    })
  }
  return { rows, details }
}

function describe(shape) {
  return shape.edges.length === 0
    ? `${shape.nodes.length} independent`
    : shape.name.replace('lattice', 'lattice ')
}

/**
 * Loop turns that make one step cost about `stepMs` of CPU (start-up included). Calibrated
 * on CPU time reported by the step, not wall time, so a busy machine does not skew it.
 */
export async function calibrate(runner, python, stepMs) {
  const pipeline = writePipeline(makeProject(`calibrate-${runner}`), wide(1), { runner })
  const node = pipeline.shape.nodes[0]
  let serial = 0
  const cpuOfStep = async (iterations) => {
    const samples = []
    for (let i = 0; i < 3; i++) {
      const workDir = join(pipeline.root, 'calibration', String(serial++))
      const markerDir = join(workDir, 'markers')
      mkdirSync(markerDir, { recursive: true })
      await launchByHand({
        runner,
        python,
        scriptPath: join(pipeline.root, 'scripts', `${node}.${runner === 'node' ? 'mjs' : 'py'}`),
        cwd: pipeline.root,
        inputPaths: { data: join(pipeline.root, pipeline.specs[node].inputPaths.data) },
        outputRoot: workDir,
        environVars: { BENCH_NODE: node, BENCH_MARKER_DIR: markerDir },
        jobArgs: { iterations },
      })
      const [marker] = readdirSync(markerDir)
      samples.push(JSON.parse(readFileSync(join(markerDir, marker), 'utf8')).cpuMs)
    }
    return median(samples)
  }
  const probe = runner === 'python' ? 2_000_000 : 20_000_000
  const empty = await cpuOfStep(0)
  const loaded = await cpuOfStep(probe)
  const perTurn = Math.max(loaded - empty, 1) / probe
  return Math.max(1, Math.round(Math.max(stepMs - empty, stepMs / 2) / perTurn))
}
