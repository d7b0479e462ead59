import { mkdirSync, readFileSync, symlinkSync } from 'node:fs'
import { execa } from 'execa'
import { describe, expect } from 'vitest'
import {
  changedFiles,
  childEnv,
  cliJs,
  distReady,
  expectNoProcessLeft,
  hashTree,
  runStepRow,
  it,
  test,
  type TempProject,
} from './helpers.js'

/**
 * Fault matrix, input-guard rows: everything a script can reach through its inputs is the
 * user's data — files behind a symlinked subfolder, bytecode caches, hidden folders — and a
 * write there fails the execution as `input-modified`, naming the file. Special files in an
 * input (a FIFO) are never opened, so they cannot hang the run.
 */

test.beforeAll(distReady)

/** data/raw/shared -> ../shared, a folder of the project outside the input. */
function sharedLink(project: TempProject): void {
  project.write('data/shared/lookup.csv', 'code,name\n1,one\n')
  symlinkSync('../shared', project.path('data', 'raw', 'shared'), 'dir')
}

describe('input guard rows: what a script reaches through its inputs is guarded', () => {
  it('a write through a symlinked subfolder of an input → input-modified naming the file', async ({
    project,
  }) => {
    const row = await runStepRow(
      project,
      'writes_elsewhere.py',
      {
        env: { WRITE_BASE: 'input', WRITE_PATH: 'shared/lookup.csv' },
      },
      sharedLink,
    )
    expect(row.result.outcome, row.result.message).toBe('input-modified')
    expect(row.result.message).toContain(
      `modified data_input: ${row.project.path('data', 'raw', 'shared', 'lookup.csv')}`,
    )
    // The script clobbered the file behind the link; pipetest reports it and touches nothing else.
    expect(readFileSync(row.project.path('data', 'shared', 'lookup.csv'), 'utf8')).toBe(
      'clobbered\n',
    )
    expect(changedFiles(row.before, row.project.snapshot())).toEqual(['data/shared/lookup.csv'])
    await expectNoProcessLeft(row.project)
  })

  it.for(['__pycache__/records.cpython-311.pyc', 'records.pyc', '.cache/state.json'])(
    'a write to %s inside an input → input-modified naming it',
    async (target, { project }) => {
      const row = await runStepRow(project, 'writes_elsewhere.py', {
        env: { WRITE_BASE: 'input', WRITE_PATH: target },
      })
      expect(row.result.outcome, row.result.message).toBe('input-modified')
      expect(row.result.message).toContain(
        `added data_input: ${row.project.path('data', 'raw', target)}`,
      )
      await expectNoProcessLeft(row.project)
    },
  )

  it('a script importing a module from its input folder leaves no bytecode there and passes', async ({
    project,
  }) => {
    // Python writes bytecode unless told otherwise (this test's own environment may say so).
    const row = await runStepRow(
      project,
      'imports_from_input.py',
      { env: { PYTHONDONTWRITEBYTECODE: '' } },
      (project) => {
        project.write('data/raw/helpers_in_data.py', 'VALUE = 7\n')
      },
    )
    expect(row.result.outcome, row.result.message).toBe('success')
    expect(row.project.snapshot()).toEqual(row.before)
    const withCaches = hashTree(row.project.root, ['.pipetest', 'node_modules'])
    expect(Object.keys(withCaches).filter((key) => key.startsWith('data/'))).toEqual([
      'data/',
      'data/raw/',
      'data/raw/helpers_in_data.py',
      'data/raw/records.csv',
    ])
    await expectNoProcessLeft(row.project)
  })

  it('a symlink loop inside an input is walked once and the run passes', async ({ project }) => {
    const row = await runStepRow(project, 'ok.py', {}, (project) => {
      mkdirSync(project.path('data', 'raw', 'nested'))
      symlinkSync('..', project.path('data', 'raw', 'nested', 'up'), 'dir')
    })
    expect(row.result.outcome, row.result.message).toBe('success')
    expect(row.project.snapshot()).toEqual(row.before)
    await expectNoProcessLeft(row.project)
  })

  it('a FIFO in an input folder is never opened: `pipetest run` runs the script and exits', async ({
    project,
  }) => {
    project.copyScripts(['ok.py'])
    project.write('data/raw/records.csv', 'id,label\n1,0\n')
    await execa('mkfifo', [project.path('data', 'raw', 'events.pipe')])
    project.writeDag('pipeline.dag.json', {
      name: 'fifo',
      nodes: [{ name: 'Step', script: 'scripts/ok.py' }],
      edges: [],
    })
    project.writeSpec({
      script: 'ok',
      step: 'Step',
      inputs: { data_input: 'data/raw' },
      outputs: { data_output: 'out/step' },
    })
    const before = project.snapshot()
    // Before the fix, fingerprinting blocked in open() on the FIFO and ignored SIGTERM.
    const result = await execa('node', [cliJs, 'run', 'pipeline.dag.json', '--tier', 'scripts'], {
      cwd: project.root,
      env: childEnv(),
      reject: false,
      all: true,
      timeout: 60_000,
      killSignal: 'SIGKILL',
    })
    expect(result.timedOut, result.all).toBe(false)
    expect(result.exitCode, result.all).toBe(0)
    expect(result.all).toContain('Scripts       1 passed')
    expect(project.snapshot()).toEqual(before)
    await expectNoProcessLeft(project)
  })
})
