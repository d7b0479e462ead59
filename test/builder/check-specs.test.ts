import { mkdirSync } from 'node:fs'
import { describe, expect } from 'vitest'
import { test } from '../support/fixtures.js'
import { PipelineTestingSpecBuilder } from '../../src/builder/index.js'
import { isSpecComplete } from '../../src/builder/completeness.js'
import { PipelineDAG } from '../../src/dag/index.js'
import { createDefaultSpec, type ScriptExecutionSpec } from '../../src/spec/index.js'
import { tempProject, specRel, type TempProject } from './temp-project.js'

let project: TempProject
let builder: PipelineTestingSpecBuilder

test.beforeEach(({ tempDir }) => {
  project = tempProject(tempDir())
  builder = new PipelineTestingSpecBuilder({ rootDir: project.root })
})

const base: ScriptExecutionSpec = {
  scriptName: 'prep',
  stepName: 'Prep',
  inputPaths: { data_input: 'data/in' },
  outputPaths: { data_output: 'data/out' },
  environVars: {},
  jobArgs: {},
}

describe('isSpecComplete', () => {
  test('accepts a default spec', () => {
    expect(isSpecComplete(createDefaultSpec('prep', 'Prep'))).toBe(true)
    expect(builder.isSpecComplete(createDefaultSpec('prep', 'Prep'))).toBe(true)
  })

  test('accepts a source step without inputs', () => {
    expect(isSpecComplete({ ...base, inputPaths: {} })).toBe(true)
  })

  test.each<[string, Partial<ScriptExecutionSpec>]>([
    ['no outputs', { outputPaths: {} }],
    ['a blank output path', { outputPaths: { data_output: '  ' } }],
    ['a blank input path among good ones', { inputPaths: { a: 'x', b: '' } }],
    ['a blank step name', { stepName: ' ' }],
    ['an output written over an input', { outputPaths: { data_output: 'data/in/' } }],
  ])('rejects %s', (_, change) => {
    expect(isSpecComplete({ ...base, ...change })).toBe(false)
  })
})

