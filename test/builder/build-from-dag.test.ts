import { cp } from 'node:fs/promises'
import { existsSync } from 'node:fs'
import { afterEach, describe, expect, vi } from 'vitest'
import { test } from '../support/fixtures.js'
import { PipelineTestingSpecBuilder } from '../../src/builder/index.js'
import { PipetestError } from '../../src/errors.js'
import { createDefaultSpec } from '../../src/spec/index.js'
import { tempProject, specRel, type TempProject } from './temp-project.js'

const fixtures = new URL('../fixtures/', import.meta.url)

let project: TempProject

test.beforeEach(({ tempDir }) => {
  project = tempProject(tempDir())
  // The CI variable of the machine running these tests must not decide what they see.
  vi.stubEnv('CI', '')
})
afterEach(() => {
  vi.unstubAllEnvs()
})

const DAG = 'pipelines/xgboost.dag.json'

async function cursusProject() {
  await cp(new URL('dags/cursus-xgboost.dag.json', fixtures), project.path(DAG))
  for (const name of ['tabular_preprocessing', 'xgboost_model_evaluation']) {
    await cp(new URL(`specs/${name}_runtime_test_spec.json`, fixtures), project.path(specRel(name)))
  }
  await project.write('pipelines/scripts/tabular_preprocessing.py', 'def main(i, o, e, j): pass\n')
  // The sample data of the source step and of the model the evaluation reads.
  await project.write(
    'test/integration/runtime/tabular_preprocessing/input/part-0.csv',
    'a,b\n1,2\n',
  )
  await project.write('test/integration/runtime/xgboost_training/output/model/m.bst', 'model')
  await project.write('pipelines/scripts/xgboost_training.py', 'def main(i, o, e, j): pass\n')
}

async function buildError(run: () => unknown): Promise<PipetestError> {
  try {
    run()
  } catch (error) {
    if (error instanceof PipetestError) return error
    throw error
  }
  throw new Error('expected a PipetestError')
}

