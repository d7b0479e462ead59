import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { makeProject, writePipeline } from './generators.mjs'
import { minimumExecutions } from './minimum.mjs'
import { assertAllPassed, buildPipelineSpec } from './pipetest.mjs'
import { chain, diamond, lattice } from './shapes.mjs'

/**
 * The pipelines of measure 3 (no wasted work) and of its test: a chain, a diamond (Node
 * steps, for the other runner) and a `latticeSize`² lattice (8 × 8 in the bench), each with
 * both spec wirings.
 */
export function wastedWorkCases({ latticeSize = 8 } = {}) {
  const cases = []
  for (const wiring of ['path', 'sample']) {
    cases.push({ shape: chain(6), runner: 'python', wiring })
    cases.push({ shape: diamond(), runner: 'node', wiring })
    cases.push({ shape: lattice(latticeSize, latticeSize), runner: 'python', wiring })
  }
  return cases
}

/**
 * Runs every tier of a freshly generated pipeline in one PipelineRun and counts executions
 * twice — pipetest's own `executionCount` and the marker files the scripts drop — next to
 * the minimum derived from the DAG and the spec wiring. The pipeline is written in `root`
 * (the project's test gives its own temp folder), by default a fresh bench project.
 */
export async function countExecutions(
  pipetest,
  { shape, runner, wiring },
  root = makeProject(`executions-${shape.name}-${wiring}`),
) {
  const markerDir = join(root, 'markers')
  const pipeline = writePipeline(root, shape, { runner, wiring, markerDir })
  const spec = buildPipelineSpec(pipetest, pipeline)
  const run = new pipetest.PipelineRun(spec)
  const tiers = await run.runTiers({ scripts: true, compatibility: true, flow: true })
  await run.close()
  assertAllPassed(`${shape.name} (${wiring} wiring)`, [
    ...Object.values(tiers.scripts),
    ...Object.values(tiers.edges),
    tiers.flow,
  ])
  return {
    shape: shape.name,
    runner,
    wiring,
    nodes: shape.nodes.length,
    edges: shape.edges.length,
    minimum: minimumExecutions(pipeline),
    executionCount: run.executionCount,
    markers: readdirSync(markerDir).length,
  }
}
