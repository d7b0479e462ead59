import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, test } from 'vitest'
import {
  commandContract,
  readContracts,
  satisfiesSpecifier,
  type ContractKey,
  type ScriptContract,
} from '../../src/contract/index.js'

const fixtures = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'contracts')
const script = (name: string) => join(fixtures, 'scripts', name)
const pythons = ['python3', '/usr/bin/python3'].filter(
  (python) => python === 'python3' || existsSync(python),
)

const byName = (keys: ContractKey[]) => Object.fromEntries(keys.map((key) => [key.name, key]))

async function contractOf(name: string, python = 'python3'): Promise<ScriptContract> {
  const [contract] = await readContracts([{ scriptPath: script(name) }], { python })
  return contract!
}

describe.each(pythons)('Python contracts read by %s', (python) => {
  test('finds every name main reads, in every access style, with defaults and required-ness', async () => {
    const contract = await contractOf('feature_scaling.py', python)
    expect(contract.error).toBeUndefined()
    expect(contract.source).toBe('code')

    const inputs = byName(contract.inputs)
    // `inputs = input_paths; inputs["training_data"]`: through an alias
    expect(inputs.training_data).toMatchObject({ required: true, line: 54 })
    // `.get("signature")`: optional, default None
    expect(inputs.signature).toMatchObject({ required: false, default: null })
    // read only under `if "scaler_params" in input_paths:`
    expect(inputs.scaler_params).toMatchObject({ required: false })
    expect(Object.keys(inputs).sort()).toEqual(['scaler_params', 'signature', 'training_data'])

    const outputs = byName(contract.outputs)
    expect(outputs.metrics).toMatchObject({ required: true })
    // read by a helper main hands output_paths to
    expect(outputs.scaled_data).toMatchObject({ required: true, line: 33 })

    const env = byName(contract.env)
    expect(env.LABEL_FIELD).toMatchObject({ required: true }) // env = environ_vars or {}; env["LABEL_FIELD"]
    expect(env.SEPARATOR).toMatchObject({ required: false, default: ',' })
    expect(env.MISSING_MARKER).toMatchObject({ required: false, default: null })
    // `_int_env(environ_vars, "MAX_WORKERS", 0)`: the literal arguments of a helper
    expect(env.MAX_WORKERS).toMatchObject({ required: false, default: 0 })
    expect(env.SCALING_METHOD).toMatchObject({ required: false, default: 'standard' })
    expect(env.SCALING_DEBUG).toMatchObject({ required: false, via: 'os.environ' })
    expect(env.DEPLOY_REGION).toMatchObject({ required: true, via: 'os.environ' })
    // The __main__ block never runs under the harness: what it reads is not the contract.
    expect(env.NEVER_READ).toBeUndefined()
    expect(env.X).toBeUndefined()

    const jobArgs = byName(contract.jobArgs)
    expect(jobArgs.job_type).toMatchObject({ required: true })
    expect(jobArgs.epochs).toMatchObject({ required: false, default: 1 })
  })

  test('says where a name is computed or a dict is used whole, instead of guessing', async () => {
    const contract = await contractOf('feature_scaling.py', python)
    expect(contract.computed).toEqual([
      expect.objectContaining({ role: 'outputs', reason: 'a computed key in main' }),
    ])
    expect(contract.whole).toEqual([
      expect.objectContaining({
        role: 'env',
        line: 26,
        reason: expect.stringContaining('items()'),
      }),
    ])
    // logging a dict or printing it in an f-string reads no key
    expect(contract.whole.some((gap) => gap.role === 'inputs')).toBe(false)
  })

  test('classifies imports and follows local modules to their own imports', async () => {
    const contract = await contractOf('feature_scaling.py', python)
    const imports = Object.fromEntries(contract.imports.map((entry) => [entry.module, entry]))
    expect(imports.argparse).toMatchObject({ kind: 'stdlib', available: true })
    expect(imports['shared.columns']).toMatchObject({
      kind: 'local',
      available: true,
      file: script('shared/columns.py'),
    })
    expect(imports['pyarrow.parquet']).toMatchObject({ kind: 'third-party', guarded: true })
    expect(imports.definitely_not_installed_pipetest_module).toMatchObject({
      kind: 'third-party',
      available: false,
      from: script('shared/columns.py'),
    })
    expect(contract.localFiles).toEqual([script('shared/columns.py')])
    expect(contract.interpreter?.executable).toMatch(/python/)
  })

  test("reads main's signature", async () => {
    const good = await contractOf('feature_scaling.py', python)
    expect(good.main).toMatchObject({ kind: 'def', line: 37 })
    expect(good.main?.kind === 'def' && good.main.parameters.map((p) => p.name)).toEqual([
      'input_paths',
      'output_paths',
      'environ_vars',
      'job_args',
    ])
    expect((await contractOf('no_main.py', python)).main).toEqual({ kind: 'no-main' })
    const bad = await contractOf('bad_signature.py', python)
    expect(bad.main?.kind === 'def' && bad.main.parameters.at(-1)).toEqual({
      name: 'threshold',
      kind: 'positional',
      hasDefault: false,
    })
  })

  test('reads a cursus contract file beside scripts/ and reports where it disagrees', async () => {
    const contract = await contractOf('feature_scaling.py', python)
    expect(contract.cursus).toMatchObject({
      file: join(fixtures, 'contracts', 'feature_scaling_contract.py'),
      inputs: ['DATA', 'signature'],
      outputs: ['scaled_data'],
      requiredEnv: ['LABEL_FIELD'],
    })
    const requirements = Object.fromEntries(
      contract.cursus!.frameworkRequirements.map((r) => [r.distribution, r]),
    )
    expect(requirements['pipetest-no-such-distribution']).toMatchObject({
      installed: null,
      satisfied: false,
    })
  })
})

