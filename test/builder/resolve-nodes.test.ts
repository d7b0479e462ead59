import { afterEach, describe, expect, vi } from 'vitest'
import { test } from '../support/fixtures.js'
import { PipelineTestingSpecBuilder } from '../../src/builder/index.js'
import { PipelineDAG } from '../../src/dag/index.js'
import { isPipetestError } from '../../src/errors.js'
import { tempProject, specRel, type TempProject } from './temp-project.js'

let project: TempProject

test.beforeEach(({ tempDir }) => {
  project = tempProject(tempDir())
  // The CI variable of the machine running these tests must not decide what they see.
  vi.stubEnv('CI', '')
})
afterEach(() => {
  vi.unstubAllEnvs()
})

function spec(scriptName: string, stepName: string, extra: Record<string, unknown> = {}) {
  return {
    script_name: scriptName,
    step_name: stepName,
    script_path: null,
    input_paths: {},
    output_paths: { data_output: `data/${scriptName}/out` },
    environ_vars: {},
    job_args: {},
    last_updated: null,
    user_notes: null,
    ...extra,
  }
}

/**
 * One node per way of finding a spec: the DAG's declared script, a `step_name` claim, the
 * converted node name, a fuzzy match, a broken file and nothing at all (a default).
 */
async function mixedDag(): Promise<PipelineDAG> {
  await project.write('pipelines/scripts/prep_data.py', 'def main(a, b, c, d): pass\n')
  await project.write('pipelines/scripts/tabular_preprocessing.py', 'def main(a, b, c, d): pass\n')
  await project.write(specRel('prep_data'), spec('prep_data', 'SomethingElse'))
  await project.write(specRel('custom_train'), spec('custom_train', 'Train'))
  await project.write(specRel('tabular_preprocessing'), spec('tabular_preprocessing', 'Other'))
  await project.write(specRel('xgboost_model_evaluation'), spec('xgboost_model_evaluation', 'X'))
  await project.write(specRel('broken'), '{"script_name": "broken",')
  await project.write('pipelines/p.dag.json', {
    nodes: [
      { name: 'Prep', script: 'scripts/prep_data.py' },
      'Train',
      'TabularPreprocessing_training',
      'XGBoostModelEval_evaluation',
      'broken',
      'Lonely',
    ],
    edges: [
      { from: 'Prep', to: 'Train' },
      { from: 'Train', to: 'XGBoostModelEval_evaluation' },
    ],
  })
  return PipelineDAG.fromFile(project.path('pipelines/p.dag.json'))
}

describe('resolveNodes', () => {
  test('gives each node what resolveNode gives, and the problems checkSpecs gives', async () => {
    const dag = await mixedDag()
    const builder = new PipelineTestingSpecBuilder({ rootDir: project.root })
    const report = builder.resolveNodes(dag)

    expect(report.dag.nodes).toEqual(dag.nodes)
    expect(report.nodes.map((entry) => [entry.node, entry.resolution.source])).toEqual([
      ['Prep', 'dag-script'],
      ['Train', 'step-name'],
      ['TabularPreprocessing_training', 'converted-name'],
      ['XGBoostModelEval_evaluation', 'fuzzy'],
      ['broken', 'default'],
      ['Lonely', 'default'],
    ])
    for (const entry of report.nodes) {
      if (entry.node === 'broken') continue
      expect(entry.error).toBeUndefined()
      expect(entry.resolution).toEqual(builder.resolveNode(dag, entry.node))
    }
    expect(report.problems).toEqual(builder.checkSpecs(dag))
    expect(report.nodes.flatMap((entry) => entry.problems)).toEqual(report.problems)
    expect(report.nodes.find((entry) => entry.node === 'Lonely')!.problems[0]!.kind).toBe(
      'missing-spec',
    )
  })

  test('carries the error resolveNode throws for a broken spec file instead of throwing', async () => {
    const dag = await mixedDag()
    const builder = new PipelineTestingSpecBuilder({ rootDir: project.root })
    const broken = builder.resolveNodes(dag).nodes.find((entry) => entry.node === 'broken')!

    let thrown: unknown
    try {
      builder.resolveNode(dag, 'broken')
    } catch (error) {
      thrown = error
    }
    expect(isPipetestError(thrown)).toBe(true)
    expect(broken.error).toMatchObject({
      code: (thrown as { code: string }).code,
      message: (thrown as Error).message,
      file: project.path(specRel('broken')),
    })
    expect(broken.problems.map((problem) => problem.kind)).toEqual([
      'invalid-spec',
      'script-not-found',
    ])
  })

  test('writes nothing, even with persistDefaults', async () => {
    const dag = await mixedDag()
    const before = await project.snapshot()
    new PipelineTestingSpecBuilder({ rootDir: project.root, persistDefaults: true }).resolveNodes(
      dag,
    )
    expect(await project.snapshot()).toEqual(before)
  })
})

