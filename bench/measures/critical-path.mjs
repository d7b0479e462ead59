import { availableParallelism } from 'node:os'
import { join } from 'node:path'
import { makeProject, writePipeline } from '../lib/generators.mjs'
import { assertAllPassed, buildPipelineSpec } from '../lib/pipetest.mjs'
import { idealSchedule, runFlowByHand } from '../lib/pool.mjs'
import { chainWithBranches } from '../lib/shapes.mjs'
import { formatMs } from '../lib/table.mjs'
import { median, timed } from '../lib/timing.mjs'
import { calibrate } from './parallel.mjs'

const TARGET = 1.1

/**
 * Measure 9 — critical path. A chain of `length` CPU-bound Python steps plus as many
 * independent steps, declared before the chain: on 2 cores the ideal runs the chain on one
 * core and the branches beside it, so the total work and the chain take equally long and any
 * step of the chain started late shows. All tiers (scripts, edges, flow; path-wired, so one
 * execution per node) through `PipelineRun.runTiers` at the default concurrency, vs. the ideal
 * schedule from the CPU time each step took when the DAG was run by hand (as in measure 2).
 * Context: the DAG run by hand with the chain first in the ready queue (the ideal's schedule,
 * slowed by a loaded machine as pipetest is), and in declaration order (first come, first
 * served), which reaches the chain last.
 */
export async function measureCriticalPath({ pipetest, python, repeat, length, stepMs, log }) {
  const cores = availableParallelism()
  const shape = chainWithBranches(length, length)
  const iterations = await calibrate('python', python, stepMs)
  const pipeline = writePipeline(makeProject('critical-path'), shape, { iterations })
  const spec = buildPipelineSpec(pipetest, pipeline)
  // The same DAG by hand with the chain first in the ready queue: the schedule the ideal
  // assumes, run for real, so that a loaded machine slows it as it slows pipetest.
  const chainFirst = {
    ...pipeline,
    shape: {
      ...shape,
      nodes: [
        ...shape.nodes.filter((node) => !node.startsWith('b')),
        ...shape.nodes.filter((node) => node.startsWith('b')),
      ],
    },
  }
  const samples = { pipetest: [], byHand: [], byHandChainFirst: [], ideal: [], criticalPath: [] }
  for (let i = 0; i < repeat; i++) {
    if (i < Math.min(2, repeat)) {
      const byHand = await timed(() =>
        runFlowByHand({
          pipeline,
          python,
          iterations,
          concurrency: cores,
          workDir: join(pipeline.root, 'by-hand', String(i)),
        }),
      )
      const schedule = idealSchedule(shape, byHand.value, cores)
      samples.byHand.push(byHand.ms)
      const { ms: chainFirstMs } = await timed(() =>
        runFlowByHand({
          pipeline: chainFirst,
          python,
          iterations,
          concurrency: cores,
          workDir: join(pipeline.root, 'by-hand-chain-first', String(i)),
        }),
      )
      samples.byHandChainFirst.push(chainFirstMs)
      samples.ideal.push(schedule.ideal)
      samples.criticalPath.push(schedule.criticalPath)
    }
    const { ms } = await timed(async () => {
      const run = new pipetest.PipelineRun(spec)
      const { scripts, edges, flow } = await run.runTiers({
        scripts: true,
        compatibility: true,
        flow: true,
      })
      await run.close()
      assertAllPassed('critical path', [...Object.values(scripts), ...Object.values(edges), flow])
      if (run.executionCount !== shape.nodes.length) {
        throw new Error(`expected ${shape.nodes.length} executions, got ${run.executionCount}`)
      }
    })
    samples.pipetest.push(ms)
  }
  const wall = median(samples.pipetest)
  const ideal = median(samples.ideal)
  const byHand = median(samples.byHand)
  const byHandChainFirst = median(samples.byHandChainFirst)
  const ratio = wall / ideal
  log(
    `  ${shape.name}: pipetest ${formatMs(wall)}, by hand chain first ${formatMs(byHandChainFirst)}, in declaration order ${formatMs(byHand)}, ideal ${formatMs(ideal)} on ${cores} cores`,
  )
  return {
    rows: [
      {
        measure: `9. chain of ${length} + ${length} independent Python steps, all tiers`,
        figure: formatMs(wall),
        baseline: `${formatMs(ideal)} critical-path ideal (${cores} cores)`,
        ratio,
        target: `≤ ${TARGET}×`,
        met: ratio <= TARGET,
      },
      {
        measure: `9. (context) same DAG by hand, ${cores}-wide queue, chain first`,
        figure: formatMs(wall),
        baseline: `${formatMs(byHandChainFirst)} by hand (${(byHandChainFirst / ideal).toFixed(2)}× ideal)`,
        ratio: wall / byHandChainFirst,
        target: 'context',
        met: null,
      },
      {
        measure: `9. (context) same DAG by hand, ${cores}-wide queue in declaration order`,
        figure: formatMs(wall),
        baseline: `${formatMs(byHand)} by hand (${(byHand / ideal).toFixed(2)}× ideal)`,
        ratio: wall / byHand,
        target: 'context',
        met: null,
      },
    ],
    details: {
      cores,
      iterations,
      shape: shape.name,
      wallMs: wall,
      idealMs: ideal,
      byHandMs: byHand,
      byHandChainFirstMs: byHandChainFirst,
      ratio,
      samples,
    },
  }
}
