import { describe, expect, test } from 'vitest'
import {
  assertScriptName,
  createDefaultSpec,
  runtimeTestingConfigurationSchema,
  scriptExecutionSpecSchema,
} from '../../src/spec/index.js'
import { PipelineDAG } from '../../src/dag/index.js'

describe('createDefaultSpec', () => {
  test("gives the plan's defaults under the test data dir", () => {
    expect(createDefaultSpec('tabular_preprocessing', 'TabularPreprocessing_training')).toEqual({
      scriptName: 'tabular_preprocessing',
      stepName: 'TabularPreprocessing_training',
      inputPaths: { data_input: 'test/integration/runtime/tabular_preprocessing/input' },
      outputPaths: { data_output: 'test/integration/runtime/tabular_preprocessing/output' },
      environVars: { LABEL_FIELD: 'label' },
      jobArgs: { job_type: 'testing' },
    })
  })

  test('writes paths with / whatever separator the test data dir uses', () => {
    expect(createDefaultSpec('a', 'A', 'qa\\data').inputPaths).toEqual({
      data_input: 'qa/data/a/input',
    })
  })

  test('refuses a script name that could write outside .specs/', () => {
    expect(() => createDefaultSpec('../a', 'A')).toThrow(
      expect.objectContaining({ code: 'SPEC_BAD_NAME', field: 'script_name' }),
    )
  })
})

describe('script names', () => {
  test.each(['a/b', 'a\\b', '..', 'a..b', '.hidden', '', 'a\u0000b', 'c:d', 'a*b'])(
    'rejects %j',
    (name) => {
      expect(() => assertScriptName(name)).toThrow(
        expect.objectContaining({ code: 'SPEC_BAD_NAME' }),
      )
    },
  )

  test.each(['tabular_preprocessing', 'model-eval', 'Step2', 'a.b'])('accepts %j', (name) => {
    expect(assertScriptName(name)).toBe(name)
  })

  test('the error says what is wrong with the name', () => {
    expect(() => assertScriptName('../x')).toThrow(
      'Invalid script name "../x": must not contain "/" or "\\"',
    )
  })
})

describe('schemas', () => {
  test('fill defaults for the maps of a spec', () => {
    expect(scriptExecutionSpecSchema().parse({ scriptName: 'a', stepName: 'A' })).toEqual({
      scriptName: 'a',
      stepName: 'A',
      inputPaths: {},
      outputPaths: {},
      environVars: {},
      jobArgs: {},
    })
  })

  test('give the runtime configuration its defaults: all tiers on', () => {
    const config = runtimeTestingConfigurationSchema().parse({
      pipelineSpec: { dag: new PipelineDAG().addNode('A'), scriptSpecs: {}, rootDir: '/r' },
    })
    expect(config).toMatchObject({
      testIndividualScripts: true,
      testDataCompatibility: true,
      testPipelineFlow: true,
    })
    expect(config.pipelineSpec.testWorkspaceRoot).toBe('test/integration/runtime')
  })
})
