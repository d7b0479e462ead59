import { describe, expect } from 'vitest'
import {
  distReady,
  expectNoProcessLeft,
  isRunning,
  recordedPids,
  it,
  runStepRow,
  test,
  type TempProject,
  waitFor,
} from './helpers.js'

/**
 * Fault matrix, escape rows: a script that leaves a process outside its process group (a
 * `setsid` double fork, a detached and unref'd Node child) does not leave it running. Every
 * process of an execution inherits the execution's mark (the PIPETEST_EXECUTION_ID variable),
 * and whatever still carries it when the execution ends is killed.
 */

test.beforeAll(distReady)

async function runEscape(project: TempProject, script: string, label: string) {
  const row = await runStepRow(project, script, {}, undefined, { input: null })
  // Recorded before the script returned: the escaped process did start.
  await waitFor(() => recordedPids(project, label).length === 1, 10_000, `the ${label} pid`)
  const [escaped] = recordedPids(project, label)
  return { ...row, escaped: escaped! }
}

describe('escape rows: processes that leave the process group are still ended', () => {
  it('a Python script that double-forks a setsid daemon → passes, the daemon is killed and named', async ({
    project,
  }) => {
    const { result, before, escaped } = await runEscape(project, 'escapes_setsid.py', 'daemon')
    expect(result.outcome, result.message).toBe('success')
    // Gone when the result is given, not some time later.
    expect(isRunning(escaped)).toBe(false)
    expect(result.message).toContain('left 1 process running outside its process group')
    expect(result.message).toContain(String(escaped))
    expect(project.snapshot()).toEqual(before)
    await expectNoProcessLeft(project)
  })

  it('a Node script that spawns a detached, unref’d child → passes, the child is killed and named', async ({
    project,
  }) => {
    const { result, before, escaped } = await runEscape(project, 'escapes_detached.mjs', 'detached')
    expect(result.outcome, result.message).toBe('success')
    expect(isRunning(escaped)).toBe(false)
    expect(result.message).toContain('left 1 process running outside its process group')
    expect(project.snapshot()).toEqual(before)
    await expectNoProcessLeft(project)
  })
})