describe('checkSpecs', () => {
  async function setup(
    specs: Record<string, unknown>,
    nodes: Array<string | { name: string; script: string }>,
  ) {
    for (const [name, json] of Object.entries(specs)) {
      await project.write(specRel(name), typeof json === 'string' ? json : (json as object))
      // The sample data a spec points at exists unless a test says otherwise.
      const inputs = typeof json === 'object' ? (json as { input_paths?: object }).input_paths : {}
      for (const path of Object.values(inputs ?? {})) {
        if (typeof path === 'string' && path.trim() !== '')
          mkdirSync(project.path(path), { recursive: true })
      }
    }
    await project.write('pipeline.dag.json', { nodes, edges: [] })
    return project.path('pipeline.dag.json')
  }

  test('reports inputs that neither exist nor come from an upstream step, with the fix', async () => {
    await project.write('scripts/prep.py', '')
    await project.write('scripts/train.py', '')
    await project.write(specRel('prep'), good('prep', 'Prep'))
    await project.write(specRel('train'), {
      ...good('train', 'Train'),
      // Fed by Prep's declared output: the engine wires it, so it need not exist on disk.
      input_paths: { data_input: 'data/prep/out', config: 'data/train/config.json' },
    })
    await project.write('pipeline.dag.json', {
      nodes: ['Prep', 'Train'],
      edges: [['Prep', 'Train']],
    })
    const problems = builder.checkSpecs(project.path('pipeline.dag.json'))
    expect(problems.map((p) => [p.node, p.kind])).toEqual([
      ['Prep', 'missing-input'],
      ['Train', 'missing-input'],
    ])
    expect(problems[0]!.message).toContain('data_input → data/prep/in')
    expect(problems[1]!.message).toContain('config → data/train/config.json')
    expect(problems[1]!.message).not.toContain('data/prep/out')
    expect(problems[1]!.fix).toContain('pipetest spec set Train --input config=PATH')
  })

  /** Prep writes two outputs; Train's one input points at a path nothing writes. */
  async function prepAndTrain(input: string, edge: unknown): Promise<void> {
    await project.write('scripts/prep.py', '')
    await project.write('scripts/train.py', '')
    await project.write(specRel('prep'), {
      ...good('prep', 'Prep'),
      output_paths: { report: 'data/prep/report', features: 'data/prep/features' },
    })
    await project.write(specRel('train'), {
      ...good('train', 'Train'),
      input_paths: { [input]: 'data/train/missing' },
    })
    await project.write('pipeline.dag.json', { nodes: ['Prep', 'Train'], edges: [edge] })
  }

  test("the fix for a missing input feeds it from the upstream output the DAG's ports name", async () => {
    await prepAndTrain('training_data', {
      from: 'Prep',
      to: 'Train',
      ports: { features: 'training_data' },
    })
    const train = builder
      .checkSpecs(project.path('pipeline.dag.json'))
      .find((problem) => problem.node === 'Train')!
    expect(train.fix).toContain(
      "to feed it from Prep's features: pipetest spec set Train --input training_data=data/prep/features",
    )
    expect(train.fix).not.toContain('report')
  })

  test('the fix offers no upstream output when none is wired to the missing input', async () => {
    await prepAndTrain('config', ['Prep', 'Train'])
    const train = builder
      .checkSpecs(project.path('pipeline.dag.json'))
      .find((problem) => problem.node === 'Train')!
    expect(train.fix).not.toContain('to feed it from')
  })

  const good = (name: string, step: string, extra: object = {}) => ({
    script_name: name,
    step_name: step,
    input_paths: { data_input: `data/${name}/in` },
    output_paths: { data_output: `data/${name}/out` },
    ...extra,
  })

  test('reports nothing for a node with a complete spec and a script', async () => {
    await project.write('scripts/prep.py', '')
    const dag = await setup({ prep: good('prep', 'Prep') }, ['Prep'])
    expect(builder.checkSpecs(dag)).toEqual([])
    expect(() => builder.validateSpecsCompleteness(dag)).not.toThrow()
  })

  test('reports a missing spec with the command that writes the defaults in use', async () => {
    await project.write('scripts/tabular_preprocessing.py', '')
    const dag = await setup({}, ['TabularPreprocessing_training'])
    const [problem, ...rest] = builder.checkSpecs(dag)
    expect(rest).toEqual([])
    expect(problem).toMatchObject({
      node: 'TabularPreprocessing_training',
      scriptName: 'tabular_preprocessing',
      kind: 'missing-spec',
    })
    expect(problem!.message).toContain(
      'test/integration/runtime/.specs/tabular_preprocessing_runtime_test_spec.json',
    )
    expect(problem!.fix).toBe(
      'pipetest spec set TabularPreprocessing_training' +
        ' --input data_input=test/integration/runtime/tabular_preprocessing/input' +
        ' --output data_output=test/integration/runtime/tabular_preprocessing/output\n' +
        'or in code: builder.updateScriptSpec("TabularPreprocessing_training", ' +
        '{"inputPaths":{"data_input":"test/integration/runtime/tabular_preprocessing/input"},' +
        '"outputPaths":{"data_output":"test/integration/runtime/tabular_preprocessing/output"}})',
    )
  })

  test('reports blank paths with a fix that fills each of them', async () => {
    await project.write('scripts/prep.py', '')
    const file = project.path(specRel('prep'))
    const dag = await setup(
      { prep: good('prep', 'Prep', { input_paths: { data_input: '', labels: ' ' } }) },
      ['Prep'],
    )
    expect(builder.checkSpecs(dag)).toEqual([
      {
        node: 'Prep',
        scriptName: 'prep',
        kind: 'incomplete',
        file,
        message: `Spec for "Prep" (${specRel('prep')}): input_paths.data_input, input_paths.labels are blank`,
        fix:
          'pipetest spec set Prep --input data_input=test/integration/runtime/prep/input' +
          ' --input labels=test/integration/runtime/prep/input/labels\n' +
          'or in code: builder.updateScriptSpec("Prep", {"inputPaths":{"data_input":"test/integration/runtime/prep/input","labels":"test/integration/runtime/prep/input/labels"}})',
      },
    ])
  })

  test('reports a spec without outputs', async () => {
    await project.write('scripts/prep.py', '')
    const dag = await setup({ prep: good('prep', 'Prep', { output_paths: {} }) }, ['Prep'])
    const problems = builder.checkSpecs(dag)
    expect(problems.map((p) => p.kind)).toEqual(['no-outputs'])
    expect(problems[0]!.fix).toMatch(
      /^pipetest spec set Prep --output data_output=test\/integration\/runtime\/prep\/output\n/,
    )
  })

  test('reports an output path that is also an input path', async () => {
    await project.write('scripts/prep.py', '')
    const dag = await setup(
      { prep: good('prep', 'Prep', { output_paths: { data_output: './data/prep/in' } }) },
      ['Prep'],
    )
    const [problem] = builder.checkSpecs(dag)
    expect(problem).toMatchObject({ kind: 'incomplete' })
    expect(problem!.message).toContain(
      'output_paths.data_output and input_paths.data_input are the same path',
    )
  })

  test('reports a script that cannot be found, with where it looked', async () => {
    const dag = await setup({ prep: good('prep', 'Prep') }, ['Prep'])
    const [problem] = builder.checkSpecs(dag)
    expect(problem).toMatchObject({ kind: 'script-not-found', node: 'Prep' })
    expect(problem!.message).toBe(
      'Script "prep" for "Prep" not found: looked for prep.py, prep.mjs, prep.js, prep.cjs in ' +
        '., scripts, test/integration/runtime/scripts, src/scripts',
    )
    expect(problem!.fix).toBe(
      'Put the script at scripts/prep.py (or .mjs/.js), or point to it: pipetest spec set Prep --script PATH',
    )
  })

  test('reports a script_path that does not exist and names the file found by name instead', async () => {
    await project.write('scripts/prep.py', '')
    const dag = await setup({ prep: good('prep', 'Prep', { script_path: 'old/prep.py' }) }, [
      'Prep',
    ])
    const [problem] = builder.checkSpecs(dag)
    expect(problem).toMatchObject({ kind: 'script-not-found', file: project.path(specRel('prep')) })
    expect(problem!.message).toBe(
      `Script for "Prep" not found: script_path in ${specRel('prep')} names old/prep.py, which does not exist (scripts/prep.py exists)`,
    )
    expect(problem!.fix).toBe('pipetest spec set Prep --script scripts/prep.py')
  })

  test('reports a DAG script that does not exist, pointing at the DAG file', async () => {
    const dag = await setup({ prep: good('prep', 'Prep') }, [
      { name: 'Prep', script: 'steps/prep.py' },
    ])
    const [problem] = builder.checkSpecs(dag)
    expect(problem!.kind).toBe('script-not-found')
    expect(problem!.fix).toBe(
      'Fix "script" of node "Prep" in pipeline.dag.json, or: pipetest spec set Prep --script PATH',
    )
  })

  test('does not ask for a script when a command spec does not use {script}', async () => {
    const dag = await setup({ prep: good('prep', 'Prep', { command: ['echo', 'hi'] }) }, ['Prep'])
    expect(builder.checkSpecs(dag)).toEqual([])
  })

  test('asks for a script when a command spec uses {script}', async () => {
    const dag = await setup({ prep: good('prep', 'Prep', { command: ['bash', '{script}'] }) }, [
      'Prep',
    ])
    expect(builder.checkSpecs(dag).map((p) => p.kind)).toEqual(['script-not-found'])
  })

  test('turns a broken spec file into a problem naming the file and the field', async () => {
    await project.write('scripts/prep.py', '')
    const dag = await setup(
      { prep: good('prep', 'Prep', { input_paths: { data_input: ['a'] } }) },
      ['Prep'],
    )
    const file = project.path(specRel('prep'))
    expect(builder.checkSpecs(dag)).toEqual([
      {
        node: 'Prep',
        scriptName: 'prep',
        kind: 'invalid-spec',
        file,
        message: `Spec file ${file} is invalid:\n  - input_paths.data_input: expected string, got a list`,
        fix: `In ${specRel('prep')}: Write "input_paths" as {"<logical name>": "<path>"} with string paths.`,
      },
    ])
  })

  test('reports malformed JSON with its line and column', async () => {
    await project.write('scripts/prep.py', '')
    const dag = await setup(
      { prep: '{\n  "script_name": "prep",\n  "step_name": "Prep",\n  "input_paths": {,\n}' },
      ['Prep'],
    )
    const [problem] = builder.checkSpecs(dag)
    expect(problem!.kind).toBe('invalid-spec')
    expect(problem!.message).toContain('is not valid JSON at line 4, column 19')
  })

  test('reports an unknown runner as its own kind', async () => {
    await project.write('scripts/prep.py', '')
    const dag = await setup({ prep: good('prep', 'Prep', { runner: 'ruby' }) }, ['Prep'])
    const [problem] = builder.checkSpecs(dag)
    expect(problem).toMatchObject({ kind: 'unknown-runner' })
    expect(problem!.message).toContain(
      'runner: expected one of "python", "node", "command", got "ruby"',
    )
  })

  test('quotes node names and paths that a shell would split', async () => {
    await project.write('scripts/load_data.py', '')
    const dag = await setup({}, ['Load Data'])
    const [problem] = builder.checkSpecs(dag)
    expect(problem!.fix.split('\n')[0]).toBe(
      "pipetest spec set 'Load Data' --input data_input=test/integration/runtime/load_data/input" +
        ' --output data_output=test/integration/runtime/load_data/output',
    )
  })

  test('accepts a DAG object as well as a file', async () => {
    await project.write('scripts/prep.py', '')
    await setup({ prep: good('prep', 'Prep') }, ['Prep'])
    expect(builder.checkSpecs(new PipelineDAG({ baseDir: project.root }).addNode('Prep'))).toEqual(
      [],
    )
    expect(builder.checkSpecs({ nodes: ['Prep'], edges: [] })).toEqual([])
  })
})
