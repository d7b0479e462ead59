import type * as NodeFs from 'node:fs'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, vi } from 'vitest'
import { planPipelineSuite } from '../../src/suite/plan.js'
import { test } from '../support/fixtures.js'

// Counts reads of spec files while a pipeline's tests are planned (what describePipeline does
// during collection): the work measured without timing it.
const reads = vi.hoisted(() => ({ count: 0 }))
vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof NodeFs>()
  const readFileSync = ((...args: Parameters<typeof fs.readFileSync>) => {
    if (String(args[0]).endsWith('_runtime_test_spec.json')) reads.count++
    return fs.readFileSync(...args)
  }) as typeof fs.readFileSync
  return { ...fs, readFileSync, default: { ...fs, readFileSync } }
})

let root: string

// In a hook: test.each passes its rows, not the test context, to the test function.
test.beforeEach(({ tempDir }) => {
  root = tempDir('pipetest-plan-reads-')
})

/** `count` nodes in a chain, each with its own complete spec and a real Python script. */
async function chainProject(count: number): Promise<string> {
  const step = (i: number) => `Step${String(i).padStart(3, '0')}_training`
  const specsDir = join(root, 'test/integration/runtime/.specs')
  await mkdir(specsDir, { recursive: true })
  await mkdir(join(root, 'scripts'))
  await writeFile(
    join(root, 'scripts/run.py'),
    'def main(input_paths, output_paths, environ_vars, job_args):\n    pass\n',
  )
  for (let i = 0; i < count; i++) {
    const script = `step${String(i).padStart(3, '0')}`
    await writeFile(
      join(specsDir, `${script}_runtime_test_spec.json`),
      JSON.stringify({
        script_name: script,
        step_name: step(i),
        script_path: 'scripts/run.py',
        input_paths: {},
        output_paths: { data_output: `out/${i}` },
        environ_vars: {},
        job_args: {},
      }),
    )
  }
  const nodes = Array.from({ length: count }, (_, i) => step(i))
  const edges = nodes.slice(1).map((node, i) => ({ from: nodes[i]!, to: node }))
  const dag = join(root, 'chain.dag.json')
  await writeFile(dag, JSON.stringify({ name: 'chain', nodes, edges }))
  return dag
}

describe('planPipelineSuite', () => {
  test.each([10, 60])(
    'reads each spec file once to plan the tests of %i nodes (not once per node)',
    async (count) => {
      const dag = await chainProject(count)
      reads.count = 0
      const plan = planPipelineSuite(dag, { rootDir: root })
      expect(reads.count).toBe(count)
      expect(plan.groups.map((group) => [group.title, group.cases.length])).toEqual([
        ['specs', count],
        ['scripts', count],
        ['compatibility', count - 1],
        ['flow', 1],
      ])
      // The specs tier needs nothing more from the spec files when it runs.
      const specs = plan.groups[0]!.cases
      const verdicts = await Promise.all(specs.map((testCase) => plan.runCase(testCase)))
      expect(verdicts.every((verdict) => verdict.status === 'passed')).toBe(true)
      expect(reads.count).toBe(count)
    },
  )
})
