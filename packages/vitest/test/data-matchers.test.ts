import { beforeAll, expect } from 'vitest'
import { test } from '../../../test/support/fixtures.js'
import { assertBuilt, runVitest } from './run-vitest.js'

beforeAll(assertBuilt)

test('the data matchers and readOutput work in a Vitest run, and a failure shows the columns', async ({
  fixtureProject,
}) => {
  const root = await fixtureProject(['data-contracts'], { linkNodeModules: true })
  const result = await runVitest(root)
  expect(Object.fromEntries(result.assertions.map((a) => [a.title, a.status]))).toEqual({
    'Prepare writes positive amounts in train and val': 'passed',
    'Train reports an accuracy between 0 and 1': 'passed',
    'readOutput streams typed rows': 'passed',
    'a variation of the environment runs on its own': 'passed',
    'FAILS: toHaveColumns after a rename': 'failed',
  })
  const failure = result.assertions.find((a) => a.title === 'FAILS: toHaveColumns after a rename')!
  expect(failure.failureMessages[0]).toContain(
    "expected Prepare's processed_data to have columns id, amount, but:\n  column `amount` missing; unexpected column `amt` — renamed?\n  columns: id, amt, label",
  )
})
