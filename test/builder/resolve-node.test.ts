import { describe, expect } from 'vitest'
import { test } from '../support/fixtures.js'
import { PipelineTestingSpecBuilder } from '../../src/builder/index.js'
import { PipelineDAG } from '../../src/dag/index.js'
import { createDefaultSpec } from '../../src/spec/index.js'
import { tempProject, specRel, type TempProject } from './temp-project.js'

let project: TempProject
let builder: PipelineTestingSpecBuilder

test.beforeEach(({ tempDir }) => {
  project = tempProject(tempDir())
  builder = new PipelineTestingSpecBuilder({ rootDir: project.root })
})

function spec(scriptName: string, stepName: string, extra: Record<string, unknown> = {}) {
  return {
    script_name: scriptName,
    step_name: stepName,
    script_path: null,
    input_paths: { data_input: `data/${scriptName}/in` },
    output_paths: { data_output: `data/${scriptName}/out` },
    environ_vars: {},
    job_args: {},
    last_updated: null,
    user_notes: null,
    ...extra,
  }
}

async function writeSpec(
  scriptName: string,
  stepName: string,
  extra: Record<string, unknown> = {},
) {
  return project.write(specRel(scriptName), spec(scriptName, stepName, extra))
}

async function dagFile(json: object) {
  await project.write('pipelines/p.dag.json', json)
  return PipelineDAG.fromFile(project.path('pipelines/p.dag.json'))
}

describe('resolveNode: where the spec comes from', () => {
  test("uses the spec file of the DAG node's declared script first", async () => {
    await project.write('pipelines/scripts/prep_data.py', 'def main(a, b, c, d): pass\n')
    const file = await writeSpec('prep_data', 'SomethingElse')
    await writeSpec('custom', 'Prep')
    const dag = await dagFile({
      nodes: [{ name: 'Prep', script: 'scripts/prep_data.py' }],
      edges: [],
    })

    const resolution = builder.resolveNode(dag, 'Prep')
    expect(resolution).toMatchObject({
      node: 'Prep',
      scriptName: 'prep_data',
      source: 'dag-script',
      specFile: file,
      scriptPath: project.path('pipelines/scripts/prep_data.py'),
    })
    expect(resolution.spec.stepName).toBe('Prep')
  })

  test('falls back to a spec claiming the node by step_name when the declared script has no spec', async () => {
    const file = await writeSpec('custom', 'Prep')
    const dag = await dagFile({
      nodes: [{ name: 'Prep', script: 'scripts/prep_data.py' }],
      edges: [],
    })
    expect(builder.resolveNode(dag, 'Prep')).toMatchObject({ source: 'step-name', specFile: file })
  })

  test('gives a node with a declared script but no spec a default named after the script file', async () => {
    const dag = await dagFile({
      nodes: [{ name: 'Prep', script: 'scripts/prep_data.py' }],
      edges: [],
    })
    const resolution = builder.resolveNode(dag, 'Prep')
    expect(resolution.source).toBe('default')
    expect(resolution.spec).toEqual(createDefaultSpec('prep_data', 'Prep'))
  })

  test('prefers a spec whose step_name is the node over the converted name', async () => {
    await writeSpec('tabular_preprocessing', 'TabularPreprocessing_training')
    const file = await writeSpec('my_preprocessing', 'TabularPreprocessing_calibration')
    const dag = new PipelineDAG().addNode('TabularPreprocessing_calibration')
    expect(builder.resolveNode(dag, 'TabularPreprocessing_calibration')).toMatchObject({
      source: 'step-name',
      scriptName: 'my_preprocessing',
      specFile: file,
    })
  })

  test('when several files claim the node, the one named like the converted node wins', async () => {
    await writeSpec('aaa_copy', 'TabularPreprocessing_training')
    const file = await writeSpec('tabular_preprocessing', 'TabularPreprocessing_training')
    const dag = new PipelineDAG().addNode('TabularPreprocessing_training')
    expect(builder.resolveNode(dag, 'TabularPreprocessing_training').specFile).toBe(file)
  })

  test('finds the spec of a snake_case node by its own name', async () => {
    const file = await writeSpec('tabular_preprocessing', 'Other')
    const dag = new PipelineDAG().addNode('tabular_preprocessing')
    expect(builder.resolveNode(dag, 'tabular_preprocessing')).toMatchObject({
      source: 'script-name',
      specFile: file,
    })
  })

  test('finds tabular_preprocessing for TabularPreprocessing_training (cursus could not)', async () => {
    const file = await writeSpec('tabular_preprocessing', 'TabularPreprocessing_calibration')
    const dag = new PipelineDAG().addNode('TabularPreprocessing_training')
    expect(builder.resolveNode(dag, 'TabularPreprocessing_training')).toMatchObject({
      source: 'converted-name',
      scriptName: 'tabular_preprocessing',
      specFile: file,
    })
  })

  test('shares one spec file between nodes, each with its own step name in memory', async () => {
    await writeSpec('tabular_preprocessing', 'TabularPreprocessing_training')
    const dag = new PipelineDAG()
      .addNode('TabularPreprocessing_training')
      .addNode('TabularPreprocessing_calibration')
    const training = builder.resolveNode(dag, 'TabularPreprocessing_training')
    const calibration = builder.resolveNode(dag, 'TabularPreprocessing_calibration')
    expect(training.source).toBe('step-name')
    expect(calibration.source).toBe('converted-name')
    expect(calibration.specFile).toBe(training.specFile)
    expect(training.spec.stepName).toBe('TabularPreprocessing_training')
    expect(calibration.spec.stepName).toBe('TabularPreprocessing_calibration')
  })

  test('finds xgboost_model_evaluation for XGBoostModelEval_evaluation by fuzzy matching', async () => {
    const file = await writeSpec('xgboost_model_evaluation', 'SomeOtherStep')
    await writeSpec('xgboost_training', 'XGBoostTraining_training')
    const dag = new PipelineDAG().addNode('XGBoostModelEval_evaluation')
    expect(builder.resolveNode(dag, 'XGBoostModelEval_evaluation')).toMatchObject({
      source: 'fuzzy',
      scriptName: 'xgboost_model_evaluation',
      specFile: file,
    })
  })

  test('creates an in-memory default when nothing matches, and writes nothing', async () => {
    await writeSpec('payload', 'Payload')
    const before = await project.snapshot()
    const dag = new PipelineDAG().addNode('XGBoostModelEval_evaluation')
    const resolution = builder.resolveNode(dag, 'XGBoostModelEval_evaluation')
    expect(resolution.source).toBe('default')
    expect(resolution.specFile).toBeUndefined()
    expect(resolution.spec).toEqual(
      createDefaultSpec('xgboost_model_eval', 'XGBoostModelEval_evaluation'),
    )
    expect(await project.snapshot()).toEqual(before)
  })

  test('writes default paths under a custom test data dir, relative to the root', async () => {
    const custom = new PipelineTestingSpecBuilder({ rootDir: project.root, testDataDir: 'qa/data' })
    const resolution = custom.resolveNode(new PipelineDAG().addNode('Train'), 'Train')
    expect(resolution.spec.inputPaths).toEqual({ data_input: 'qa/data/train/input' })
    expect(custom.specsDir).toBe(project.path('qa/data/.specs'))
  })

  test('rejects a node that is not in the DAG, naming the nodes that are', () => {
    const dag = new PipelineDAG().addNode('A').addNode('B')
    expect(() => builder.resolveNode(dag, 'C')).toThrow(
      expect.objectContaining({
        code: 'UNKNOWN_NODE',
        node: 'C',
        message: expect.stringContaining('A, B'),
      }),
    )
  })

  test('throws the load error of the spec file the node would use, naming file and field', async () => {
    const file = await project.write(
      specRel('tabular_preprocessing'),
      spec('tabular_preprocessing', 'X', { output_paths: { data_output: 3 } }),
    )
    const dag = new PipelineDAG().addNode('TabularPreprocessing_training')
    expect(() => builder.resolveNode(dag, 'TabularPreprocessing_training')).toThrow(
      expect.objectContaining({
        code: 'SPEC_INVALID',
        file,
        field: 'output_paths.data_output',
      }),
    )
  })

  test('accepts the DAG as a file path relative to the root', async () => {
    await project.write('p.dag.json', { nodes: ['Train'], edges: [] })
    expect(builder.resolveNode('p.dag.json', 'Train').scriptName).toBe('train')
  })
})

