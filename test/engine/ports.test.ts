import { describe, expect, it } from 'vitest'
import { resolvePorts, type PortResolution } from '../../src/engine/ports.js'
import type { ScriptExecutionSpec } from '../../src/spec/index.js'

const ROOT = '/project'

function spec(
  stepName: string,
  inputPaths: Record<string, string>,
  outputPaths: Record<string, string>,
): ScriptExecutionSpec {
  return {
    scriptName: stepName.toLowerCase(),
    stepName,
    inputPaths,
    outputPaths,
    environVars: {},
    jobArgs: {},
  }
}

function wiring(resolution: PortResolution) {
  if (!resolution.ok) throw new Error(resolution.message)
  return resolution.wiring
}

function failure(resolution: PortResolution) {
  if (resolution.ok) throw new Error(`expected a failure, got ${JSON.stringify(resolution.wiring)}`)
  return resolution
}

const edge = { from: 'A', to: 'B' }

describe('resolvePorts', () => {
  it("uses the edge's explicit ports, and only those", () => {
    const a = spec('A', {}, { data_output: 'out/a', model: 'out/m' })
    const b = spec('B', { model: 'in/m', features: 'in/f' }, {})
    expect(
      wiring(resolvePorts({ ...edge, ports: { data_output: 'features' } }, a, b, ROOT)),
    ).toEqual([{ output: 'data_output', input: 'features', via: 'ports' }])
  })

  it('rejects explicit ports naming ports that do not exist', () => {
    const a = spec('A', {}, { data_output: 'out/a' })
    const b = spec('B', { features: 'in/f' }, {})
    const result = failure(resolvePorts({ ...edge, ports: { data: 'feature' } }, a, b, ROOT))
    expect(result.reason).toBe('invalid-ports')
    expect(result.message).toContain('output "data" is not one of the upstream\'s outputs')
    expect(result.message).toContain('input "feature" is not one of the downstream\'s inputs')
    expect(result.fix).toBe('"ports": {"data_output": "features"}')
  })

  it('wires by equal resolved paths first, including inputs inside an output folder', () => {
    const a = spec('A', {}, { processed: 'data/prep', metrics: 'data/metrics.json' })
    const b = spec('B', { training: './data/prep/train', scores: '/project/data/metrics.json' }, {})
    expect(wiring(resolvePorts(edge, a, b, ROOT))).toEqual([
      { output: 'processed', input: 'training', via: 'path', subpath: 'train' },
      { output: 'metrics', input: 'scores', via: 'path' },
    ])
  })

  it('wires by equal logical names, together with path matches', () => {
    const a = spec('A', {}, { data_output: 'out/a', model: 'out/m' })
    const b = spec('B', { model: 'samples/m', hyperparameters: 'conf/h.json', data: 'out/a' }, {})
    expect(wiring(resolvePorts(edge, a, b, ROOT))).toEqual([
      { output: 'model', input: 'model', via: 'name' },
      { output: 'data_output', input: 'data', via: 'path' },
    ])
  })

  it("pairs A's single output with B's single input", () => {
    const a = spec('A', {}, { processed_data: 'out/a' })
    const b = spec('B', { input_path: 'samples/b' }, {})
    expect(wiring(resolvePorts(edge, a, b, ROOT))).toEqual([
      { output: 'processed_data', input: 'input_path', via: 'single' },
    ])
  })

  it('pairs the single output with the one input nothing else feeds', () => {
    const a = spec('A', {}, { processed_data: 'out/a' })
    const b = spec('B', { data_input: 'out/c', model_input: 'samples/m' }, {})
    const resolution = resolvePorts(edge, a, b, ROOT, { fedElsewhere: ['data_input'] })
    expect(wiring(resolution)).toEqual([
      { output: 'processed_data', input: 'model_input', via: 'single' },
    ])
  })

  it("matches names by cursus' similarity score above the threshold", () => {
    const a = spec('A', {}, { model_output: 'out/m', eval_output: 'out/e' })
    const b = spec('B', { evaluation_data: 'samples/e', model_input: 'samples/m' }, {})
    expect(wiring(resolvePorts(edge, a, b, ROOT))).toEqual([
      { output: 'eval_output', input: 'evaluation_data', via: 'similarity' },
      { output: 'model_output', input: 'model_input', via: 'similarity' },
    ])
  })

  it('is deterministic: the same specs always give the same wiring', () => {
    const a = spec('A', {}, { model_output: 'out/m', eval_output: 'out/e', extra: 'out/x' })
    const b = spec('B', { evaluation_data: 'samples/e', model_input: 'samples/m' }, {})
    const first = JSON.stringify(resolvePorts(edge, a, b, ROOT))
    for (let i = 0; i < 20; i++) expect(JSON.stringify(resolvePorts(edge, a, b, ROOT))).toBe(first)
  })

  it('reports equally good candidates as ambiguous, with the ports entry that settles it', () => {
    const a = spec('A', {}, { x_data: 'out/x', y_data: 'out/y' })
    const b = spec('B', { data_input: 'samples/d' }, {})
    const result = failure(
      resolvePorts(edge, a, b, ROOT, { dagFile: '/project/pipeline.dag.json' }),
    )
    expect(result.reason).toBe('ambiguous')
    expect(result.message.split('\n')).toEqual([
      'Cannot wire edge A → B: the port names are ambiguous: x_data → data_input (0.546) and y_data → data_input (0.546) score the same.',
      '  A outputs: x_data (/project/out/x), y_data (/project/out/y)',
      '  B inputs: data_input (/project/samples/d)',
      'Say which output feeds which input: add "ports": {"x_data": "data_input"} to the edge in /project/pipeline.dag.json, e.g.',
      '  {"from": "A", "to": "B", "ports": {"x_data": "data_input"}}',
    ])
    expect(result.fix).toBe('"ports": {"x_data": "data_input"}')
  })

  it('fails with both sides listed and the closest pair suggested when nothing matches', () => {
    const a = spec('A', {}, { data_output: 'out/a', metrics: 'out/m' })
    const b = spec('B', { input_path: 'samples/b', config: 'conf' }, {})
    const result = failure(resolvePorts(edge, a, b, ROOT, { fedElsewhere: ['config'] }))
    expect(result.reason).toBe('unresolvable')
    expect(result.message).toContain(
      'no output matches an input by path, name or similarity (threshold 0.5)',
    )
    expect(result.message).toContain(
      'A outputs: data_output (/project/out/a), metrics (/project/out/m)',
    )
    expect(result.message).toContain('config (/project/conf, fed by another node)')
    expect(result.message).toContain('in the DAG')
    expect(result.fix).toBe('"ports": {"data_output": "input_path"}')
  })

  it('says which spec to complete when a side has no ports', () => {
    const none = failure(resolvePorts(edge, spec('A', {}, {}), spec('B', { d: 'x' }, {}), ROOT))
    expect(none.message).toContain('A declares no outputs.')
    expect(none.fix).toBe('pipetest spec set A --output NAME=PATH')
    const fed = failure(
      resolvePorts(edge, spec('A', {}, { o: 'y' }), spec('B', { d: 'x' }, {}), ROOT, {
        fedElsewhere: ['d'],
      }),
    )
    expect(fed.message).toContain('every input of B is already fed by another node.')
  })
})
