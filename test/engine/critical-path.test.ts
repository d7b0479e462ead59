import { describe, expect } from 'vitest'
import { PipelineRun } from '../../src/engine/index.js'
import type { PipelineEvent } from '../../src/engine/index.js'
import { it, pipelineOf, stepSpec, writeData, type Project } from './helpers.js'

/** The executions in the order they were given a slot, as `node:purpose`. */
function startOrder(events: readonly PipelineEvent[]): string[] {
  return events.flatMap((event) =>
    event.type === 'started' ? [`${event.node}:${event.purpose}`] : [],
  )
}

/**
 * Independent branches X1…X3 declared before a chain C1 → C2 → C3 → C4. Each chain node reads
 * its parent's output: by path (`path`, one execution per node for every tier) or from its own
 * sample file (`sample`, so the edge tests need executions of their own).
 */
function branchesAndChain(project: Project, wiring: 'path' | 'sample') {
  const chain = ['C1', 'C2', 'C3', 'C4']
  const specs = [
    ...['X1', 'X2', 'X3'].map((node) => stepSpec(project, node)),
    ...chain.map((node, i) => {
      const parent = chain[i - 1]
      const inputs = parent
        ? { [`out_${parent}`]: wiring === 'path' ? `out/${parent}` : `samples/${node}.csv` }
        : {}
      if (parent) writeData(project, `samples/${node}.csv`, `sample for ${node}`)
      return stepSpec(project, node, { inputs, outputs: { [`out_${node}`]: `out/${node}` } })
    }),
  ]
  const edges = chain.slice(1).map((node, i): [string, string] => [chain[i]!, node])
  return pipelineOf(project, edges, specs)
}

describe('critical-path scheduling', () => {
  it('starts the longest remaining path first, whatever the declaration order', async ({
    project,
  }) => {
    const run = new PipelineRun(branchesAndChain(project, 'path'), { concurrency: 1 })
    const flow = await run.testFlow()
    await run.close()
    expect(flow.status).toBe('passed')
    // First come, first served would have run X1, X2, X3 (declared first) before the chain.
    // C4, like each X, has nothing after it: among equals the order is not specified.
    const order = startOrder(run.events)
    expect(order.slice(0, 3)).toEqual(['C1:flow', 'C2:flow', 'C3:flow'])
    expect(order.slice(3).sort()).toEqual(['C4:flow', 'X1:flow', 'X2:flow', 'X3:flow'])
  })

  it("starts an edge test's downstream as soon as its upstream is done, before independent scripts", async ({
    project,
  }) => {
    const run = new PipelineRun(branchesAndChain(project, 'sample'), { concurrency: 1 })
    // All at once, as the adapters' prefetch and `pipetest run` ask: scripts first.
    const { scripts, edges } = await run.runTiers({ scripts: true, compatibility: true })
    await run.close()
    expect(
      [...Object.values(scripts), ...Object.values(edges)].every((r) => r.status === 'passed'),
    ).toBe(true)
    const order = startOrder(run.events)
    // C1's script execution is also the upstream of the edge C1 → C2; the edges' downstream
    // executions that others wait for follow it, ahead of every script that only its test needs.
    expect(order.slice(0, 3)).toEqual(['C1:script', 'C2:edge', 'C3:edge'])
    expect(order.slice(3).sort()).toEqual([
      'C2:script',
      'C3:script',
      'C4:edge',
      'C4:script',
      'X1:script',
      'X2:script',
      'X3:script',
    ])
  })
})
