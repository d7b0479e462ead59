import { join } from 'node:path'
import { expect } from 'vitest'
import { writeParquet } from '../../../test/data/parquet-writer.js'
import { failureOf, statuses, test } from './run-jest.js'

test("the data matchers and readOutput work in Jest's CommonJS runtime, and a failure shows the columns", async ({
  jestProject,
  runJest,
}) => {
  const dir = await jestProject('data-contracts')
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

test("Parquet outputs are read in Jest's default CommonJS runtime (hyparquet is ES modules only)", async ({
  jestProject,
  runJest,
}) => {
  const dir = await jestProject('data-contracts')
  writeParquet(join(dir, 'data.parquet'), {
    id: Int32Array.from([1, 2, 3]),
    made_at: [new Date('2026-11-01'), new Date('2026-11-02'), new Date('2026-11-03')],
  })
  const { report, output } = await runJest(dir, ['jest/parquet.jest.test.ts'])
  expect(statuses(report), output).toEqual({
    "a Parquet file is read in Jest's CommonJS runtime, dates included": 'passed',
  })
})
