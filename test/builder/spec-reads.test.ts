import type * as NodeFs from 'node:fs'
import { describe, expect, vi } from 'vitest'
import { test } from '../support/fixtures.js'
import { PipelineTestingSpecBuilder } from '../../src/builder/index.js'
import { tempProject, specRel, type TempProject } from './temp-project.js'

// Counts the builder's reads of spec files: the work of resolving a DAG, measured without
// timing it. Every `readFileSync` of the builder's modules goes through this mock.
const reads = vi.hoisted(() => ({ count: 0 }))
vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof NodeFs>()
  const readFileSync = ((...args: Parameters<typeof fs.readFileSync>) => {
    if (String(args[0]).endsWith('_runtime_test_spec.json')) reads.count++
    return fs.readFileSync(...args)
  }) as typeof fs.readFileSync
  return { ...fs, readFileSync, default: { ...fs, readFileSync } }
})

let project: TempProject
let builder: PipelineTestingSpecBuilder

test.beforeEach(({ tempDir }) => {
  project = tempProject(tempDir('pipetest-spec-reads-'))
  builder = new PipelineTestingSpecBuilder({ rootDir: project.root })
})

const step = (i: number) => `Step${String(i).padStart(3, '0')}_training`
const script = (i: number) => `step${String(i).padStart(3, '0')}`

/** A chain of `count` nodes, each with its own complete spec file unless `withSpecs` is false. */
async function chainProject(count: number, withSpecs = true): Promise<string> {
  const nodes = Array.from({ length: count }, (_, i) => step(i))
  const edges = nodes.slice(1).map((node, i) => ({ from: nodes[i]!, to: node }))
  await project.write('pipelines/scripts/run.py', 'def main(a, b, c, d): pass\n')
  if (withSpecs) {
    for (let i = 0; i < count; i++) {
      await project.write(specRel(script(i)), {
        script_name: script(i),
        step_name: step(i),
        script_path: 'pipelines/scripts/run.py',
        input_paths: {},
        output_paths: { data_output: `out/${i}` },
        environ_vars: {},
        job_args: {},
        last_updated: null,
        user_notes: null,
      })
    }
  }
  return project.write('pipelines/chain.dag.json', { name: 'chain', nodes, edges })
}

/** Spec file reads made by `work`. */
function readsOf(work: () => unknown): number {
  reads.count = 0
  work()
  return reads.count
}

describe('resolving a DAG reads each spec file once, whatever the number of nodes', () => {
  test.each([10, 40])(
    'resolveNodes, buildFromDagWithReport and checkSpecs on %i nodes',
    async (count) => {
      const dag = await chainProject(count)

      expect(readsOf(() => builder.resolveNodes(dag))).toBe(count)
      expect(readsOf(() => builder.buildFromDagWithReport(dag))).toBe(count)
      expect(readsOf(() => builder.buildFromDag(dag))).toBe(count)
      expect(readsOf(() => builder.checkSpecs(dag))).toBe(count)
      expect(readsOf(() => builder.validateSpecsCompleteness(dag))).toBe(count)
    },
  )

  test.each([10, 40])(
    'createMissingSpecs on %i nodes reads each file it writes once, and existing ones once',
    async (count) => {
      const dag = await chainProject(count, false)

      let outcomes: ReturnType<PipelineTestingSpecBuilder['createMissingSpecs']> = []
      // Each new file is read back once, so the nodes after it resolve as a fresh catalog would.
      expect(readsOf(() => (outcomes = builder.createMissingSpecs(dag)))).toBe(count)
      expect(outcomes.map((outcome) => outcome.action)).toEqual(Array(count).fill('created'))

      expect(readsOf(() => (outcomes = builder.createMissingSpecs(dag)))).toBe(count)
      expect(outcomes.map((outcome) => outcome.action)).toEqual(Array(count).fill('existing'))
    },
  )

  test('resolveNode, in contrast, reads every spec file for the one node it resolves', async () => {
    const dag = await chainProject(10)
    expect(readsOf(() => builder.resolveNode(dag, step(3)))).toBe(10)
  })
})
