import { execFileSync } from 'node:child_process'
import { cp, readFile } from 'node:fs/promises'
import { describe, expect } from 'vitest'
import { test } from '../support/fixtures.js'
import { PipelineTestingSpecBuilder } from '../../src/builder/index.js'
import { withProjectConfig } from '../../src/config/index.js'
import { PipelineDAG } from '../../src/dag/index.js'
import { tempProject, specRel, type TempProject } from './temp-project.js'

const fixtures = new URL('../fixtures/specs/', import.meta.url)

let project: TempProject
let builder: PipelineTestingSpecBuilder

test.beforeEach(({ tempDir }) => {
  project = tempProject(tempDir())
  builder = new PipelineTestingSpecBuilder({ rootDir: project.root })
})

async function copyFixture(name: string): Promise<string> {
  const file = project.path(specRel(name))
  await project.write(specRel(name), '')
  await cp(new URL(`${name}_runtime_test_spec.json`, fixtures), file)
  return file
}

/** Keys in file order, so a round trip is checked for order as well as content. */
function withoutLastUpdated(json: Record<string, unknown>) {
  return Object.entries(json).filter(([key]) => key !== 'last_updated')
}

describe('cursus spec files', () => {
  test('load unchanged', async () => {
    await copyFixture('tabular_preprocessing')
    expect(builder.getScriptSpecByName('tabular_preprocessing')).toEqual({
      scriptName: 'tabular_preprocessing',
      stepName: 'TabularPreprocessing_training',
      inputPaths: { data_input: 'test/integration/runtime/tabular_preprocessing/input' },
      outputPaths: { data_output: 'test/integration/runtime/tabular_preprocessing/output' },
      environVars: { LABEL_FIELD: 'label' },
      jobArgs: { job_type: 'training' },
      lastUpdated: '2025-09-12T14:03:27.512345',
    })
  })

  test('round-trip with the same keys in the same order, unknown keys included', async () => {
    for (const name of ['tabular_preprocessing', 'xgboost_model_evaluation']) {
      const file = await copyFixture(name)
      const original = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>
      const { spec } = builder.saveScriptSpec(builder.getScriptSpecByName(name)!)
      const saved = await project.readJson(specRel(name))
      expect(withoutLastUpdated(saved)).toEqual(withoutLastUpdated(original))
      expect(saved.last_updated).toBe(spec.lastUpdated)
      expect(saved.last_updated).not.toBe(original.last_updated)
    }
  })

  test('a file written by Python json.dump(indent=2) loads, and ours is written the same way', async () => {
    // The dict in pydantic's model_dump order, dumped exactly as ScriptExecutionSpec.save_to_file does.
    const python = `
import json, sys
spec = {
  "script_name": "risk_table_mapping", "step_name": "RiskTableMapping_training",
  "script_path": None,
  "input_paths": {"data_input": "test/integration/runtime/risk_table_mapping/input"},
  "output_paths": {"data_output": "test/integration/runtime/risk_table_mapping/output"},
  "environ_vars": {"LABEL_FIELD": "label"}, "job_args": {"job_type": "training"},
  "last_updated": "2025-09-12T14:03:27.512345", "user_notes": None,
}
with open(sys.argv[1], "w") as f:
    json.dump(spec, f, indent=2)
`
    const file = project.path(specRel('risk_table_mapping'))
    await project.write(specRel('risk_table_mapping'), '')
    execFileSync('python3', ['-c', python, file])
    const pythonText = await readFile(file, 'utf8')

    const spec = builder.getScriptSpecByName('risk_table_mapping')!
    expect(spec.stepName).toBe('RiskTableMapping_training')
    builder.saveScriptSpec({ ...spec, lastUpdated: '2025-09-12T14:03:27.512345' })
    const ours = await readFile(file, 'utf8')
    // Byte for byte, except the fresh timestamp and our final newline.
    const normalise = (text: string) =>
      text.replace(/"last_updated": "[^"]*"/, '"last_updated": "T"').trimEnd()
    expect(normalise(ours)).toBe(normalise(pythonText))
  })
})

