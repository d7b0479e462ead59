import { afterAll, describe, expect } from 'vitest'
import {
  toBeCompatibleWith,
  toProduceOutputs,
  toProduceOutputsFor,
  toRunSuccessfully,
} from '../../src/matchers/index.js'
import { runPipeline, runScript } from '../../src/suite/helpers.js'
import { closeSharedRuns } from '../../src/suite/shared-runs.js'
import { test } from '../support/fixtures.js'

let root: string
const dag = 'pipeline.dag.json'
const broken = 'broken.dag.json'
afterAll(() => closeSharedRuns())

test.beforeAll(async ({ fileFixtureProject }) => {
  root = await fileFixtureProject(['passing', 'vitest-hand-written'])
})

describe('toRunSuccessfully', () => {
  test('passes for a passed script, edge and flow, with a message for .not', async () => {
    const result = await runScript('Preprocess', { dag, rootDir: root })
    const verdict = toRunSuccessfully(result)
    expect(verdict.pass).toBe(true)
    expect(verdict.message()).toBe('expected Preprocess not to run successfully, but it passed')
    const flow = await runPipeline(dag, { rootDir: root })
    expect(toRunSuccessfully(flow).pass).toBe(true)
    expect(toRunSuccessfully(flow).message()).toBe(
      'expected the passing flow not to run successfully, but it passed',
    )
  })

  test('fails a crashing script with the traceback and the run folder', async () => {
    const result = await runScript('Crash', { dag: broken, rootDir: root })
    const verdict = toRunSuccessfully(result)
    expect(verdict.pass).toBe(false)
    const message = verdict.message()
    expect(message.split('\n').slice(0, 2)).toEqual([
      'expected Crash to run successfully:',
      "Crash failed (exception): main() raised ValueError: bad amount: '12,5'",
    ])
    expect(message).toContain('  script: scripts/crash.py (python)')
    expect(message).toContain('ValueError: bad amount')
    expect(message).toContain(`run folder: ${result.runDir}`)
  })

  test('throws naming what it got when given something that is not a result', () => {
    expect(() => toRunSuccessfully(Promise.resolve())).toThrow(
      /^toRunSuccessfully: expected a script, edge or flow result, got a Promise\nDid you forget `await`\?/,
    )
    expect(() => toRunSuccessfully({ status: 'passed' })).toThrow(
      'toRunSuccessfully: expected a script, edge or flow result, got an object with keys status',
    )
  })
})

describe('toProduceOutputs', () => {
  test('passes when every named (default: declared) output holds data', async () => {
    const result = await runScript('Preprocess', { dag, rootDir: root })
    expect(toProduceOutputs(result).pass).toBe(true)
    expect(toProduceOutputs(result, ['data_output'])).toMatchObject({
      pass: true,
      actual: ['data_output'],
      expected: ['data_output'],
    })
  })

  test('names the missing output and where it was expected', async () => {
    const result = await runScript('Lazy', { dag: broken, rootDir: root })
    expect(toProduceOutputs(result, ['summary']).pass).toBe(true)
    const verdict = toProduceOutputs(result)
    expect(verdict.pass).toBe(false)
    expect(verdict.message()).toContain(
      'expected Lazy to write summary, details, but it did not write details:',
    )
    expect(verdict.message()).toContain(
      `  details: empty folder at ${result.runDir}/outputs/details`,
    )
  })

  test('throws for an output the spec does not declare, even under .not', async () => {
    const result = await runScript('Lazy', { dag: broken, rootDir: root })
    expect(() => toProduceOutputs(result, ['nope'])).toThrow(
      'toProduceOutputs: Lazy declares no output nope\nIts spec declares: summary, details.',
    )
  })
})