describe('reading never runs the script', () => {
  test('a script that raises when imported still has its contract read', async () => {
    const contract = await contractOf('side_effects.py')
    expect(contract.error).toBeUndefined()
    expect(contract.outputs.map((key) => key.name)).toEqual(['out'])
  })

  test('a syntax error is the contract error, with its line', async () => {
    const contract = await contractOf('broken_syntax.py')
    expect(contract.error).toMatchObject({ kind: 'syntax', line: 1 })
  })

  test('an interpreter that does not exist becomes each Python contract error', async () => {
    const [contract] = await readContracts([{ scriptPath: script('no_main.py') }], {
      python: '/nonexistent/python3',
    })
    expect(contract!.error).toMatchObject({ kind: 'interpreter-not-found' })
    expect(contract!.error!.message).toContain('/nonexistent/python3')
  })
})

describe('imports on a Python without sys.stdlib_module_names (3.8, 3.9)', () => {
  // The real extractor, in an interpreter that lacks the list as 3.8 and 3.9 do: the standard
  // library must then be told by where a module lives, not called third-party.
  const extractor = join(
    dirname(fileURLToPath(import.meta.url)),
    '../../src/contract/extract_contract.py',
  )
  const withoutList = `import sys, runpy; del sys.stdlib_module_names; runpy.run_path(${JSON.stringify(extractor)}, run_name="__main__")`

  test('json, argparse and logging are the standard library', () => {
    const scriptPath = script('feature_scaling.py')
    const result = spawnSync('python3', ['-c', withoutList], {
      input: JSON.stringify({ scripts: [scriptPath], contracts: [] }),
      encoding: 'utf8',
    })
    expect(result.stderr).toBe('')
    const read = JSON.parse(result.stdout) as {
      scripts: Record<string, { imports: Array<{ module: string; kind: string }> }>
    }
    const kinds = Object.fromEntries(
      read.scripts[scriptPath]!.imports.map((entry) => [entry.module, entry.kind]),
    )
    expect(kinds).toMatchObject({ json: 'stdlib', argparse: 'stdlib', logging: 'stdlib' })
    expect(kinds['pyarrow.parquet']).toBe('third-party')
  })
})

describe('Node and command contracts', () => {
  test("a Node script's exported contract", async () => {
    const [exported, plain] = await readContracts(
      [{ scriptPath: script('aggregate_orders.mjs') }, { scriptPath: script('plain.cjs') }],
      { python: 'python3' },
    )
    expect(exported).toMatchObject({
      source: 'node-export',
      inputs: [
        { name: 'orders', required: true },
        { name: 'customers', required: false },
      ],
      outputs: [{ name: 'totals', required: true }],
      env: [
        { name: 'CURRENCY', required: false, default: 'EUR' },
        { name: 'API_TOKEN', required: true },
      ],
      jobArgs: [{ name: 'job_type', required: true }],
    })
    expect(plain).toMatchObject({ source: 'none', inputs: [], outputs: [] })
  })

  test('a command template names its inputs, outputs and arguments', () => {
    const contract = commandContract('/bin/sort', [
      'sort',
      '{input:records}',
      '--out={output:sorted}',
      '--limit={arg:limit}',
      '{{input:literal}}',
    ])
    expect(contract.inputs).toEqual([{ name: 'records', required: true }])
    expect(contract.outputs).toEqual([{ name: 'sorted', required: true }])
    expect(contract.jobArgs).toEqual([{ name: 'limit', required: true }])
  })
})

test.each([
  ['1.5.3', '>=1.3.0', true],
  ['1.2.9', '>=1.3.0', false],
  ['2.0.1', '>=1.3,<2', false],
  ['1.4.0', '~=1.3', true],
  ['2.0', '~=1.3', false],
  ['1.3.7', '==1.3.*', true],
  ['1.21.0', '>=1.21.0', true],
])('version %s against %s: %s', (version, specifier, expected) => {
  expect(satisfiesSpecifier(version, specifier)).toBe(expected)
})