describe('buildFromDagWithReport', () => {
  test('builds what buildFromDag builds and reports what checkSpecs and resolveNode report', async () => {
    const dag = await mixedDag()
    const builder = new PipelineTestingSpecBuilder({ rootDir: project.root })
    const report = builder.buildFromDagWithReport(dag)

    expect(report.pipelineSpec).toEqual(builder.buildFromDag(dag, { validate: false }))
    expect(report.problems).toEqual(builder.checkSpecs(dag))
    expect(report.nodes).toEqual(builder.resolveNodes(dag).nodes)
  })

  test('with persistDefaults, reports the specs as written: what a later check finds', async () => {
    const dag = await mixedDag()
    const builder = new PipelineTestingSpecBuilder({ rootDir: project.root, persistDefaults: true })
    const report = builder.buildFromDagWithReport(dag)

    // Written for the node without a spec; never over the broken file.
    expect(builder.listSavedSpecs()).toContain('lonely')
    expect(await project.read(specRel('broken'))).toBe('{"script_name": "broken",')
    // The calls collection made one after another before, each resolving the DAG again.
    const fresh = new PipelineTestingSpecBuilder({ rootDir: project.root })
    expect(report.problems).toEqual(fresh.checkSpecs(dag))
    for (const entry of report.nodes) {
      if (entry.node === 'broken') continue
      expect(entry.resolution.specFile).toBe(fresh.resolveNode(dag, entry.node).specFile)
    }
    expect(report.pipelineSpec.scriptSpecs.Lonely!.lastUpdated).toBeDefined()
  })

  test('with persistDefaults, two nodes sharing a default script share its file', async () => {
    const builder = new PipelineTestingSpecBuilder({ rootDir: project.root, persistDefaults: true })
    const report = builder.buildFromDagWithReport({
      nodes: ['Prep_training', 'Prep_calibration'],
      edges: [],
    })
    const file = project.path(specRel('prep'))
    expect(report.nodes.map((entry) => entry.resolution.specFile)).toEqual([file, file])
    expect(report.problems.map((problem) => [problem.node, problem.kind])).toEqual([
      ['Prep_training', 'script-not-found'],
      ['Prep_training', 'missing-input'],
      ['Prep_calibration', 'script-not-found'],
      ['Prep_calibration', 'missing-input'],
    ])
    expect(report.problems).toEqual(builder.checkSpecs(report.dag))
  })
})

describe('createMissingSpecs', () => {
  test('writes a default for each node without a spec and leaves every existing file alone', async () => {
    const dag = await mixedDag()
    const before = await project.snapshot('test/integration/runtime/.specs')
    const builder = new PipelineTestingSpecBuilder({ rootDir: project.root })
    const outcomes = builder.createMissingSpecs(dag)

    expect(
      outcomes.map((outcome) => [
        outcome.node,
        outcome.action,
        outcome.action === 'unreadable' ? outcome.error.code : outcome.file,
      ]),
    ).toEqual([
      ['Prep', 'existing', project.path(specRel('prep_data'))],
      ['Train', 'existing', project.path(specRel('custom_train'))],
      ['TabularPreprocessing_training', 'existing', project.path(specRel('tabular_preprocessing'))],
      [
        'XGBoostModelEval_evaluation',
        'existing',
        project.path(specRel('xgboost_model_evaluation')),
      ],
      ['broken', 'unreadable', 'SPEC_INVALID_JSON'],
      ['Lonely', 'created', project.path(specRel('lonely'))],
    ])
    expect(outcomes[3]).toMatchObject({ source: 'fuzzy' })
    const after = await project.snapshot('test/integration/runtime/.specs')
    expect(Object.keys(after)).toEqual(
      expect.arrayContaining(['test/integration/runtime/.specs/lonely_runtime_test_spec.json']),
    )
    for (const [file, hash] of Object.entries(before)) expect(after[file]).toBe(hash)
    expect((await project.readJson(specRel('lonely'))).step_name).toBe('Lonely')
  })

  test('a node running the script of an earlier node shares the file written for it', async () => {
    const builder = new PipelineTestingSpecBuilder({ rootDir: project.root })
    const dag = { nodes: ['Prep_training', 'Other', 'Prep_calibration'], edges: [] }
    const file = project.path(specRel('prep'))

    expect(builder.createMissingSpecs(dag)).toEqual([
      { node: 'Prep_training', action: 'created', file },
      { node: 'Other', action: 'created', file: project.path(specRel('other')) },
      { node: 'Prep_calibration', action: 'shared', file, createdFor: 'Prep_training' },
    ])
    // As the builder resolves them from now on.
    expect(builder.resolveNode(dag, 'Prep_calibration').specFile).toBe(file)
    expect(builder.createMissingSpecs(dag).map((outcome) => outcome.action)).toEqual([
      'existing',
      'existing',
      'existing',
    ])
  })

  test('writes even when the CI environment variable is set: it is an explicit request', async () => {
    vi.stubEnv('CI', 'true')
    const builder = new PipelineTestingSpecBuilder({ rootDir: project.root })
    builder.createMissingSpecs({ nodes: ['Prep'], edges: [] })
    expect(builder.listSavedSpecs()).toEqual(['prep'])
  })
})
