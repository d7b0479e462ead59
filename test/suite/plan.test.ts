import { existsSync } from 'node:fs'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect } from 'vitest'
import { isPipetestError } from '../../src/errors.js'
import { planPipelineSuite } from '../../src/suite/plan.js'
import type { PipelineSuitePlan, SuiteCase } from '../../src/suite/types.js'
import { test } from '../support/fixtures.js'

function names(plan: PipelineSuitePlan): Record<string, string[]> {
  return Object.fromEntries(
    plan.groups.map((group) => [group.title, group.cases.map((c) => c.name)]),
  )
}

function allCases(plan: PipelineSuitePlan): SuiteCase[] {
  return plan.groups.flatMap((group) => group.cases)
}

describe('planPipelineSuite', () => {
  test('lists a specs and a scripts test per node, a test per edge and one for the flow', async ({
    fixtureProject,
  }) => {
    const root = await fixtureProject(['passing'])
    const plan = planPipelineSuite('pipeline.dag.json', { rootDir: root })
    expect(plan.name).toBe('pipeline passing')
    expect(plan.pipelineName).toBe('passing')
    expect(names(plan)).toEqual({
      specs: [
        'Preprocess has a complete spec',
        'Train has a complete spec',
        'Evaluate has a complete spec',
      ],
      scripts: [
        'Preprocess runs and writes data_output',
        'Train runs and writes model_output',
        'Evaluate runs and writes metrics_output',
      ],
      compatibility: [
        "Preprocess → Train: Train consumes Preprocess's outputs",
        "Train → Evaluate: Evaluate consumes Train's outputs",
        "Preprocess → Evaluate: Evaluate consumes Preprocess's outputs",
      ],
      flow: ['passing: the whole DAG runs in topological order'],
    })
    expect(allCases(plan).map((c) => [c.tier, c.node, c.edge?.from, c.usesRun])).toContainEqual([
      'compatibility',
      'Train',
      'Preprocess',
      true,
    ])
  })

  test('collects synchronously and starts nothing', async ({ fixtureProject }) => {
    const root = await fixtureProject(['passing'])
    const plan = planPipelineSuite('pipeline.dag.json', { rootDir: root })
    expect(plan).not.toBeInstanceOf(Promise)
    expect(existsSync(join(root, 'test/integration/runtime/.pipetest'))).toBe(false)
  })

  test('honours the name, the tiers and the node filter', async ({ fixtureProject }) => {
    const root = await fixtureProject(['passing'])
    const plan = planPipelineSuite('pipeline.dag.json', {
      rootDir: root,
      name: 'fraud',
      tiers: { specs: false, flow: false },
      nodes: ['Preprocess', 'Train'],
    })
    expect(plan.name).toBe('fraud')
    expect(names(plan)).toEqual({
      scripts: ['Preprocess runs and writes data_output', 'Train runs and writes model_output'],
      compatibility: ["Preprocess → Train: Train consumes Preprocess's outputs"],
    })
    const sliced = planPipelineSuite('pipeline.dag.json', {
      rootDir: root,
      nodes: (node) => node !== 'Train',
      tiers: { specs: false, scripts: false, flow: true },
    })
    expect(names(sliced)).toEqual({
      compatibility: ["Preprocess → Evaluate: Evaluate consumes Preprocess's outputs"],
      flow: ['passing: the whole DAG runs in topological order'],
    })
  })

  test('stops at a node filter naming a node the DAG does not have', async ({ fixtureProject }) => {
    const root = await fixtureProject(['passing'])
    let error: unknown
    try {
      planPipelineSuite('pipeline.dag.json', { rootDir: root, nodes: ['Preprocess', 'Trian'] })
    } catch (caught) {
      error = caught
    }
    expect(isPipetestError(error)).toBe(true)
    expect((error as Error).message).toContain('nodes option names "Trian", which is not a node')
    expect((error as Error).message).toContain('Did you mean "Train"?')
    expect((error as Error).message).toContain('Preprocess, Train, Evaluate')
  })

  test('throws the PipetestError of a DAG that cannot be loaded', async ({ fixtureProject }) => {
    const root = await fixtureProject(['passing'])
    await writeFile(
      join(root, 'cycle.dag.json'),
      JSON.stringify({
        nodes: ['A', 'B'],
        edges: [
          ['A', 'B'],
          ['B', 'A'],
        ],
      }),
    )
    expect(() => planPipelineSuite('cycle.dag.json', { rootDir: root })).toThrow(
      /The DAG has a cycle: A → B → A/,
    )
  })

  test('gives run-backed tests a timeout above everything they may wait for', async ({
    fixtureProject,
  }) => {
    const root = await fixtureProject(['hanging-script'])
    const plan = planPipelineSuite('pipeline.dag.json', { rootDir: root, timeoutSeconds: 20 })
    // Executions the shared run may start: scripts Start, Hang; edge Start → Hang; flow Start, Hang.
    // Start takes the run's default (20 s), Hang its spec's 1 s.
    const executionsMs = (20 + 1 + 1 + 20 + 1) * 1000
    for (const testCase of allCases(plan)) {
      if (testCase.tier === 'specs') expect(testCase.timeoutMs).toBe(30_000)
      else expect(testCase.timeoutMs).toBeGreaterThan(executionsMs)
    }
    const defaults = planPipelineSuite('pipeline.dag.json', { rootDir: root })
    const scriptCase = defaults.groups.find((group) => group.title === 'scripts')!.cases[0]!
    expect(scriptCase.timeoutMs).toBeGreaterThan((300 * 2 + 1 * 3) * 1000)
  })

  test('lists the DAG, specs folder, spec files, scripts and inputs as the files to watch', async ({
    fixtureProject,
  }) => {
    const root = await fixtureProject(['passing'])
    const plan = planPipelineSuite('pipeline.dag.json', { rootDir: root })
    const at = (path: string) => join(root, path)
    expect(plan.watchFiles().sort()).toEqual(
      [
        at('pipeline.dag.json'),
        at('test/integration/runtime/.specs'),
        at('test/integration/runtime/.specs/preprocess_runtime_test_spec.json'),
        at('test/integration/runtime/.specs/train_runtime_test_spec.json'),
        at('test/integration/runtime/.specs/evaluate_runtime_test_spec.json'),
        at('scripts/preprocess.py'),
        at('scripts/train.py'),
        at('scripts/evaluate.py'),
        at('test/integration/runtime/preprocess/input'),
        at('test/integration/runtime/preprocess/output'),
        at('test/integration/runtime/train/output'),
      ].sort(),
    )
    const slice = planPipelineSuite('pipeline.dag.json', { rootDir: root, nodes: ['Train'] })
    expect(slice.watchFiles()).toContain(at('scripts/preprocess.py'))
    expect(slice.watchFiles()).not.toContain(at('scripts/evaluate.py'))
  })
})