describe('buildFromDag', () => {
  test('builds a spec per node from cursus DAG and spec files, with absolute script paths', async () => {
    await cursusProject()
    const builder = new PipelineTestingSpecBuilder({ rootDir: project.root })
    const built = builder.buildFromDag(DAG, { validate: false })

    expect(Object.keys(built.scriptSpecs)).toEqual([
      'TabularPreprocessing_training',
      'XGBoostTraining_training',
      'TabularPreprocessing_calibration',
      'XGBoostModelEval_evaluation',
    ])
    expect(built.rootDir).toBe(project.root)
    expect(built.testWorkspaceRoot).toBe(project.path('test/integration/runtime'))
    expect(built.dag.getDependencies('XGBoostModelEval_evaluation')).toEqual([
      'XGBoostTraining_training',
      'TabularPreprocessing_calibration',
    ])

    const training = built.scriptSpecs.TabularPreprocessing_training!
    expect(training.scriptName).toBe('tabular_preprocessing')
    expect(training.scriptPath).toBe(project.path('pipelines/scripts/tabular_preprocessing.py'))
    expect(training.jobArgs).toEqual({ job_type: 'training' })
    // The calibration node shares the file, under its own step name.
    expect(built.scriptSpecs.TabularPreprocessing_calibration).toMatchObject({
      scriptName: 'tabular_preprocessing',
      stepName: 'TabularPreprocessing_calibration',
    })
    // No spec file: the in-memory default, with the script found by name.
    expect(built.scriptSpecs.XGBoostTraining_training).toEqual({
      ...createDefaultSpec('xgboost_training', 'XGBoostTraining_training'),
      scriptPath: project.path('pipelines/scripts/xgboost_training.py'),
    })
    // Fuzzy: xgboost_model_eval has no spec, xgboost_model_evaluation has.
    expect(built.scriptSpecs.XGBoostModelEval_evaluation).toMatchObject({
      scriptName: 'xgboost_model_evaluation',
      stepName: 'XGBoostModelEval_evaluation',
      // Declared but missing: kept absolute so the failure names it.
      scriptPath: project.path('src/cursus/steps/scripts/xgboost_model_evaluation.py'),
      extra: { output_path_specs: {} },
    })
  })

  test('with validate (the default) lists every problem of every node at once, with fixes', async () => {
    await cursusProject()
    const builder = new PipelineTestingSpecBuilder({ rootDir: project.root })
    const error = await buildError(() => builder.buildFromDag(DAG))

    expect(error.code).toBe('SPECS_INCOMPLETE')
    expect(error.file).toBe(project.path(DAG))
    const message = error.message
    expect(message.split('\n')[0]).toBe(
      'The specs of pipeline "xgboost" are not ready: 2 problems in 2 of 4 nodes',
    )
    expect(message).toContain('XGBoostTraining_training (script "xgboost_training"):')
    expect(message).toContain(
      '    fix: pipetest spec set XGBoostTraining_training' +
        ' --input data_input=test/integration/runtime/xgboost_training/input' +
        ' --output data_output=test/integration/runtime/xgboost_training/output',
    )
    expect(message).toContain(
      '         or in code: builder.updateScriptSpec("XGBoostTraining_training"',
    )
    expect(message).toContain('XGBoostModelEval_evaluation (script "xgboost_model_evaluation"):')
    expect(message).toContain(
      'script_path in test/integration/runtime/.specs/xgboost_model_evaluation_runtime_test_spec.json names src/cursus/steps/scripts/xgboost_model_evaluation.py, which does not exist',
    )
    expect(message).not.toContain('TabularPreprocessing_training (')
    expect(message.trimEnd().split('\n').at(-1)).toBe(
      '2 of 4 DAG nodes need work before testing: apply each fix above, then run `pipetest validate` again.',
    )
  })

  test('validates nothing and succeeds when every node is ready', async () => {
    await project.write('scripts/prep.py', '')
    await project.write(specRel('prep'), {
      script_name: 'prep',
      step_name: 'Prep',
      input_paths: {},
      output_paths: { out: 'data/out' },
    })
    const builder = new PipelineTestingSpecBuilder({ rootDir: project.root })
    const built = builder.buildFromDag({ nodes: ['Prep'], edges: [] })
    expect(built.scriptSpecs.Prep!.scriptPath).toBe(project.path('scripts/prep.py'))
  })

  test('passes DAG errors through unchanged', () => {
    const builder = new PipelineTestingSpecBuilder({ rootDir: project.root })
    expect(() =>
      builder.buildFromDag({
        nodes: ['A', 'B'],
        edges: [
          ['A', 'B'],
          ['B', 'A'],
        ],
      }),
    ).toThrow(expect.objectContaining({ code: 'DAG_CYCLE' }))
  })

  test('does not touch the disk when constructed or when building without persistDefaults', async () => {
    await project.write('p.dag.json', { nodes: ['Prep', 'Train'], edges: [['Prep', 'Train']] })
    const before = await project.snapshot()
    const builder = new PipelineTestingSpecBuilder({ rootDir: project.root })
    builder.buildFromDag('p.dag.json', { validate: false })
    builder.checkSpecs('p.dag.json')
    expect(await project.snapshot()).toEqual(before)
    expect(existsSync(builder.specsDir)).toBe(false)
  })

  describe('persistDefaults', () => {
    test('writes the defaults in use when asked, and then they count as specs', async () => {
      await project.write('scripts/prep.py', '')
      const builder = new PipelineTestingSpecBuilder({
        rootDir: project.root,
        persistDefaults: true,
      })
      const built = builder.buildFromDag({ nodes: ['Prep'], edges: [] }, { validate: false })
      const saved = await project.readJson(specRel('prep'))
      expect(saved).toEqual({
        script_name: 'prep',
        step_name: 'Prep',
        script_path: null,
        input_paths: { data_input: 'test/integration/runtime/prep/input' },
        output_paths: { data_output: 'test/integration/runtime/prep/output' },
        environ_vars: { LABEL_FIELD: 'label' },
        job_args: { job_type: 'testing' },
        last_updated: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/),
        user_notes: null,
      })
      expect(built.scriptSpecs.Prep!.lastUpdated).toBe(saved.last_updated)
      // No longer "missing spec"; the default input folder still has to be filled.
      expect(builder.checkSpecs({ nodes: ['Prep'], edges: [] }).map((p) => p.kind)).toEqual([
        'missing-input',
      ])
    })

    test('writes one file for two nodes that share a default script name', async () => {
      const builder = new PipelineTestingSpecBuilder({
        rootDir: project.root,
        persistDefaults: true,
      })
      builder.buildFromDag(
        { nodes: ['Prep_training', 'Prep_calibration'], edges: [] },
        { validate: false },
      )
      expect(builder.listSavedSpecs()).toEqual(['prep'])
      expect((await project.readJson(specRel('prep'))).step_name).toBe('Prep_training')
    })

    test('never writes over an existing file, even a broken one', async () => {
      await project.write(specRel('prep'), '{"script_name": "prep",')
      const before = await project.snapshot()
      const builder = new PipelineTestingSpecBuilder({
        rootDir: project.root,
        persistDefaults: true,
      })
      const problems = builder.checkSpecs({ nodes: ['Prep'], edges: [] })
      builder.buildFromDag({ nodes: ['Prep'], edges: [] }, { validate: false })
      expect(await project.snapshot()).toEqual(before)
      expect(problems[0]!.kind).toBe('invalid-spec')
    })

    test('never writes when the CI environment variable is set', async () => {
      vi.stubEnv('CI', 'true')
      const builder = new PipelineTestingSpecBuilder({
        rootDir: project.root,
        persistDefaults: true,
      })
      builder.buildFromDag({ nodes: ['Prep'], edges: [] }, { validate: false })
      expect(existsSync(builder.specsDir)).toBe(false)
    })

    test('treats CI=false as unset', async () => {
      vi.stubEnv('CI', 'false')
      const builder = new PipelineTestingSpecBuilder({
        rootDir: project.root,
        persistDefaults: true,
      })
      builder.buildFromDag({ nodes: ['Prep'], edges: [] }, { validate: false })
      expect(builder.listSavedSpecs()).toEqual(['prep'])
    })
  })
})
