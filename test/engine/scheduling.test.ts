import { describe, expect } from 'vitest'
import { PipelineRun } from '../../src/engine/index.js'
import {
  executionsOf,
  it,
  maxOverlap,
  pipelineOf,
  stepSpec,
  traces,
  type Project,
  writeData,
} from './helpers.js'

function independent(project: Project, count: number) {
  const specs = Array.from({ length: count }, (_, i) =>
    stepSpec(project, `N${i}`, { env: { SLEEP: '0.4' } }),
  )
  return pipelineOf(project, [], specs)
}

describe('concurrency', () => {
  it('never runs more scripts at once than the limit', async ({ project }) => {
    const run = new PipelineRun(independent(project, 6), { concurrency: 2 })
    const { scripts } = await run.runTiers({ scripts: true })
    expect(Object.values(scripts).every((result) => result.status === 'passed')).toBe(true)
    expect(traces(project)).toHaveLength(6)
    expect(maxOverlap(traces(project))).toBe(2)
  })

  it('runs independent nodes at the same time when the limit allows', async ({ project }) => {
    const run = new PipelineRun(independent(project, 4), { concurrency: 4 })
    await run.runTiers({ scripts: true })
    expect(maxOverlap(traces(project))).toBeGreaterThanOrEqual(2)
  })

  it('runs one at a time with a limit of 1', async ({ project }) => {
    const run = new PipelineRun(independent(project, 3), { concurrency: 1 })
    await run.runTiers({ flow: true })
    expect(maxOverlap(traces(project))).toBe(1)
  })
})

type Shape = { nodes: string[]; edges: Array<[string, string]> }

const chain: Shape = {
  nodes: ['C1', 'C2', 'C3', 'C4', 'C5'],
  edges: [
    ['C1', 'C2'],
    ['C2', 'C3'],
    ['C3', 'C4'],
    ['C4', 'C5'],
  ],
}
const diamond: Shape = {
  nodes: ['A', 'B', 'C', 'D'],
  edges: [
    ['A', 'B'],
    ['A', 'C'],
    ['B', 'D'],
    ['C', 'D'],
  ],
}
/** 4 layers of 2 nodes, each node fed by both nodes of the layer above. */
const lattice: Shape = (() => {
  const layers = [0, 1, 2, 3].map((layer) => [`L${layer}a`, `L${layer}b`])
  const edges: Array<[string, string]> = []
  for (let i = 1; i < layers.length; i++)
    for (const parent of layers[i - 1]!) for (const child of layers[i]!) edges.push([parent, child])
  return { nodes: layers.flat(), edges }
})()

/**
 * Each node reads every parent's output. `path`: the input path is the parent's output
 * path (one execution per node serves every tier). `sample`: the input has the parent's
 * output name but points at committed sample data, so the script tier, the flow and each
 * edge into a fan-in genuinely need different executions.
 */
function wire(project: Project, shape: Shape, wiring: 'path' | 'sample', runner: 'py' | 'mjs') {
  const specs = shape.nodes.map((node) => {
    const parents = shape.edges.filter(([, to]) => to === node).map(([from]) => from)
    const inputs = Object.fromEntries(
      parents.map((parent) => [
        `out_${parent}`,
        wiring === 'path' ? `out/${parent}` : `samples/${parent}.csv`,
      ]),
    )
    return stepSpec(project, node, { runner, inputs, outputs: { [`out_${node}`]: `out/${node}` } })
  })
  for (const node of shape.nodes) writeData(project, `samples/${node}.csv`, `sample ${node}`)
  return pipelineOf(project, shape.edges, specs)
}

describe('no wasted work: each (node, inputs) pair runs once across all tiers', () => {
  it.for([
    ['chain', 'path', 'py', 5, chain],
    ['diamond', 'path', 'mjs', 4, diamond],
    ['lattice', 'path', 'py', 8, lattice],
    // scripts 5 + flow of the 4 non-sources (edges of a chain are the flow executions)
    ['chain', 'sample', 'py', 9, chain],
    // scripts 4 + flow 3 + one per edge into the fan-in 2
    ['diamond', 'sample', 'mjs', 9, diamond],
    // scripts 8 + flow 6 + one per edge into a fan-in 12
    ['lattice', 'sample', 'py', 26, lattice],
  ] as const)(
    '%s, %s-wired (%s steps): %i executions',
    async ([, wiring, runner, expected, shape], { project }) => {
      const run = new PipelineRun(wire(project, shape, wiring, runner))
      const { scripts, edges, flow } = await run.runTiers({
        scripts: true,
        compatibility: true,
        flow: true,
      })
      await run.close()
      const statuses = [...Object.values(scripts), ...Object.values(edges), flow!].map(
        (result) => result.status,
      )
      expect(new Set(statuses)).toEqual(new Set(['passed']))
      expect(run.executionCount).toBe(expected)
      expect(traces(project)).toHaveLength(expected)
      if (wiring === 'path')
        for (const node of shape.nodes) expect(executionsOf(project, node)).toBe(1)
    },
  )

  it('shares executions between separate calls on the same run', async ({ project }) => {
    const run = new PipelineRun(wire(project, diamond, 'path', 'py'))
    await run.testScript('D')
    expect(run.executionCount).toBe(4)
    await run.testEdge('B', 'D')
    await run.testFlow()
    await run.testScript('A')
    expect(run.executionCount).toBe(4)
  })
})
