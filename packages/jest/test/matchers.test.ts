import { expect } from 'vitest'
import { failureOf, statuses, test } from './run-jest.js'

test('the matchers work through the global expect and through @jest/globals', async ({
  jestProject,
  runJest,
}) => {
  const dir = await jestProject('passing', 'jest-hand-written')
  const { report } = await runJest(dir, ['jest/hand-written.jest.test.ts'])

  expect(statuses(report)).toEqual({
    'global expect: Preprocess runs successfully': 'passed',
    '@jest/globals expect: Preprocess writes what Train reads': 'passed',
    'Train consumes what Preprocess writes': 'passed',
    'the whole pipeline runs': 'passed',
    'FAILS: .not.toProduceOutputs on a script that wrote them': 'failed',
    'FAILS: .not.toRunSuccessfully on a Promise': 'failed',
    'FAILS: .not.toProduceOutputs on a Promise': 'failed',
    'FAILS: .not.toProduceOutputsFor on a Promise': 'failed',
    'FAILS: .not.toBeCompatibleWith on a Promise': 'failed',
    'FAILS: toRunSuccessfully on a plain object': 'failed',
  })
  expect(failureOf(report, 'FAILS: .not.toProduceOutputs on a script that wrote them')).toMatch(
    /^Error: expected Train not to write model_output, but it wrote them all\n/,
  )
  for (const matcher of [
    'toRunSuccessfully',
    'toProduceOutputs',
    'toProduceOutputsFor',
    'toBeCompatibleWith',
  ]) {
    const message = failureOf(report, `FAILS: .not.${matcher} on a Promise`)
    expect(message).toMatch(new RegExp(`${matcher}: expected .*, got a Promise\\n`))
    expect(message).toContain('Did you forget `await`?')
  }
  expect(failureOf(report, 'FAILS: toRunSuccessfully on a plain object')).toContain(
    'toRunSuccessfully: expected a script, edge or flow result, got an object with keys status',
  )
})
