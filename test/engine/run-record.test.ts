import { existsSync } from 'node:fs'
import { afterEach, describe, expect } from 'vitest'
import { PipelineRun } from '../../src/engine/index.js'
import { readJournal, readRunRecord, RUN_JOURNAL_ENV } from '../../src/engine/run-record.js'
import { it, pipelineOf, stepSpec, writeData } from './helpers.js'

afterEach(() => {
  delete process.env[RUN_JOURNAL_ENV]
})

describe('the run folder records its results', () => {
  it('writes every tier result with the DAG and specs to results.json when the run closes', async ({
    project,
  }) => {
    writeData(project, 'data/raw/rows.csv', 'a,b\n1,2\n')
    const specs = [
      stepSpec(project, 'A', { inputs: { raw: 'data/raw' }, outputs: { data_output: 'out/A' } }),
      stepSpec(project, 'B', { inputs: { data_input: 'out/A' }, env: { FAIL: '1' } }),
    ]
    const run = new PipelineRun(pipelineOf(project, [['A', 'B']], specs))
    const results = await run.runTiers({ scripts: true, compatibility: true, flow: true })
    expect(readRunRecord(run.runFolder)).toBeUndefined()
    await run.close()

    const record = readRunRecord(run.runFolder)!
    expect(record).toMatchObject({
      tool: 'pipetest',
      runId: run.runId,
      state: 'complete',
      pipeline: 'test',
      dag: { nodes: ['A', 'B'], edges: [{ from: 'A', to: 'B' }] },
    })
    expect(record.specs.B!.environVars).toMatchObject({ FAIL: '1' })
    // The same plain objects the tests got, as JSON.
    expect(record.scripts).toEqual(JSON.parse(JSON.stringify(results.scripts)))
    expect(record.edges['A->B']!.status).toBe(results.edges['A->B']!.status)
    expect(record.flow!.status).toBe(results.flow!.status)
  })

  it('leaves no folder (and no record) for a run that started no process', async ({ project }) => {
    const specs = [stepSpec(project, 'A', { inputs: { raw: 'data/nowhere' } })]
    const run = new PipelineRun(pipelineOf(project, [], specs))
    expect(await run.testScript('A')).toMatchObject({ outcome: 'missing-inputs' })
    await run.close()

    expect(existsSync(run.runFolder)).toBe(false)
  })

  it('notes the run folder in the journal a reporter names in PIPETEST_RUN_JOURNAL', async ({
    project,
    tempDir,
  }) => {
    const journal = tempDir('pipetest-journal-')
    process.env[RUN_JOURNAL_ENV] = journal
    const specs = [stepSpec(project, 'A', { inputs: {} })]
    const first = new PipelineRun(pipelineOf(project, [], specs))
    await first.testScript('A')
    await first.close()
    const second = new PipelineRun(pipelineOf(project, [], specs))
    await second.testScript('A')
    await second.close()

    expect(readJournal(journal)).toEqual([first.runFolder, second.runFolder])
  })
})
