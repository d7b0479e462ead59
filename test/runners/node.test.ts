import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect } from 'vitest'
import { it } from '../support/fixtures.js'
import { runExecution } from '../../src/runners/index.js'
import type { ExecutionRequest } from '../../src/runners/types.js'
import { fixture, makeRequest } from './helpers.js'

async function runNodeFixture(
  root: string,
  script: string,
  overrides: Partial<ExecutionRequest> = {},
) {
  const request = await makeRequest(root, {
    runner: 'node',
    scriptPath: fixture('node', script),
    ...overrides,
  })
  return { request, report: await runExecution(request) }
}

describe('node runner', () => {
  it('awaits the async main() of an ES module and exports environVars to process.env', async ({
    tempDir,
  }) => {
    const { request, report } = await runNodeFixture(tempDir(), 'esm_async.mjs', {
      inputPaths: { data_input: '/data/in' },
      environVars: { LABEL_FIELD: 'is_fraud' },
      jobArgs: { job_type: 'training' },
    })

    expect(report).toMatchObject({ outcome: 'success', exitCode: 0, message: 'main() returned' })
    expect(report.stdoutTail).toBe('esm main done')
    expect(
      JSON.parse(readFileSync(join(request.outputPaths.data_output!, 'result.json'), 'utf8')),
    ).toEqual({
      inputs: ['data_input'],
      labelFromProcessEnv: 'is_fraud',
      labelFromEnvironVars: 'is_fraud',
      jobType: 'training',
      argv: [fixture('node', 'esm_async.mjs')],
    })
  })

  it('calls the sync main() exported by a CommonJS module', async ({ tempDir }) => {
    const { request, report } = await runNodeFixture(tempDir(), 'cjs_sync.cjs', {
      jobArgs: { job_type: 'validation' },
    })

    expect(report.outcome).toBe('success')
    expect(readFileSync(join(request.outputPaths.data_output!, 'cjs.txt'), 'utf8')).toBe(
      'job_type=validation\n',
    )
  })

  it('falls back to default.main for CommonJS exports Node cannot see statically', async ({
    tempDir,
  }) => {
    const { request, report } = await runNodeFixture(tempDir(), 'cjs_default_only.cjs')

    expect(report.outcome).toBe('success')
    expect(readFileSync(join(request.outputPaths.data_output!, 'default.txt'), 'utf8')).toBe(
      'via default.main\n',
    )
  })

  it('reports a rejected main() with the error and its stack', async ({ tempDir }) => {
    const { report } = await runNodeFixture(tempDir(), 'rejects.mjs')

    expect(report.outcome).toBe('exception')
    expect(report.message).toBe('main() rejected with Error: boom: rows missing')
    expect(report.traceback).toContain('at loadRows')
    expect(report.traceback).toContain('rejects.mjs:2')
    expect(report.traceback).not.toContain('node_harness.mjs')
    expect(report.stderrTail).toContain('boom: rows missing')
    expect(report.exitCode).toBe(1)
  })

  it('reports a main() that throws synchronously', async ({ tempDir }) => {
    const { report } = await runNodeFixture(tempDir(), 'throws_sync.mjs')

    expect(report.outcome).toBe('exception')
    expect(report.message).toBe('main() threw TypeError: bad input shape')
  })

  it('reports a module without main() and lists what it exports', async ({ tempDir }) => {
    const { report } = await runNodeFixture(tempDir(), 'no_main.mjs')

    expect(report.outcome).toBe('no-main')
    expect(report.message).toBe('no_main.mjs exports no main() function (exports: run, version)')
  })

  it('reports an import error with the stack', async ({ tempDir }) => {
    const { report } = await runNodeFixture(tempDir(), 'import_error.mjs')

    expect(report.outcome).toBe('import-error')
    expect(report.message).toContain('importing import_error.mjs failed:')
    expect(report.message).toContain(
      "Cannot find package 'definitely-not-an-installed-package-xyz'",
    )
    expect(report.traceback).toBeDefined()
  })

  it('reports process.exit(4) inside main() as exit code 4, and process.exit(0) as success', async ({
    tempDir,
  }) => {
    const failing = await runNodeFixture(tempDir(), 'process_exit.mjs', { jobArgs: { code: 4 } })
    const passing = await runNodeFixture(tempDir(), 'process_exit.mjs', { jobArgs: { code: 0 } })

    expect(failing.report).toMatchObject({ outcome: 'exit-code', exitCode: 4 })
    expect(failing.report.message).toBe('main() called process.exit(4)')
    expect(passing.report).toMatchObject({ outcome: 'success', exitCode: 0 })
  })

  it('reports a main() whose promise can never settle instead of passing', async ({ tempDir }) => {
    const { report } = await runNodeFixture(tempDir(), 'never_settles.mjs')

    expect(report.outcome).toBe('exception')
    expect(report.message).toBe(
      'main() returned a promise that never settled (nothing was left to run)',
    )
  })
})
