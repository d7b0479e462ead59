import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect } from 'vitest'
import { PipelineTestingSpecBuilder } from '../../src/builder/index.js'
import type { DataContract } from '../../src/data/index.js'
import { loadDag } from '../../src/dag/index.js'
import { PipelineRun } from '../../src/engine/index.js'
import type { PipelineTestingSpec } from '../../src/spec/index.js'
import { formatEdgeFailure, formatExecutionFailure } from '../../src/suite/index.js'
import { it, type FixtureProject } from '../support/fixtures.js'

const processed: DataContract = {
  format: 'csv',
  rows: { min: 1 },
  splits: ['train', 'val'],
  columns: {
    id: { type: 'integer', nullable: false, unique: true },
    amount: { type: 'number', nullable: false, min: 0 },
    label: { type: 'integer', nullable: false, values: [0, 1] },
  },
}
const metrics: DataContract = {
  file: 'metrics.json',
  keys: { accuracy: { type: 'number', min: 0, max: 1 }, rows: { type: 'integer', min: 1 } },
}

/** The data-contracts fixture with contracts on Prepare's output, Train's input and output. */
async function pipeline(
  fixtureProject: FixtureProject,
  env: Record<string, string> = {},
): Promise<PipelineTestingSpec> {
  const root = await fixtureProject(['data-contracts'])
  const dag = loadDag('pipeline.dag.json', root)
  const spec = new PipelineTestingSpecBuilder({ rootDir: root }).buildFromDag(dag)
  const { Prepare, Train } = spec.scriptSpecs
  spec.scriptSpecs.Prepare = {
    ...Prepare!,
    environVars: { ...Prepare!.environVars, ...env },
    outputContracts: { processed_data: processed },
  }
  spec.scriptSpecs.Train = {
    ...Train!,
    inputContracts: { training_data: processed },
    outputContracts: { metrics },
  }
  return spec
}

describe('data contracts in the engine', () => {
  it('checks outputs and wired inputs against their contracts and records each check', async ({
    fixtureProject,
  }) => {
    const run = new PipelineRun(await pipeline(fixtureProject))
    const { scripts, edges } = await run.runTiers({ scripts: true, compatibility: true })
    await run.close()
    expect(Object.values(scripts).map((r) => [r.node, r.status])).toEqual([
      ['Prepare', 'passed'],
      ['Train', 'passed'],
      ['Report', 'passed'],
    ])
    expect(scripts.Prepare!.dataChecks).toMatchObject([
      { port: 'processed_data', direction: 'output', violations: [] },
    ])
    expect(scripts.Train!.dataChecks).toMatchObject([
      { port: 'training_data', direction: 'input', from: { node: 'Prepare' }, violations: [] },
      { port: 'metrics', direction: 'output', violations: [] },
    ])
    expect(edges['Prepare->Train']!.status).toBe('passed')
  })

  it('fails a step that renames a column with the old and new name, and reports the edge out of it as a schema mismatch', async ({
    fixtureProject,
  }) => {
    const spec = await pipeline(fixtureProject, { AMOUNT_COLUMN: 'amt' })
    const run = new PipelineRun(spec)
    const { scripts, edges } = await run.runTiers({ scripts: true, compatibility: true })
    await run.close()
    const prepare = scripts.Prepare!
    expect(prepare).toMatchObject({ status: 'failed', outcome: 'output-contract' })
    const failure = formatExecutionFailure(prepare, { rootDir: spec.rootDir })
    expect(failure).toContain(
      'Prepare failed (output-contract): The script succeeded but its output processed_data breaks its data contract:',
    )
    expect(failure).toContain('column `amount` missing; unexpected column `amt` — renamed?')

    const edge = edges['Prepare->Train']!
    expect(edge).toMatchObject({ status: 'failed', outcome: 'input-contract', compatible: false })
    expect(edge.compatibilityIssues).toEqual([
      'Prepare.processed_data → Train.training_data: column `amount` missing; unexpected column `amt` — renamed?',
    ])
    const edgeFailure = formatEdgeFailure(edge, { rootDir: spec.rootDir })
    expect(edgeFailure.split('\n')[0]).toBe(
      "Prepare → Train: Schema mismatch: Prepare's output does not match Train's input contract (processed_data → training_data); Train was not run.",
    )
    expect(edgeFailure).not.toContain('KeyError')
    expect(scripts.Train!.status).toBe('blocked')
  })

  it('refuses to run a step on sample data that breaks its input contract, before any traceback', async ({
    fixtureProject,
  }) => {
    const spec = await pipeline(fixtureProject)
    // Train on its own sample whose amount column is spelt differently.
    const sample = join(spec.rootDir, 'samples', 'training')
    mkdirSync(join(sample, 'train'), { recursive: true })
    writeFileSync(join(sample, 'train', 'part.csv'), 'id,Amount,label\n1,3.5,0\n')
    spec.scriptSpecs.Train = { ...spec.scriptSpecs.Train!, inputPaths: { training_data: sample } }
    const run = new PipelineRun(spec)
    const train = await run.testScript('Train')
    await run.close()
    expect(train).toMatchObject({ status: 'failed', outcome: 'input-contract', exitCode: null })
    expect(train.message).toContain(
      "Input data breaks train's input contract (the script was not run):",
    )
    expect(train.message).toContain(
      'column `amount` missing; unexpected column `Amount` — renamed?',
    )
    expect(train.message).toContain('split `val` missing or empty; splits present: `train`')
  })
})
