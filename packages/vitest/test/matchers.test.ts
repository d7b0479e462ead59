import { beforeAll, expect } from 'vitest'
import { test } from '../../../test/support/fixtures.js'
import { assertBuilt, runVitest } from './run-vitest.js'

beforeAll(assertBuilt)

test('the matchers are registered, typed and explain their failures', async ({
  fixtureProject,
}) => {
  const root = await fixtureProject(['passing', 'vitest-hand-written'], { linkNodeModules: true })
  const result = await runVitest(root)
  const statuses = Object.fromEntries(result.assertions.map((a) => [a.title, a.status]))
  expect(statuses).toEqual({
    'Preprocess runs successfully': 'passed',
    'Preprocess writes its declared outputs': 'passed',
    'Preprocess writes what Train reads': 'passed',
    'Train consumes what Preprocess writes': 'passed',
    'a script name finds the pipeline this file already uses': 'passed',
    'executions are shared between calls': 'passed',
    'results stay plain, serialisable objects': 'passed',
    'the whole pipeline runs': 'passed',
    'a spec object runs on its own': 'passed',
    '.not.toRunSuccessfully passes for a crashing script': 'passed',
    'toProduceOutputs passes for the outputs that were written': 'passed',
    'FAILS: toRunSuccessfully on a crashing script': 'failed',
    'FAILS: toProduceOutputsFor when an output the edge needs is missing': 'failed',
    'FAILS: toBeCompatibleWith when the upstream failed': 'failed',
    'FAILS: toProduceOutputs with an output the spec does not declare': 'failed',
    'FAILS: toProduceOutputsFor along a pair that is not an edge': 'failed',
    'FAILS: .not.toRunSuccessfully on a Promise': 'failed',
    'FAILS: .not.toProduceOutputs on a Promise': 'failed',
    'FAILS: .not.toProduceOutputsFor on a Promise': 'failed',
    'FAILS: .not.toBeCompatibleWith on a Promise': 'failed',
    'FAILS: toRunSuccessfully on a plain object': 'failed',
  })
  const failure = (title: string) =>
    result.assertions.find((a) => a.title === `FAILS: ${title}`)!.failureMessages[0]!
  expect(failure('toRunSuccessfully on a crashing script')).toContain(
    "expected Crash to run successfully:\nCrash failed (exception): main() raised ValueError: bad amount: '12,5'",
  )
  expect(failure('toRunSuccessfully on a crashing script')).toContain(
    'raise ValueError("bad amount: " + repr(text))',
  )
  expect(failure('toProduceOutputsFor when an output the edge needs is missing')).toContain(
    'expected Lazy to write what Reader reads (details → Reader.details_input), but it did not write details:',
  )
  expect(failure('toBeCompatibleWith when the upstream failed')).toContain(
    "expected Reader to consume Lazy's outputs, but the edge was blocked by Crash",
  )
  expect(failure('toProduceOutputs with an output the spec does not declare')).toContain(
    'toProduceOutputs: Lazy declares no output nope\nIts spec declares: summary, details.',
  )
  expect(failure('toProduceOutputsFor along a pair that is not an edge')).toContain(
    'Crash → Reader is not an edge of the DAG',
  )
  for (const matcher of [
    'toRunSuccessfully',
    'toProduceOutputs',
    'toProduceOutputsFor',
    'toBeCompatibleWith',
  ]) {
    const message = failure(`.not.${matcher} on a Promise`)
    expect(message).toMatch(new RegExp(`PipetestError: ${matcher}: expected .*, got a Promise\\n`))
    expect(message).toContain('Did you forget `await`?')
  }
  expect(failure('toRunSuccessfully on a plain object')).toContain(
    'toRunSuccessfully: expected a script, edge or flow result, got an object with keys status',
  )
})
