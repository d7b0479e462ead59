import { expect, test } from 'vitest'
import { failureOf, runJest, statuses, useJestProjects } from './run-jest.js'

const project = useJestProjects()

test("the data matchers and readOutput work in Jest's CommonJS runtime, and a failure shows the columns", async () => {
  const dir = await project('data-contracts')
  const { report } = await runJest(dir, ['jest/data.jest.test.ts'])
  expect(statuses(report)).toEqual({
    'Prepare writes positive amounts in train and val': 'passed',
    'Train reports an accuracy between 0 and 1': 'passed',
    'readOutput streams typed rows': 'passed',
    'FAILS: toHaveColumns after a rename': 'failed',
  })
  expect(failureOf(report, 'FAILS: toHaveColumns after a rename')).toContain(
    "expected Prepare's processed_data to have columns id, amount, but:\n  column `amount` missing; unexpected column `amt` — renamed?\n  columns: id, amt, label",
  )
})