describe('saving, listing and reading specs', () => {
  test('saveScriptSpec writes atomically and returns the saved spec', async () => {
    const { spec, file } = builder.saveScriptSpec({
      scriptName: 'prep',
      stepName: 'Prep',
      outputPaths: { out: 'data/out' },
    })
    expect(file).toBe(project.path(specRel('prep')))
    expect(spec).toMatchObject({ inputPaths: {}, environVars: {}, jobArgs: {} })
    expect(Object.keys(await project.snapshot('test'))).toEqual([specRel('prep')])
  })

  test('saveScriptSpec rejects an invalid spec before writing, naming the field', () => {
    expect(() => builder.saveScriptSpec({ scriptName: '../escape', stepName: 'Prep' })).toThrow(
      expect.objectContaining({ code: 'SPEC_INVALID', field: 'script_name' }),
    )
    expect(builder.listSavedSpecs()).toEqual([])
  })

  test('listSavedSpecs lists script names sorted, ignoring other files', async () => {
    await project.write(specRel('zeta'), '{}')
    await project.write(specRel('alpha'), '{}')
    await project.write('test/integration/runtime/.specs/notes.txt', '')
    await project.write('test/integration/runtime/.specs/.alpha_runtime_test_spec.json.1.tmp', '')
    expect(builder.listSavedSpecs()).toEqual(['alpha', 'zeta'])
  })

  test('getScriptSpecByName returns undefined for a missing spec and throws for a broken one', async () => {
    expect(builder.getScriptSpecByName('nothing')).toBeUndefined()
    await project.write(specRel('broken'), '{"script_name": 1}')
    expect(() => builder.getScriptSpecByName('broken')).toThrow(
      expect.objectContaining({ code: 'SPEC_INVALID', field: 'script_name' }),
    )
  })

  test('getScriptSpecByName refuses names that would leave .specs/', () => {
    expect(() => builder.getScriptSpecByName('../../etc/passwd')).toThrow(
      expect.objectContaining({ code: 'SPEC_BAD_NAME' }),
    )
  })

  test('getScriptMainParams returns copies', () => {
    const spec = {
      scriptName: 'prep',
      stepName: 'Prep',
      inputPaths: { a: 'x' },
      outputPaths: { b: 'y' },
      environVars: { E: '1' },
      jobArgs: { nested: { list: [1] } },
    }
    const params = builder.getScriptMainParams(spec)
    expect(params).toEqual({
      inputPaths: { a: 'x' },
      outputPaths: { b: 'y' },
      environVars: { E: '1' },
      jobArgs: { nested: { list: [1] } },
    })
    params.inputPaths.a = 'changed'
    params.environVars.E = 'changed'
    ;(params.jobArgs.nested as { list: number[] }).list.push(2)
    expect(spec.inputPaths.a).toBe('x')
    expect(spec.environVars.E).toBe('1')
    expect(spec.jobArgs.nested.list).toEqual([1])
  })
})

describe('updateScriptSpec', () => {
  test('starts from the default when the node has no spec, and saves it', async () => {
    const spec = builder.updateScriptSpec('TabularPreprocessing_training', {
      inputPaths: { data_input: 'data/raw' },
    })
    expect(spec).toMatchObject({
      scriptName: 'tabular_preprocessing',
      stepName: 'TabularPreprocessing_training',
      inputPaths: { data_input: 'data/raw' },
      outputPaths: { data_output: 'test/integration/runtime/tabular_preprocessing/output' },
    })
    expect(builder.getScriptSpecByName('tabular_preprocessing')).toEqual(spec)
  })

  test('merges maps key by key and keeps unknown keys of the file', async () => {
    await copyFixture('xgboost_model_evaluation')
    const spec = builder.updateScriptSpec('XGBoostModelEval_evaluation', {
      inputPaths: { processed_data: 'data/calibration' },
      jobArgs: { n_jobs: 4 },
      userNotes: 'updated',
    })
    expect(spec.inputPaths).toEqual({
      model_input: 'test/integration/runtime/xgboost_training/output/model',
      processed_data: 'data/calibration',
    })
    expect(spec.jobArgs).toEqual({ job_type: 'evaluation', n_jobs: 4, verbose: false })
    expect(spec.userNotes).toBe('updated')
    const saved = await project.readJson(specRel('xgboost_model_evaluation'))
    expect(saved.input_path_specs).toBeDefined()
    expect(saved.output_paths).toEqual({
      eval_output: 'test/integration/runtime/xgboost_model_evaluation/output/eval',
      metrics_output: 'test/integration/runtime/xgboost_model_evaluation/output/metrics',
    })
  })

  test('replaces maps when asked', async () => {
    await copyFixture('xgboost_model_evaluation')
    const spec = builder.updateScriptSpec(
      'XGBoostModelEval_evaluation',
      { inputPaths: { model_input: 'm' }, jobArgs: {} },
      { replaceMaps: true },
    )
    expect(spec.inputPaths).toEqual({ model_input: 'm' })
    expect(spec.jobArgs).toEqual({})
    expect(spec.environVars).toEqual({ ID_FIELD: 'id', LABEL_FIELD: 'label' })
  })

  test('updates the spec of the script a DAG node declares', async () => {
    await project.write('pipelines/p.dag.json', {
      nodes: [{ name: 'Prep', script: 'scripts/prepare.py' }],
      edges: [],
    })
    builder.updateScriptSpec('Prep', { outputPaths: { out: 'o' } }, { dag: 'pipelines/p.dag.json' })
    expect(builder.listSavedSpecs()).toEqual(['prepare'])
  })

  test('rejects an invalid update naming the field, and writes nothing', async () => {
    await copyFixture('tabular_preprocessing')
    const before = await project.snapshot()
    expect(() =>
      builder.updateScriptSpec('TabularPreprocessing_training', {
        outputPaths: { data_output: 42 as unknown as string },
      }),
    ).toThrow(
      expect.objectContaining({
        code: 'SPEC_INVALID',
        node: 'TabularPreprocessing_training',
        field: 'output_paths.data_output',
      }),
    )
    expect(() =>
      builder.updateScriptSpec('TabularPreprocessing_training', { timeoutSeconds: -1 }),
    ).toThrow(expect.objectContaining({ field: 'timeout_seconds' }))
    expect(await project.snapshot()).toEqual(before)
  })

  test('refuses to update over a broken spec file, naming file and field, and changes nothing', async () => {
    const file = await project.write(specRel('tabular_preprocessing'), {
      script_name: 'tabular_preprocessing',
      step_name: 'TabularPreprocessing_training',
      input_paths: { data_input: 'x' },
      output_paths: { data_output: 'y' },
      environ_vars: { A: ['not', 'a', 'string'] },
    })
    const before = await project.snapshot()
    let error: unknown
    try {
      builder.updateScriptSpec('TabularPreprocessing_training', { userNotes: 'x' })
    } catch (caught) {
      error = caught
    }
    expect(error).toMatchObject({ code: 'SPEC_INVALID', file, field: 'environ_vars.A' })
    expect((error as Error).message).toContain(file)
    expect((error as Error).message).toContain('environ_vars.A')
    expect(await project.snapshot()).toEqual(before)
  })
})

