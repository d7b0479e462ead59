import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect } from 'vitest'
import {
  distReady,
  expectNoProcessLeft,
  it,
  runStepRow,
  test,
  type SpecFields,
  type TempProject,
} from './helpers.js'

/**
 * Fault matrix, Python harness rows: a script killed by its timeout shows where it was stuck;
 * the harness leaves without interpreter teardown, and still completes what a normal exit
 * completes (files never closed, atexit handlers, non-daemon threads).
 */

test.beforeAll(distReady)

async function runRow(project: TempProject, script: string, fields: Partial<SpecFields> = {}) {
  const { result, before } = await runStepRow(project, script, fields, undefined, { input: null })
  expect(project.snapshot()).toEqual(before)
  await expectNoProcessLeft(project)
  return result
}

describe('Python harness rows', () => {
  it('a 5 MB exception message is bounded in the result; the full text stays in the log', async ({
    project,
  }) => {
    const result = await runRow(project, 'raises_huge.py')
    expect(result.outcome).toBe('exception')
    expect(result.message).toContain('main() raised ValueError: bad rows: xxx')
    expect(result.message).toContain('characters cut; the full text is in stderr.log')
    expect(result.message.length).toBeLessThan(10_000)
    expect(result.traceback!.length).toBeLessThan(20_000)
    expect(result.traceback).toContain(' END')
    expect(JSON.stringify(result).length).toBeLessThan(200_000)
    expect(readFileSync(result.logs.stderr!, 'utf8')).toContain('x'.repeat(5 * 1024 * 1024))
  })

  it('a timeout shows the stack where the script was stuck', async ({ project }) => {
    const result = await runRow(project, 'hangs.py', { extra: { timeout_seconds: 1 } })
    expect(result.outcome).toBe('timeout')
    expect(result.message).toContain('Stack when the timeout hit')
    expect(result.message).toMatch(/_common\.py", line \d+ in hang/)
    expect(result.message).toMatch(/hangs\.py", line \d+ in main/)
    // The harness's own frames are not the user's business.
    expect(result.message).not.toContain('python_harness')
  })

  it('a module-level file never closed is complete, and atexit handlers ran', async ({
    project,
  }) => {
    const result = await runRow(project, 'leaves_files_open.py')
    expect(result.outcome, result.message).toBe('success')
    const out = result.outputs[0]!.path
    const rows = readFileSync(join(out, 'rows.txt'), 'utf8').split('\n')
    expect(rows).toHaveLength(1001)
    expect(rows.at(-2)).toBe('row 999')
    expect(readFileSync(join(out, 'atexit.txt'), 'utf8')).toBe('atexit ran\n')
  })

  it('a non-daemon thread still running when main() returns is waited for, as by a normal exit', async ({
    project,
  }) => {
    const result = await runRow(project, 'leaves_files_open.py', { env: { THREAD: '1' } })
    expect(result.outcome, result.message).toBe('success')
    const out = result.outputs[0]!.path
    expect(readFileSync(join(out, 'thread.txt'), 'utf8')).toBe('thread finished\n')
    expect(readFileSync(join(out, 'rows.txt'), 'utf8').split('\n')).toHaveLength(1001)
  })
})
