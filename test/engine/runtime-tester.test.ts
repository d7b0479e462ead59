import { join } from 'node:path'
import { describe, expect } from 'vitest'
import { RuntimeTester } from '../../src/engine/index.js'
import { isPipetestError } from '../../src/errors.js'
import { executionsOf, it, pipelineOf, stepSpec, writeData, type Project } from './helpers.js'

function chainProject(project: Project) {
  writeData(project, 'data/raw/rows.csv', 'rows')
  writeData(project, 'samples/other/rows.csv', 'other rows')
  const specs = [
    stepSpec(project, 'Prep', {
      scriptName: 'tabular_preprocessing',
      inputs: { raw: 'data/raw' },
      outputs: { processed_data: 'out/prep' },
    }),
    stepSpec(project, 'Train', {
      scriptName: 'xgboost_training',
      inputs: { input_path: 'out/prep' },
      outputs: { model_output: 'out/model' },
    }),
  ]
  return { project, specs, pipelineSpec: pipelineOf(project, [['Prep', 'Train']], specs) }
}

describe('RuntimeTester', () => {
  it('validates its configuration', () => {
    let error: unknown
    try {
      new RuntimeTester({ pipelineSpec: { dag: 'not a dag' } } as never)
    } catch (caught) {
      error = caught
    }
    expect(isPipetestError(error)).toBe(true)
    expect((error as Error).message).toMatch(
      /^Invalid RuntimeTestingConfiguration: pipelineSpec\.dag: /,
    )
  })

  it("offers the plan's spec-based methods on one shared run", async ({ project }) => {
    const { specs, pipelineSpec } = chainProject(project)
    const tester = new RuntimeTester({ pipelineSpec })
    const script = await tester.testScriptWithSpec(specs[1]!)
    expect(script).toMatchObject({ kind: 'script', status: 'passed', success: true, node: 'Train' })
    expect(script.wiredFrom).toEqual({ input_path: { node: 'Prep', output: 'processed_data' } })
    const edge = await tester.testDataCompatibilityWithSpecs(specs[0]!, specs[1]!)
    expect(edge).toMatchObject({
      kind: 'edge',
      compatible: true,
      scriptA: 'tabular_preprocessing',
      scriptB: 'xgboost_training',
    })
    const flow = await tester.testPipelineFlowWithSpec()
    expect(flow).toMatchObject({ pipelineSuccess: true, executionOrder: ['Prep', 'Train'] })
    expect(tester.run.executionCount).toBe(2)
    expect(executionsOf(project, 'Train')).toBe(1)
    await tester.close()
  })

  it('lets main params override the spec, as cursus get_script_main_params does', async ({
    project,
  }) => {
    const { specs, pipelineSpec } = chainProject(project)
    const tester = new RuntimeTester({ pipelineSpec })
    const result = await tester.testScriptWithSpec(specs[0]!, {
      inputPaths: { raw: join(project.root, 'samples/other') },
      environVars: { STEP: 'PrepOther', TRACE_DIR: project.traceDir },
    })
    expect(result.status).toBe('passed')
    expect(result.inputs.raw).toBe(join(project.root, 'samples/other'))
    expect(executionsOf(project, 'PrepOther')).toBe(1)
    expect(executionsOf(project, 'Prep')).toBe(0)
  })

  it('tests specs that are not in the DAG as a pipeline of their own', async ({ project }) => {
    const { pipelineSpec } = chainProject(project)
    const tester = new RuntimeTester({ pipelineSpec })
    const a = stepSpec(project, 'Extract', { outputs: { data_output: 'out/extract' } })
    const b = { ...stepSpec(project, 'Load', { inputs: { data_input: 'samples/missing' } }) }
    expect((await tester.testScriptWithSpec(a)).status).toBe('passed')
    const edge = await tester.testDataCompatibilityWithSpecs(a, b)
    expect(edge).toMatchObject({ status: 'passed', from: 'Extract', to: 'Load' })
    expect(edge.wiring).toEqual([
      expect.objectContaining({ output: 'data_output', input: 'data_input', via: 'single' }),
    ])
  })

  it('keeps the backward-compatible methods, by node or script name', async ({ project }) => {
    const { pipelineSpec } = chainProject(project)
    const tester = new RuntimeTester({ pipelineSpec })
    expect((await tester.testScript('xgboost_training')).node).toBe('Train')
    expect((await tester.testDataCompatibility('tabular_preprocessing', 'Train')).compatible).toBe(
      true,
    )
    expect((await tester.testPipelineFlow()).pipelineSuccess).toBe(true)
    await expect(tester.testScript('nope')).rejects.toThrow(
      '"nope" is neither a DAG node nor the script of one',
    )
  })

  it("honours the configuration's tier flags", async ({ project }) => {
    const { pipelineSpec } = chainProject(project)
    const tester = new RuntimeTester({ pipelineSpec, testDataCompatibility: false })
    const { scripts, edges, flow } = await tester.runConfiguredTiers()
    expect(Object.values(scripts).map((r) => r.status)).toEqual(['passed', 'passed'])
    expect(edges['Prep->Train']).toMatchObject({
      status: 'skipped',
      message: 'Skipped: testDataCompatibility is false in the RuntimeTestingConfiguration.',
    })
    expect(flow.status).toBe('passed')
    expect((await tester.testDataCompatibility('Prep', 'Train')).status).toBe('skipped')

    const idle = new RuntimeTester(
      {
        pipelineSpec,
        testIndividualScripts: false,
        testDataCompatibility: false,
        testPipelineFlow: false,
      },
      { runId: 'idle-run' },
    )
    const skipped = await idle.runConfiguredTiers()
    expect(Object.values(skipped.scripts).map((r) => r.status)).toEqual(['skipped', 'skipped'])
    expect(skipped.flow).toMatchObject({ status: 'skipped', executionOrder: ['Prep', 'Train'] })
    expect((await idle.testScript('Prep')).status).toBe('skipped')
    expect((await idle.testPipelineFlow()).status).toBe('skipped')
    expect(idle.run.executionCount).toBe(0)
    await idle.close()
    expect(executionsOf(project, 'Prep')).toBe(1)
  })
})