describe('toProduceOutputsFor', () => {
  test("passes when the upstream wrote every output wired to the downstream's inputs", async () => {
    const result = await runScript('Preprocess', { dag, rootDir: root })
    const verdict = toProduceOutputsFor(result, 'Train')
    expect(verdict.pass).toBe(true)
    expect(verdict.message()).toBe(
      'expected Preprocess not to write what Train reads (data_output → Train.data_input), but it wrote them all',
    )
  })

  test('fails naming the output the edge needs and the script did not write', async () => {
    const verdict = toProduceOutputsFor(
      await runScript('Lazy', { dag: broken, rootDir: root }),
      'Reader',
    )
    expect(verdict.pass).toBe(false)
    expect(verdict.message().split('\n')[0]).toBe(
      'expected Lazy to write what Reader reads (details → Reader.details_input), but it did not write details:',
    )
  })

  test('refuses a pair of nodes that is not an edge', async () => {
    const result = await runScript('Crash', { dag: broken, rootDir: root })
    expect(() => toProduceOutputsFor(result, 'Reader')).toThrow(
      /Crash → Reader is not an edge of the DAG .*\nCrash feeds: Lazy\./,
    )
  })

  test('needs a result that knows its pipeline', async () => {
    const result = await runScript('Preprocess', { dag, rootDir: root })
    const copy = JSON.parse(JSON.stringify(result)) as unknown
    expect(() => toProduceOutputsFor(copy, 'Train')).toThrow(
      "toProduceOutputsFor needs to know the pipeline of Preprocess's result",
    )
  })
})

describe('toBeCompatibleWith', () => {
  test('runs the edge: passes when the downstream works on the real outputs', async () => {
    const result = await runScript('Preprocess', { dag, rootDir: root })
    const verdict = await toBeCompatibleWith(result, 'Train')
    expect(verdict.pass).toBe(true)
    expect(verdict.message()).toBe(
      "expected Train to consume Preprocess's outputs to fail, but Train ran on them and wrote its outputs",
    )
  })

  test('fails with "blocked by" when the upstream could not produce its outputs', async () => {
    const verdict = await toBeCompatibleWith(
      await runScript('Lazy', { dag: broken, rootDir: root }),
      'Reader',
    )
    expect(verdict.pass).toBe(false)
    expect(verdict.message()).toBe(
      "expected Reader to consume Lazy's outputs, but the edge was blocked by Crash",
    )
  })
})

describe('runScript and runPipeline', () => {
  test('share executions and find a node by its script name', async () => {
    const first = await runScript('Train', { dag, rootDir: root })
    const byScript = await runScript('train', { dag, rootDir: root })
    expect(byScript.node).toBe('Train')
    expect(byScript.runDir).toBe(first.runDir)
  })

  test('keep results plain: the pipeline rides on a non-enumerable symbol', async () => {
    const result = await runScript('Train', { dag, rootDir: root })
    expect(Object.keys(result)).not.toContain('run')
    expect(JSON.parse(JSON.stringify(result))).toEqual({ ...result })
  })

  test('run a spec object as a one-node pipeline', async () => {
    const result = await runScript(
      {
        scriptName: 'preprocess',
        stepName: 'Standalone',
        scriptPath: 'scripts/preprocess.py',
        inputPaths: { data_input: 'test/integration/runtime/preprocess/input' },
        outputPaths: { data_output: 'out/data' },
      },
      { rootDir: root },
    )
    expect(result).toMatchObject({ node: 'Standalone', status: 'passed' })
  })

  test('ask for the DAG when a bare node name matches no known pipeline', async () => {
    await expect(runScript('Nowhere')).rejects.toThrow(
      'runScript("Nowhere") does not know which pipeline "Nowhere" belongs to',
    )
    await expect(runScript('Nowhere', { dag, rootDir: root })).rejects.toThrow(
      '"Nowhere" is neither a node nor a script of the DAG',
    )
  })
})

describe('every matcher guards its input', () => {
  const matchers = {
    toRunSuccessfully: (received: unknown) => toRunSuccessfully(received),
    toProduceOutputs: (received: unknown) => toProduceOutputs(received),
    toProduceOutputsFor: (received: unknown) => toProduceOutputsFor(received, 'Train'),
    toBeCompatibleWith: (received: unknown) => toBeCompatibleWith(received, 'Train'),
  }
  test.each(Object.entries(matchers))(
    '%s throws for a Promise (suggesting await) and for a plain value',
    async (name, matcher) => {
      const call = async (received: unknown) => matcher(received)
      await expect(call(runScript('Preprocess', { dag, rootDir: root }))).rejects.toThrow(
        new RegExp(`^${name}: expected .*, got a Promise\\nDid you forget \`await\`\\?`),
      )
      await expect(call(undefined)).rejects.toThrow(`${name}: expected `)
      await expect(call(undefined)).rejects.toThrow(', got undefined')
      await expect(call('Preprocess')).rejects.toThrow('got string "Preprocess"')
    },
  )
})
