import { readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect } from 'vitest'
import { examplesDir, it, type ExampleProject } from '../support/fixtures.js'
import { planPipelineSuite } from '../../src/suite/index.js'
import { assertBuilt, cli } from './cli-harness.js'

/**
 * The promise of issue "specs from the code", end to end on the churn-prediction example:
 * its scripts read their keys in the cursus styles and its DAG comes without specs.
 * `init`, one `spec set` for the source step's data, and validate is clean and every tier
 * passes; each kind of mistake is then reported by validate and by the specs tests alike.
 */
const example = join(examplesDir, 'churn-prediction')
const specsDir = 'test/integration/runtime/.specs'
const SOURCE_DATA = ['spec', 'set', 'TabularPreprocessing_training', '--input', 'raw_data=data/raw']

beforeAll(assertBuilt)

/** The example without its specs or runs: a DAG and scripts, as a new user has them. */
async function freshCopy(exampleProject: ExampleProject): Promise<string> {
  const root = await exampleProject('churn-prediction')
  rmSync(join(root, 'test'), { recursive: true, force: true })
  writeFileSync(join(root, '.gitignore'), '.pipetest/\n')
  return root
}

/** A fresh copy after `init` and the one `spec set` the user has to type. */
async function initialised(exampleProject: ExampleProject): Promise<string> {
  const root = await freshCopy(exampleProject)
  expect((await cli(['init', 'pipeline.dag.json'], { cwd: root })).code).toBe(0)
  expect((await cli(SOURCE_DATA, { cwd: root })).code).toBe(0)
  return root
}

function specsOf(root: string): Record<string, unknown> {
  const dir = join(root, specsDir)
  return Object.fromEntries(
    readdirSync(dir).map((file) => {
      const { last_updated: _, ...spec } = JSON.parse(readFileSync(join(dir, file), 'utf8')) as {
        last_updated?: string
      }
      return [file, spec]
    }),
  )
}

function edit(root: string, file: string, from: string | RegExp, to: string): void {
  const path = join(root, file)
  const text = readFileSync(path, 'utf8')
  const changed = typeof from === 'string' ? text.replaceAll(from, to) : text.replace(from, to)
  expect(changed).not.toBe(text)
  writeFileSync(path, changed)
}

/** The specs test of `node`: its verdict, from the same check validate runs. */
async function specsTest(root: string, node: string) {
  const plan = planPipelineSuite('pipeline.dag.json', { rootDir: root, tiers: { scripts: false } })
  const group = plan.groups.find((g) => g.title === 'specs')!
  const testCase = group.cases.find((c) => c.node === node)!
  try {
    return await plan.runCase(testCase)
  } finally {
    await plan.close()
  }
}

describe('a pipeline whose DAG has no specs', () => {
  it('init, one spec set for the source data: validate is clean and run passes every tier', async ({
    exampleProject,
  }) => {
    const root = await freshCopy(exampleProject)
    const init = await cli(['init', 'pipeline.dag.json'], { cwd: root })
    expect(init.code).toBe(0)
    expect(init.stdout).toContain('Created (4)')
    // The only thing left is the source step's data, and init says so.
    expect(init.stdout).toContain(
      'pipetest spec set TabularPreprocessing_training --input raw_data=PATH',
    )
    const before = await cli(['validate', 'pipeline.dag.json'], { cwd: root })
    expect(before.code).toBe(1)
    expect(before.stdout).toContain('Input data for "TabularPreprocessing_training" does not exist')
    expect(before.stdout).toMatch(/1 problem in 1 of 4 nodes\n$/)

    expect((await cli(SOURCE_DATA, { cwd: root })).code).toBe(0)
    const validate = await cli(['validate', 'pipeline.dag.json'], { cwd: root })
    expect(validate).toMatchObject({ code: 0, stderr: '' })
    expect(validate.stdout).toBe(
      `✓ All 4 nodes are ready: specs, ports and scripts agree (${specsDir})\n`,
    )
    const run = await cli(['run', 'pipeline.dag.json'], { cwd: root })
    expect(run.code).toBe(0)
    expect(run.stdout).toMatch(/Scripts\s+4 passed/)
    expect(run.stdout).toMatch(/Compatibility\s+4 passed/)
    expect(run.stdout).toMatch(/Flow\s+passed/)

    // The example's committed specs are exactly what init and that one spec set write.
    expect(specsOf(root)).toEqual(specsOf(example))
  })

  it('reports a wrong port name, a renamed input, a missing env var and a missing module', async ({
    exampleProject,
  }) => {
    const root = await initialised(exampleProject)
    edit(
      root,
      'pipeline.dag.json',
      '"ports": { "features": "training_data" }',
      '"ports": { "feature": "training_data" }',
    )
    edit(
      root,
      'scripts/model_training.py',
      'input_paths["training_data"]',
      'input_paths["training_rows"]',
    )
    edit(
      root,
      'scripts/model_evaluation.py',
      '    threshold = ',
      '    region = environ_vars["DEPLOY_REGION"]\n    threshold = ',
    )
    edit(
      root,
      'scripts/feature_engineering.py',
      /^import json$/m,
      'import json\nimport churn_metrics_plus',
    )

    const validate = await cli(['validate', 'pipeline.dag.json', '--json'], { cwd: root })
    expect(validate.code).toBe(1)
    const { problems } = JSON.parse(validate.stdout) as {
      problems: Array<{
        node: string
        kind: string
        severity: string
        name?: string
        message: string
        fix: string
      }>
    }
    const errors = problems.filter((p) => p.severity === 'error')
    expect(errors.map((p) => [p.node, p.kind])).toEqual([
      ['FeatureEngineering_training', 'missing-module'],
      ['ModelTraining_training', 'unknown-port'],
      ['ModelTraining_training', 'missing-key'],
      ['ModelEvaluation_testing', 'missing-key'],
    ])
    const [module, port, input, env] = errors
    expect(module!.message).toContain('"churn_metrics_plus"')
    expect(module!.fix).toContain('-m pip install churn_metrics_plus')
    expect(port!.message).toContain('did you mean "features"?')
    expect(port!.fix).toContain('to "features"')
    expect(input!.message).toContain('"training_rows"')
    expect(input!.message).toContain('(it has "training_data": renamed?)')
    expect(input!.fix).toContain('Rename input_paths.training_data to training_rows')
    expect(env!.message).toContain('environ_vars["DEPLOY_REGION"]')
    expect(env!.fix).toBe('pipetest spec set ModelEvaluation_testing --env DEPLOY_REGION=VALUE')

    // The specs tests fail on the same problems, node by node, with the same words.
    for (const [node, own] of [
      ['FeatureEngineering_training', [module!]],
      ['ModelTraining_training', [port!, input!]],
      ['ModelEvaluation_testing', [env!]],
    ] as const) {
      const verdict = await specsTest(root, node)
      expect(verdict.status).toBe('failed')
      for (const problem of own) {
        expect(verdict.message).toContain(problem.message)
        expect(verdict.message).toContain(problem.fix.split('\n')[0])
      }
    }
    expect((await specsTest(root, 'TabularPreprocessing_training')).status).toBe('passed')
  })
})