describe('resolveNode: where the script comes from', () => {
  test('script_path of the spec wins over the DAG script and the search', async () => {
    await project.write('tools/prep.py', '')
    await project.write('pipelines/scripts/prep_data.py', '')
    await project.write('scripts/prep_data.py', '')
    await writeSpec('prep_data', 'Prep', { script_path: 'tools/prep.py' })
    const dag = await dagFile({
      nodes: [{ name: 'Prep', script: 'scripts/prep_data.py' }],
      edges: [],
    })
    expect(builder.resolveNode(dag, 'Prep').scriptPath).toBe(project.path('tools/prep.py'))
  })

  test("the DAG node's script wins over the search, relative to the DAG file's folder", async () => {
    await project.write('pipelines/steps/prep.mjs', '')
    await project.write('scripts/prep.py', '')
    const dag = await dagFile({ nodes: [{ name: 'Prep', script: 'steps/prep.mjs' }], edges: [] })
    expect(builder.resolveNode(dag, 'Prep').scriptPath).toBe(
      project.path('pipelines/steps/prep.mjs'),
    )
  })

  test.each([
    ['pipelines/train.py', 'the DAG folder'],
    ['pipelines/scripts/train.py', "the DAG folder's scripts/"],
    ['test/integration/runtime/scripts/train.py', 'the test data scripts/'],
    ['scripts/train.py', 'the root scripts/'],
    ['src/scripts/train.mjs', 'src/scripts/'],
  ])('searches %s (%s) by script name', async (rel) => {
    await project.write(rel, '')
    const dag = await dagFile({ nodes: ['Train_training'], edges: [] })
    expect(builder.resolveNode(dag, 'Train_training').scriptPath).toBe(project.path(rel))
  })

  test('searches nearest to the DAG first, and .py before .mjs, .js and .cjs', async () => {
    await project.write('scripts/train.py', '')
    await project.write('pipelines/scripts/train.js', '')
    await project.write('pipelines/scripts/train.mjs', '')
    const dag = await dagFile({ nodes: ['Train'], edges: [] })
    expect(builder.resolveNode(dag, 'Train').scriptPath).toBe(
      project.path('pipelines/scripts/train.mjs'),
    )
  })

  test('does not take a TypeScript file or a folder for a script', async () => {
    await project.write('scripts/train.ts', '')
    await project.write('scripts/train.py/keep', '')
    const dag = await dagFile({ nodes: ['Train'], edges: [] })
    expect(builder.resolveNode(dag, 'Train').scriptPath).toBeUndefined()
  })

  test('never creates a placeholder script when none is found', async () => {
    const dag = await dagFile({ nodes: ['Train'], edges: [] })
    const before = await project.snapshot()
    expect(builder.resolveNode(dag, 'Train').scriptPath).toBeUndefined()
    expect(await project.snapshot()).toEqual(before)
  })
})
