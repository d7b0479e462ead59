import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect } from 'vitest'
import { changedFiles, distReady, expectNoProcessLeft, runStepRow, it, test } from './helpers.js'

/**
 * Fault matrix, working-directory rows: a script runs in a folder of its own inside its
 * execution folder, so relative writes never land in the user's repository (and are listed
 * when outputs are missing); `"working_dir": "project"` keeps the project root for scripts
 * that read relative paths; a script that changes a file pipetest depends on (its script,
 * a spec, the DAG) fails, naming the file.
 */

test.beforeAll(distReady)

describe('working-directory rows: a script writes only inside its execution folder', () => {
  it('a relative write lands in the execution’s working directory, and is listed when outputs are missing', async ({
    project,
  }) => {
    const row = await runStepRow(project, 'writes_elsewhere.py', {
      env: { WRITE_PATH: 'out/features/part-0.csv', SKIP_OUTPUTS: '1' },
    })
    expect(row.result.outcome, row.result.message).toBe('missing-outputs')
    expect(row.result.message).toContain('wrote 1 file in its working directory')
    expect(row.result.message).toContain(join('out', 'features', 'part-0.csv'))
    expect(row.result.message).toContain('"working_dir"')
    expect(row.project.snapshot()).toEqual(row.before)
    expect(readdirSync(join(row.result.runDir, 'work', 'out', 'features'))).toEqual(['part-0.csv'])
    await expectNoProcessLeft(row.project)
  })

  it('a relative read fails with a note that relative paths resolve in the working directory', async ({
    project,
  }) => {
    const row = await runStepRow(project, 'reads_relative.py', {
      env: { READ_PATH: 'data/raw/records.csv' },
    })
    expect(row.result.outcome, row.result.message).toBe('exception')
    expect(row.result.message).toContain('FileNotFoundError')
    expect(row.result.message).toContain('relative path')
    expect(row.result.message).toContain('"working_dir": "project"')
    expect(row.project.snapshot()).toEqual(row.before)
    await expectNoProcessLeft(row.project)
  })

  it('"working_dir": "project" runs the script in the project root (relative reads work)', async ({
    project,
  }) => {
    const row = await runStepRow(project, 'reads_relative.py', {
      env: { READ_PATH: 'data/raw/records.csv' },
      extra: { working_dir: 'project' },
    })
    expect(row.result.outcome, row.result.message).toBe('success')
    expect(row.project.snapshot()).toEqual(row.before)
    await expectNoProcessLeft(row.project)
  })

  it.for<[string, string]>([
    ['its own script', 'scripts/writes_elsewhere.py'],
    ['its spec', 'test/integration/runtime/.specs/writes_elsewhere_runtime_test_spec.json'],
    ['the DAG', 'pipeline.dag.json'],
  ])(
    'a script that changes %s → project-modified naming the file',
    async ([, file], { project }) => {
      const row = await runStepRow(
        project,
        'writes_elsewhere.py',
        { env: { WRITE_MODE: 'append' } },
        (project) => ({
          WRITE_PATH: project.path(file),
        }),
      )
      expect(row.result.status).toBe('failed')
      expect(row.result.outcome, row.result.message).toBe('project-modified')
      expect(row.result.message).toContain(`modified ${row.project.path(file)}`)
      // The script did it; pipetest only reports it.
      expect(changedFiles(row.before, row.project.snapshot())).toEqual([file])
      await expectNoProcessLeft(row.project)
    },
  )
})