describe('specs tier', () => {
  test('turns every spec problem into a failing test with the exact fix', async ({
    fixtureProject,
  }) => {
    const root = await fixtureProject(['incomplete-spec'])
    const plan = planPipelineSuite('pipeline.dag.json', { rootDir: root })
    const specs = plan.groups.find((group) => group.title === 'specs')!.cases
    const verdicts = await Promise.all(specs.map((c) => plan.runCase(c)))
    expect(verdicts.map((v) => v.status)).toEqual(['failed', 'failed', 'failed'])
    expect(verdicts[0]!.message).toContain('output_paths is empty')
    expect(verdicts[0]!.message).toContain(
      'fix: pipetest spec set Clean --output data_output=test/integration/runtime/clean/output',
    )
    expect(verdicts[1]!.message).toContain('No spec file for "Summarize"')
    expect(verdicts[2]!.message).toContain('scripts/publish.py, which does not exist')
    expect(verdicts[0]!.properties).toEqual({
      node: 'Clean',
      script: 'scripts/clean.py',
      runner: 'python',
      specFile: 'test/integration/runtime/.specs/clean_runtime_test_spec.json',
    })
    // Specs tests read files only: no run was started for them.
    expect(existsSync(join(root, 'test/integration/runtime/.pipetest'))).toBe(false)
  })

  test('turns a spec file that cannot be loaded into a failing test instead of failing collection', async ({
    fixtureProject,
  }) => {
    const root = await fixtureProject(['passing'])
    const broken = 'test/integration/runtime/.specs/train_runtime_test_spec.json'
    await writeFile(join(root, broken), '{ "script_name": "train",')
    const plan = planPipelineSuite('pipeline.dag.json', { rootDir: root })
    const specs = plan.groups.find((group) => group.title === 'specs')!.cases
    const verdicts = await Promise.all(specs.map((c) => plan.runCase(c)))
    expect(verdicts.map((v) => v.status)).toEqual(['passed', 'failed', 'passed'])
    expect(verdicts[1]!.message).toContain(`Spec file ${join(root, broken)} is not valid JSON`)
    expect(verdicts[0]!.properties.specFile).toBe(
      'test/integration/runtime/.specs/preprocess_runtime_test_spec.json',
    )
  })

  test("fails a Python script whose main() cannot take the contract's parameters", async ({
    fixtureProject,
  }) => {
    const root = await fixtureProject(['passing'])
    await writeFile(
      join(root, 'scripts/train.py'),
      'def main(input_paths, output_paths):\n    pass\n',
    )
    const plan = planPipelineSuite('pipeline.dag.json', {
      rootDir: root,
      tiers: { scripts: false },
    })
    const [preprocess, train] = plan.groups[0]!.cases
    expect((await plan.runCase(preprocess!)).status).toBe('passed')
    const verdict = await plan.runCase(train!)
    expect(verdict.status).toBe('failed')
    expect(verdict.message).toBe(
      [
        'Train: the spec is not ready (1 problem)',
        '  - scripts/train.py line 1: main(input_paths, output_paths) does not take the contract parameters (missing parameters environ_vars, job_args)',
        '    fix: Define main(input_paths, output_paths, environ_vars, job_args) (extra parameters need defaults).',
      ].join('\n'),
    )
  })
})

