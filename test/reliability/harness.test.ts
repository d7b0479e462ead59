import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { PipelineTestingSpecBuilder } from '../../src/index.js'
import { PipelineRun } from '../../src/engine/index.js'
import { distReady, expectNoProcessLeft, useTempProjects, type SpecFields } from './helpers.js'

/**
 * Fault matrix, Python harness rows: a script killed by its timeout shows where it was stuck;
 * the harness leaves without interpreter teardown, and still completes what a normal exit
 * completes (files never closed, atexit handlers, non-daemon threads).
 */

const newProject = useTempProjects()

beforeAll(distReady)

async function runRow(script: string, fields: Partial<SpecFields> = {}) {
  const project = newProject()
  project.copyScripts([script])
  const dag = project.writeDag('pipeline.dag.json', {
    nodes: [{ name: 'Step', script: `scripts/${script}` }],
    edges: [],
  })
  project.writeSpec({
    script: script.replace(/\.[^.]+$/, ''),
    step: 'Step',
    outputs: { data_output: 'out/step' },
    ...fields,
  })
  const before = project.snapshot()
  const builder = new PipelineTestingSpecBuilder({ rootDir: project.root })
  const run = new PipelineRun(builder.buildFromDag(dag), { timeoutSeconds: 60 })
  const result = await run.testScript('Step')
  await run.close()
  expect(project.snapshot()).toEqual(before)
  await expectNoProcessLeft(project)
  return result
}

describe('Python harness rows', () => {
  it('a 5 MB exception message is bounded in the result; the full text stays in the log', async () => {
    const result = await runRow('raises_huge.py')
    expect(result.outcome).toBe('exception')
    expect(result.message).toContain('main() raised ValueError: bad rows: xxx')
    expect(result.message).toContain('characters cut; the full text is in stderr.log')
    expect(result.message.length).toBeLessThan(10_000)
    expect(result.traceback!.length).toBeLessThan(20_000)
    expect(result.traceback).toContain(' END')
    expect(JSON.stringify(result).length).toBeLessThan(200_000)
    expect(readFileSync(result.logs.stderr!, 'utf8')).toContain('x'.repeat(5 * 1024 * 1024))
  })

  it('a timeout shows the stack where the script was stuck', async () => {
    const result = await runRow('hangs.py', { extra: { timeout_seconds: 1 } })
    expect(result.outcome).toBe('timeout')
    expect(result.message).toContain('Stack when the timeout hit')
    expect(result.message).toMatch(/_common\.py", line \d+ in hang/)
    expect(result.message).toMatch(/hangs\.py", line \d+ in main/)
    // The harness's own frames are not the user's business.
    expect(result.message).not.toContain('python_harness')
  })

  it('a module-level file never closed is complete, and atexit handlers ran', async () => {
    const result = await runRow('leaves_files_open.py')
    expect(result.outcome, result.message).toBe('success')
    const out = result.outputs[0]!.path
    const rows = readFileSync(join(out, 'rows.txt'), 'utf8').split('\n')
    expect(rows).toHaveLength(1001)
    expect(rows.at(-2)).toBe('row 999')
    expect(readFileSync(join(out, 'atexit.txt'), 'utf8')).toBe('atexit ran\n')
  })

  it('a non-daemon thread still running when main() returns is waited for, as by a normal exit', async () => {
    const result = await runRow('leaves_files_open.py', { env: { THREAD: '1' } })
    expect(result.outcome, result.message).toBe('success')
    const out = result.outputs[0]!.path
    expect(readFileSync(join(out, 'thread.txt'), 'utf8')).toBe('thread finished\n')
    expect(readFileSync(join(out, 'rows.txt'), 'utf8').split('\n')).toHaveLength(1001)
  })
})
