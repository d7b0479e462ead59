import { describe, expect, test } from 'vitest'
import { parseJson } from '../../src/files/json.js'
import { specFileText, specFromJson, specToJson } from '../../src/spec/index.js'
import { errorOf } from '../support/error-of.js'

const cursusJson = {
  script_name: 'tabular_preprocessing',
  step_name: 'TabularPreprocessing_training',
  script_path: null,
  input_paths: { data_input: 'in' },
  output_paths: { data_output: 'out' },
  environ_vars: { LABEL_FIELD: 'label' },
  job_args: { job_type: 'training' },
  last_updated: '2025-09-12T14:03:27.512345',
  user_notes: null,
}

describe('spec codec', () => {
  test('reads cursus snake_case keys into camelCase, nulls as absent', () => {
    expect(specFromJson(cursusJson, 'f.json')).toEqual({
      scriptName: 'tabular_preprocessing',
      stepName: 'TabularPreprocessing_training',
      inputPaths: { data_input: 'in' },
      outputPaths: { data_output: 'out' },
      environVars: { LABEL_FIELD: 'label' },
      jobArgs: { job_type: 'training' },
      lastUpdated: '2025-09-12T14:03:27.512345',
    })
  })

  test('writes back exactly the cursus object, keys in cursus order', () => {
    const json = specToJson(specFromJson(cursusJson, 'f.json'))
    expect(Object.entries(json)).toEqual(Object.entries(cursusJson))
  })

  test('keeps unknown keys through a round trip, after the known ones', () => {
    const withExtra = { ...cursusJson, input_path_specs: { a: { aliases: ['x'] } }, owner: 'me' }
    const spec = specFromJson(withExtra, 'f.json')
    expect(spec.extra).toEqual({ input_path_specs: { a: { aliases: ['x'] } }, owner: 'me' })
    expect(specToJson(spec)).toEqual(withExtra)
  })

  test('reads and writes our optional keys', () => {
    const json = {
      ...cursusJson,
      runner: 'command',
      command: ['bash', '{script}'],
      timeout_seconds: 30,
      python: 'python3.11',
    }
    const spec = specFromJson(json, 'f.json')
    expect(spec).toMatchObject({
      runner: 'command',
      command: ['bash', '{script}'],
      timeoutSeconds: 30,
      python: 'python3.11',
    })
    expect(specToJson(spec)).toEqual(json)
  })

  test('fills missing maps with empty ones and turns env numbers and booleans into strings', () => {
    const spec = specFromJson(
      { script_name: 'a', step_name: 'A', environ_vars: { N: 1, B: true } },
      'f.json',
    )
    expect(spec).toMatchObject({ inputPaths: {}, outputPaths: {}, jobArgs: {} })
    expect(spec.environVars).toEqual({ N: '1', B: 'true' })
  })

  test.each<[string, unknown, string, string]>([
    [
      'a missing script_name',
      { step_name: 'A' },
      'script_name',
      'script_name: expected string, got nothing (the field is missing)',
    ],
    [
      'a path that is not a string',
      { script_name: 'a', step_name: 'A', input_paths: { data: 3 } },
      'input_paths.data',
      'input_paths.data: expected string, got number 3',
    ],
    [
      'an unknown runner',
      { script_name: 'a', step_name: 'A', runner: 'ruby' },
      'runner',
      'runner: expected one of "python", "node", "command", got "ruby"',
    ],
    [
      'a script name with a slash',
      { script_name: '../a', step_name: 'A' },
      'script_name',
      'script_name: must not contain "/" or "\\"',
    ],
    [
      'a negative timeout',
      { script_name: 'a', step_name: 'A', timeout_seconds: -1 },
      'timeout_seconds',
      'timeout_seconds:',
    ],
  ])('rejects %s, naming the file and the field', (_, json, field, line) => {
    const error = errorOf(() => specFromJson(json, '/specs/a.json'))
    expect(error).toMatchObject({ code: 'SPEC_INVALID', file: '/specs/a.json', field })
    expect(error.message).toContain('Spec file /specs/a.json is invalid:')
    expect(error.message).toContain(`  - ${line}`)
    expect(error.hint).toBeTypeOf('string')
  })

  test('lists every invalid field, not only the first', () => {
    const error = errorOf(() =>
      specFromJson({ script_name: 'a', step_name: 3, output_paths: [] }, 'f.json'),
    )
    expect(error.message).toContain('  - step_name:')
    expect(error.message).toContain('  - output_paths: expected record, got a list')
  })

  test('accepts what cursus accepts: an empty step_name and script_path', () => {
    const spec = specFromJson({ ...cursusJson, step_name: '', script_path: '' }, 'f.json')
    expect(spec).toMatchObject({ stepName: '', scriptPath: '' })
    expect(specToJson(spec)).toEqual({ ...cursusJson, step_name: '', script_path: '' })
  })

  test('keeps numbers as written in job_args and unknown keys; 30.0 seconds is 30', () => {
    const text = `{"script_name": "a", "step_name": "A", "job_args": {"lr": 1.0, "seed": 9223372036854775808, "eps": NaN}, "timeout_seconds": 30.0, "env_note": 1e-05}`
    const spec = specFromJson(
      parseJson(text, 'f.json', 'SPEC_INVALID_JSON', 'Spec file', { lossless: true }),
      'f.json',
    )
    expect(spec.timeoutSeconds).toBe(30)
    const written = specFileText(spec)
    expect(written).toContain('"lr": 1.0,')
    expect(written).toContain('"seed": 9223372036854775808,')
    expect(written).toContain('"eps": NaN')
    expect(written).toContain('"env_note": 1e-05')
  })

  test('a number-like value of the wrong type reads as a number in the message', () => {
    const json = parseJson(
      '{"script_name": "a", "step_name": "A", "input_paths": {"x": 1.0}}',
      'f.json',
      'SPEC_INVALID_JSON',
      'Spec file',
      { lossless: true },
    )
    expect(errorOf(() => specFromJson(json, 'f.json')).message).toContain(
      'input_paths.x: expected string, got number 1.0',
    )
  })

  test('rejects a file that is not an object', () => {
    expect(errorOf(() => specFromJson([], 'f.json'))).toMatchObject({
      code: 'SPEC_INVALID',
      message: expect.stringContaining('must hold a JSON object'),
    })
  })
})