describe('running cases', () => {
  test('reports a failed node, blocks what depends on it and records properties', async ({
    fixtureProject,
  }) => {
    const root = await fixtureProject(['failing-node-blocks-downstream'])
    const plan = planPipelineSuite('pipeline.dag.json', { rootDir: root, concurrency: 2 })
    try {
      plan.prefetch()
      const cases = allCases(plan)
      const verdicts = new Map<string, Awaited<ReturnType<typeof plan.runCase>>>()
      for (const testCase of cases) verdicts.set(testCase.name, await plan.runCase(testCase))
      const statuses = Object.fromEntries([...verdicts].map(([name, v]) => [name, v.status]))
      expect(statuses).toEqual({
        'Extract has a complete spec': 'passed',
        'Transform has a complete spec': 'passed',
        'Load has a complete spec': 'passed',
        'Extract runs and writes records_output': 'passed',
        'Transform runs and writes totals_output': 'failed',
        'Load runs and writes report_output': 'blocked',
        "Extract → Transform: Transform consumes Extract's outputs": 'failed',
        "Transform → Load: Load consumes Transform's outputs": 'blocked',
        'etl: the whole DAG runs in topological order': 'failed',
      })

      const transform = verdicts.get('Transform runs and writes totals_output')!
      expect(transform.message.split('\n')[0]).toBe(
        "Transform failed (exception): main() raised KeyError: 'customer_id'",
      )
      expect(transform.message).toContain('exit code 1')
      expect(transform.message).toContain('Traceback (most recent call last):')
      expect(transform.message).toContain("KeyError: 'customer_id'")
      expect(transform.message).toContain('outputs: produced none; missing totals_output')
      expect(transform.properties).toMatchObject({
        node: 'Transform',
        script: 'scripts/transform.py',
        runner: 'python',
        outcome: 'exception',
        exitCode: '1',
      })
      expect(transform.properties.durationMs).toMatch(/^\d+$/)
      expect(existsSync(transform.properties.runDir!)).toBe(true)
      expect(transform.message).toContain(`run folder: ${transform.properties.runDir}`)

      const load = verdicts.get('Load runs and writes report_output')!
      expect(load).toMatchObject({ message: 'blocked by Transform', blockedBy: 'Transform' })
      expect(load.properties).toMatchObject({ node: 'Load', blockedBy: 'Transform' })

      const flow = verdicts.get('etl: the whole DAG runs in topological order')!
      expect(flow.message.split('\n').slice(0, 2)).toEqual([
        'etl: 1 of 3 nodes failed (Transform)',
        '  not run: Load (blocked by Transform)',
      ])
      expect(flow.message).toContain("KeyError: 'customer_id'")
    } finally {
      await plan.close()
    }
  })

  test('prefetch starts the selected executions without waiting for a test to ask', async ({
    fixtureProject,
  }) => {
    const root = await fixtureProject(['passing'])
    const plan = planPipelineSuite('pipeline.dag.json', { rootDir: root })
    try {
      const scripts = plan.groups.find((group) => group.title === 'scripts')!.cases
      plan.prefetch(scripts)
      const run = plan.sharedRun()
      const deadline = Date.now() + 60_000
      const finished = () =>
        new Set(run.events.filter((e) => e.type === 'finished').map((e) => e.node)).size
      while (finished() < 3 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 20))
      }
      expect(finished()).toBe(3)
      // The tests then get the prefetched executions: nothing runs twice.
      for (const testCase of scripts) expect((await plan.runCase(testCase)).status).toBe('passed')
      expect(run.executionCount).toBe(3)
    } finally {
      await plan.close()
    }
  })

  test('two plans of one pipeline in one file share their run', async ({ fixtureProject }) => {
    const root = await fixtureProject(['passing'])
    const first = planPipelineSuite('pipeline.dag.json', { rootDir: root, tiers: { flow: false } })
    const second = planPipelineSuite('pipeline.dag.json', { rootDir: root, name: 'again' })
    expect(second.sharedRun()).toBe(first.sharedRun())
    await first.close()
  })
})
