import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect } from 'vitest'
import { it } from '../support/fixtures.js'
import { assertBuilt, cli } from './cli-harness.js'

beforeAll(assertBuilt)

const specsDir = 'test/integration/runtime/.specs'

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a spec file as written, read by key
function specOf(root: string, script: string): Record<string, any> {
  return JSON.parse(readFileSync(join(root, specsDir, `${script}_runtime_test_spec.json`), 'utf8'))
}

describe('pipetest record', () => {
  it('writes the contracts it observes; a renamed column then fails its step naming both names, and the edge out of it reports the schema mismatch', async ({
    fixtureProject,
  }) => {
    const root = await fixtureProject(['data-contracts'])
    const recorded = await cli(['record', 'pipeline.dag.json'], { cwd: root })
    expect(recorded.code).toBe(0)
    expect(recorded.stdout).toContain(
      'Prepare output processed_data: csv, 3 columns (id, amount, label)',
    )
    expect(recorded.stdout).toContain(
      'Report output report: no contract (not data pipetest can read',
    )
    expect(specOf(root, 'prepare').output_contracts.processed_data).toEqual({
      format: 'csv',
      rows: { min: 1 },
      splits: ['train', 'val'],
      columns: {
        id: { type: 'integer', nullable: false },
        amount: { type: 'number', nullable: false },
        label: { type: 'integer', nullable: false, values: [0, 1] },
      },
    })
    expect(specOf(root, 'train').input_contracts.training_data.columns.amount).toEqual({
      type: 'number',
      nullable: false,
    })
    expect(specOf(root, 'train').output_contracts.metrics.keys).toEqual({
      accuracy: { type: 'number', nullable: false },
      rows: { type: 'integer', nullable: false },
    })
    expect((await cli(['record', 'pipeline.dag.json', '--check'], { cwd: root })).code).toBe(0)

    // The step's change: the amount column is renamed.
    await cli(
      ['spec', 'set', 'Prepare', '--env', 'AMOUNT_COLUMN=amt', '--dag', 'pipeline.dag.json'],
      {
        cwd: root,
      },
    )
    const run = await cli(['run', 'pipeline.dag.json'], { cwd: root })
    expect(run.code).toBe(1)
    expect(run.stdout).toContain(
      '✗ script Prepare failed (output-contract): The script succeeded but its output processed_data breaks its data contract:',
    )
    expect(run.stdout).toContain(
      "✗ edge Prepare → Train: Schema mismatch: Prepare's output does not match Train's input contract (processed_data → training_data); Train was not run.",
    )
    expect(
      run.stdout.match(/column `amount` missing; unexpected column `amt` — renamed\?/g),
    ).toHaveLength(2)
    expect(run.stdout).not.toContain('KeyError')

    const check = await cli(['record', 'pipeline.dag.json', '--check'], { cwd: root })
    expect(check.code).toBe(1)
    expect(check.stdout).toContain(
      'Prepare output processed_data: column `amount` missing; unexpected column `amt` — renamed?',
    )

    // Intended after all: recording again with --overwrite accepts the new name.
    await cli(['record', 'pipeline.dag.json', '--overwrite'], { cwd: root })
    expect(Object.keys(specOf(root, 'prepare').output_contracts.processed_data.columns)).toEqual([
      'id',
      'amt',
      'label',
    ])
  })

  it('--samples gives a sample-wired input a sample of the real upstream output, which --check keeps in sync', async ({
    fixtureProject,
  }) => {
    const root = await fixtureProject(['data-contracts'])
    // Report reads a hand-made metrics file instead of Train's output.
    const train = specOf(root, 'report')
    train.input_paths.metrics_input = 'test/integration/runtime/report/input/metrics'
    writeFileSync(join(root, specsDir, 'report_runtime_test_spec.json'), JSON.stringify(train))
    const recorded = await cli(['record', 'pipeline.dag.json', '--samples', '--only', 'Report'], {
      cwd: root,
    })
    expect(recorded.code).toBe(0)
    expect(recorded.stdout).toContain(
      'Report input metrics_input: sample of Train.metrics (1 file, ≤ 100 rows each) in test/integration/runtime/report/samples/metrics_input',
    )
    expect(specOf(root, 'report').input_paths.metrics_input).toBe(
      'test/integration/runtime/report/samples/metrics_input',
    )
    const sample = join(root, 'test/integration/runtime/report/samples/metrics_input/metrics.json')
    expect(existsSync(sample)).toBe(true)
    expect(
      (await cli(['record', 'pipeline.dag.json', '--check', '--only', 'Report'], { cwd: root }))
        .code,
    ).toBe(0)

    // The committed sample drifts from what Train writes today.
    writeFileSync(sample, JSON.stringify({ acc: 0.5, rows: 3 }))
    const check = await cli(['record', 'pipeline.dag.json', '--check', '--only', 'Report'], {
      cwd: root,
    })
    expect(check.code).toBe(1)
    expect(check.stdout).toContain(
      'Report input metrics_input: the sample no longer matches Train.metrics: key `accuracy` missing; unexpected key `acc` — renamed?',
    )
  })
})
