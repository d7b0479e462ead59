import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect } from 'vitest'
import { specFileText } from '../../src/spec/index.js'
import { planPipelineSuite } from '../../src/suite/index.js'
import { type Project, stepSpec, test, writeData } from '../engine/helpers.js'

/**
 * Independent X1…X3 declared before a chain C1 → C2 → C3 → C4 whose nodes read their own
 * sample data (so each edge test needs an execution of its own), written as a user's project:
 * a DAG file and one spec file per node under `data/.specs/`.
 */
function writeProject(project: Project): string {
  const chain = ['C1', 'C2', 'C3', 'C4']
  const specs = [
    ...['X1', 'X2', 'X3'].map((node) => stepSpec(project, node)),
    ...chain.map((node, i) => {
      const parent = chain[i - 1]
      if (parent) writeData(project, `samples/${node}.csv`, `sample for ${node}`)
      const inputs = parent ? { [`out_${parent}`]: `samples/${node}.csv` } : {}
      return stepSpec(project, node, { inputs, outputs: { [`out_${node}`]: `out/${node}` } })
    }),
  ]
  const specsDir = join(project.root, 'data', '.specs')
  mkdirSync(specsDir, { recursive: true })
  for (const spec of specs) {
    writeFileSync(join(specsDir, `${spec.scriptName}_runtime_test_spec.json`), specFileText(spec))
  }
  const dag = {
    name: 'branches-and-chain',
    nodes: specs.map((spec) => ({ name: spec.stepName, script: 'scripts/step.py' })),
    edges: chain.slice(1).map((node, i) => ({ from: chain[i], to: node })),
  }
  writeFileSync(join(project.root, 'pipeline.dag.json'), JSON.stringify(dag))
  return project.root
}

describe('scheduling the tests of a file', () => {
  test("an edge test's downstream runs as soon as its upstream is done, though the file reaches the edge tests last", async ({
    project,
  }) => {
    const rootDir = writeProject(project)
    const plan = planPipelineSuite('pipeline.dag.json', {
      rootDir,
      testDataDir: 'data',
      concurrency: 1,
      tiers: { specs: false, flow: false },
    })
    try {
      // As the adapters do: prefetch at the first test, then run the tests one by one in file
      // order (scripts X1…X3 and C1…C4, then the edges).
      plan.prefetch()
      const names = plan.groups.flatMap((group) => group.cases.map((c) => c.name))
      expect(names.slice(0, 3)).toEqual([
        'X1 runs and writes data_output',
        'X2 runs and writes data_output',
        'X3 runs and writes data_output',
      ])
      for (const group of plan.groups) {
        for (const testCase of group.cases) {
          expect((await plan.runCase(testCase)).status, testCase.name).toBe('passed')
        }
      }
      const started = plan
        .sharedRun()
        .events.flatMap((event) =>
          event.type === 'started' ? [`${event.node}:${event.purpose}`] : [],
        )
      // C1's execution is the upstream of C1 → C2; the downstream executions the next edges
      // wait for follow it, before any script test that comes first in the file.
      expect(started.slice(0, 3)).toEqual(['C1:script', 'C2:edge', 'C3:edge'])
      expect(started).toHaveLength(10)
    } finally {
      await plan.close()
    }
  })
})