describe("cursus's later specs/ folder", () => {
  // cursus's runtime builder moved its ScriptExecutionSpec files from `<test_data_dir>/.specs`
  // to `<test_data_dir>/specs` (same `<script>_runtime_test_spec.json` names).
  const laterRel = (name: string) => specRel(name).replace('/.specs/', '/specs/')

  test('a DAG resolves against the specs in specs/ when .specs/ does not exist', async () => {
    await project.write(laterRel('tabular_preprocessing'), {
      script_name: 'tabular_preprocessing',
      step_name: 'TabularPreprocessing_training',
      script_path: null,
      input_paths: { data_input: 'test/integration/runtime/tabular_preprocessing/input' },
      output_paths: { data_output: 'test/integration/runtime/tabular_preprocessing/output' },
      environ_vars: {},
      job_args: { job_type: 'training' },
      last_updated: '2025-10-12T09:41:03.120511',
      user_notes: null,
    })
    const fresh = new PipelineTestingSpecBuilder({ rootDir: project.root })
    expect(fresh.specsDir).toBe(project.path('test/integration/runtime/specs'))
    const dag = new PipelineDAG().addNode('TabularPreprocessing_training')
    const resolution = fresh.resolveNode(dag, 'TabularPreprocessing_training')
    expect(resolution.specFile).toBe(project.path(laterRel('tabular_preprocessing')))
    expect(resolution.spec.jobArgs).toEqual({ job_type: 'training' })
    // Saved back where it was found, not into a new .specs/.
    fresh.saveScriptSpec({ ...resolution.spec, environVars: { LABEL_FIELD: 'is_fraud' } })
    expect(Object.keys(await project.snapshot('test/integration/runtime'))).toEqual([
      laterRel('tabular_preprocessing'),
    ])
  })

  test('.specs/ wins when both exist; a specs/ folder without spec files is not taken', async () => {
    await project.write('test/integration/runtime/specs/README.md', 'not specs')
    expect(new PipelineTestingSpecBuilder({ rootDir: project.root }).specsDir).toBe(
      project.path('test/integration/runtime/.specs'),
    )
    await project.write(laterRel('a'), '{}')
    await project.write(specRel('b'), '{}')
    expect(new PipelineTestingSpecBuilder({ rootDir: project.root }).specsDir).toBe(
      project.path('test/integration/runtime/.specs'),
    )
  })

  test('the folder can be set: specsDir in the project configuration', async () => {
    await project.write('pipetest.config.json', { specsDir: 'cursus/specs' })
    await project.write('cursus/specs/a_runtime_test_spec.json', '{}')
    const { specsDir } = new PipelineTestingSpecBuilder(withProjectConfig({}, project.root))
    expect(specsDir).toBe(project.path('cursus/specs'))
  })
})
