import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect } from 'vitest'
import {
  toHaveColumns,
  toHaveMetric,
  toHaveRowCount,
  toHaveRowsSatisfying,
  toMatchDataContract,
} from '../../src/matchers/index.js'
import { runScript } from '../../src/suite/helpers.js'
import { readOutput } from '../../src/suite/read-output.js'
import { closeSharedRuns } from '../../src/suite/shared-runs.js'
import { test } from '../support/fixtures.js'

const dag = 'pipeline.dag.json'
let root: string
afterAll(() => closeSharedRuns())

test.beforeAll(async ({ fileFixtureProject }) => {
  root = await fileFixtureProject(['data-contracts'])
  const file = join(root, 'test/integration/runtime/.specs/prepare_runtime_test_spec.json')
  const spec = JSON.parse(readFileSync(file, 'utf8'))
  spec.output_contracts = {
    processed_data: {
      rows: { min: 1 },
      columns: { amount: { type: 'number', nullable: false, min: 0 }, label: { values: [0, 1] } },
    },
  }
  writeFileSync(file, JSON.stringify(spec))
})

describe('data matchers', () => {
  test('toMatchDataContract reports the contract the engine checked, and the rename when broken', async () => {
    const result = await runScript('Prepare', { dag, rootDir: root })
    expect(toMatchDataContract(result).pass).toBe(true)
    const renamed = await runScript('Prepare', {
      dag,
      rootDir: root,
      environVars: { AMOUNT_COLUMN: 'amt' },
    })
    expect(renamed.runDir).not.toBe(result.runDir) // a variation is its own execution
    const verdict = toMatchDataContract(renamed, 'processed_data')
    expect(verdict.pass).toBe(false)
    expect(verdict.message().split('\n').slice(0, 3)).toEqual([
      "expected Prepare's processed_data to match its data contract:",
      '  processed_data:',
      '    column `amount` missing; unexpected column `amt` — renamed?',
    ])
  })

  test('toHaveColumns and toHaveRowCount show the columns and the count', async () => {
    const result = await runScript('Prepare', { dag, rootDir: root })
    expect((await toHaveColumns(result, ['id', 'amount'])).pass).toBe(true)
    const missing = await toHaveColumns(result, ['id', 'amount_usd'])
    expect(missing.pass).toBe(false)
    expect(missing.message()).toBe(
      [
        "expected Prepare's processed_data to have columns id, amount_usd, but:",
        '  column `amount_usd` missing; unexpected column `amount` — renamed?',
        '  columns: id, amount, label',
      ].join('\n'),
    )
    const data = await readOutput(result)
    const rows = data.summary.kind === 'table' ? data.summary.rows : -1
    expect((await toHaveRowCount(result, rows)).pass).toBe(true)
    const tooFew = await toHaveRowCount(data, { min: rows + 1 })
    expect(tooFew.message()).toMatch(
      new RegExp(
        `^expected Prepare's processed_data to have ≥ ${rows + 1} rows, but it has ${rows} \\(train \\d+, val \\d+\\)$`,
      ),
    )
  })

  test('toHaveMetric reads a key of a JSON metrics file and shows its value', async () => {
    const train = await runScript('Train', { dag, rootDir: root })
    expect((await toHaveMetric(train, 'metrics', 'accuracy', { min: 0, max: 1 })).pass).toBe(true)
    const tooGood = await toHaveMetric(train, 'metrics', 'accuracy', { min: 1.5 })
    expect(tooGood.pass).toBe(false)
    expect(tooGood.message()).toMatch(
      /^expected Train's metrics to have accuracy in \[1\.5, ∞\], but:\n {2}`accuracy`: value 0\.\d+, declared ≥ 1\.5\n/,
    )
    expect(tooGood.message()).toContain('keys: accuracy, rows')
    const absent = await toHaveMetric(train, 'metrics', 'auc')
    expect(absent.message()).toContain('key `auc` missing')
  })

  test('toHaveRowsSatisfying streams every row and shows the first that break the predicate', async () => {
    const result = await runScript('Prepare', { dag, rootDir: root })
    expect((await toHaveRowsSatisfying(result, (row) => Number(row.amount) >= 0)).pass).toBe(true)
    const cheap = await toHaveRowsSatisfying(result, function under300(row) {
      return Number(row.amount) < 300
    })
    expect(cheap.pass).toBe(false)
    expect(cheap.message()).toMatch(
      /^expected every row of Prepare's processed_data to satisfy under300, but \d+ of \d+ rows do not/,
    )
    expect(cheap.message()).toMatch(/\n {2}row \d+: \{"id":\d+,"amount":3\d\d\.?\d*,"label":[01]\}/)
  })

  test('a wrong output name is a mistake in the test, thrown with the names there are', async () => {
    const train = await runScript('Train', { dag, rootDir: root })
    await expect(toHaveColumns(train, ['a'])).rejects.toThrow(
      'toHaveColumns: Train has several outputs; name one\nIts outputs: model, metrics.',
    )
    await expect(toHaveRowCount(train, 1, 'metric')).rejects.toThrow(
      'toHaveRowCount: Train declares no output "metric"',
    )
    await expect(toHaveColumns(Promise.resolve(train), ['a'])).rejects.toThrow(
      'Did you forget `await`?',
    )
  })
})
