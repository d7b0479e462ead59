import { existsSync, readFileSync } from 'node:fs'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect } from 'vitest'
import { it } from '../support/fixtures.js'
import { runExecution } from '../../src/runners/index.js'
import type { ExecutionRequest } from '../../src/runners/types.js'
import { fixture, makeRequest } from './helpers.js'

async function runPythonFixture(
  root: string,
  script: string,
  overrides: Partial<ExecutionRequest> = {},
) {
  const request = await makeRequest(root, {
    runner: 'python',
    scriptPath: fixture('python', script),
    ...overrides,
  })
  return { root, request, report: await runExecution(request) }
}

describe('python runner', () => {
  it('calls main() with the four contract parameters, exports environ_vars and keeps the __main__ block from running', async ({
    tempDir,
  }) => {
    const root = tempDir()
    const input = join(root, 'input')
    await mkdir(input)
    await writeFile(join(input, 'rows.csv'), 'a\nb\nc\n')
    const request = await makeRequest(root, {
      runner: 'python',
      scriptPath: fixture('python', 'contract_ok.py'),
      inputPaths: { data_input: input },
      environVars: { LABEL_FIELD: 'is_fraud', MAIN_BLOCK_MARKER_DIR: root },
      jobArgs: { job_type: 'training' },
    })

    const report = await runExecution(request)

    expect(report).toMatchObject({ outcome: 'success', exitCode: 0, signal: null })
    expect(report.message).toBe('main() returned')
    expect(report.stdoutTail).toBe('processed 3 rows')
    const written = JSON.parse(
      readFileSync(join(request.outputPaths.data_output!, 'training', 'result.json'), 'utf8'),
    ) as Record<string, unknown>
    expect(written).toEqual({
      rows: 3,
      label_from_os_environ: 'is_fraud',
      label_from_environ_vars: 'is_fraud',
      job_type: 'training',
      logger_is_none: true,
      module_name: 'contract_ok',
      argv: [fixture('python', 'contract_ok.py')],
      greeting: 'hello from a sibling module',
    })
    expect(existsSync(join(root, 'main_block_ran'))).toBe(false)
    expect(readFileSync(report.stdoutLog, 'utf8')).toBe('processed 3 rows\n')
  })

  it('reports an import error with the traceback of the failing import', async ({ tempDir }) => {
    const { report } = await runPythonFixture(tempDir(), 'import_error.py')

    expect(report.outcome).toBe('import-error')
    const [first, interpreter] = report.message.split('\n')
    expect(first).toBe(
      "importing import_error.py failed: ModuleNotFoundError: No module named 'definitely_not_an_installed_module_xyz'",
    )
    // The interpreter that ran it, and how to choose another.
    expect(interpreter).toMatch(
      /^ {2}interpreter: \/\S*python\S* \(another one: "python" in pipetest.config.json, PIPETEST_PYTHON/,
    )
    expect(report.traceback).toContain('Traceback (most recent call last):')
    expect(report.traceback).toContain('import_error.py", line 3, in <module>')
    expect(report.traceback).not.toContain('python_harness.py')
    expect(report.traceback).not.toContain('<frozen importlib')
    expect(report.stderrTail).toContain('ModuleNotFoundError')
    expect(report.exitCode).toBe(1)
  })

  it('reports a module-level sys.exit as an import error', async ({ tempDir }) => {
    const { report } = await runPythonFixture(tempDir(), 'module_level_exit.py')

    expect(report.outcome).toBe('import-error')
    expect(report.message).toContain('importing module_level_exit.py called sys.exit(2)')
    expect(report.stderrTail).toContain('the following arguments are required: --job_type')
  })

  it('reports a script without main()', async ({ tempDir }) => {
    const { report } = await runPythonFixture(tempDir(), 'no_main.py')

    expect(report.outcome).toBe('no-main')
    expect(report.message).toBe('no_main.py has no main() function')
    expect(report.stderrTail).toContain('no_main.py has no main() function')
  })

  it('reports the missing parameters and the actual signature of a main() that does not fit', async ({
    tempDir,
  }) => {
    const { report } = await runPythonFixture(tempDir(), 'bad_signature.py')

    expect(report.outcome).toBe('bad-signature')
    expect(report.message).toContain('does not accept environ_vars, job_args')
    expect(report.message).toContain('actual signature: main(input_paths, output_paths)')
  })

  it('reports an extra parameter without a default as a bad signature', async ({ tempDir }) => {
    const { report } = await runPythonFixture(tempDir(), 'extra_required_param.py')

    expect(report.outcome).toBe('bad-signature')
    expect(report.message).toContain('requires logger, which pipetest does not pass')
    expect(report.message).toContain('logger=None')
  })

  it('accepts a main() that takes the contract parameters through **kwargs', async ({
    tempDir,
  }) => {
    const { request, report } = await runPythonFixture(tempDir(), 'kwargs_main.py')

    expect(report.outcome).toBe('success')
    expect(
      JSON.parse(readFileSync(join(request.outputPaths.data_output!, 'kwargs.json'), 'utf8')),
    ).toEqual(['environ_vars', 'job_args', 'output_paths'])
  })

  it('reports an exception in main() with its type, message and traceback', async ({ tempDir }) => {
    const { report } = await runPythonFixture(tempDir(), 'raises_key_error.py')

    expect(report.outcome).toBe('exception')
    expect(report.message).toBe("main() raised KeyError: 'label'")
    expect(report.traceback).toMatch(/raises_key_error\.py", line 7, in main/)
    expect(report.traceback).toMatch(/raises_key_error\.py", line 2, in load_label/)
    expect(report.traceback).not.toContain('python_harness.py')
    expect(report.stdoutTail).toBe('about to fail')
    expect(report.stderrTail).toContain("KeyError: 'label'")
  })

  it('reports sys.exit(3) in main() as exit code 3', async ({ tempDir }) => {
    const { report } = await runPythonFixture(tempDir(), 'sys_exit.py', { jobArgs: { code: 3 } })

    expect(report).toMatchObject({ outcome: 'exit-code', exitCode: 3 })
    expect(report.message).toBe('main() called sys.exit(3)')
  })

  it('treats sys.exit(0) in main() as success', async ({ tempDir }) => {
    const { report } = await runPythonFixture(tempDir(), 'sys_exit.py', { jobArgs: { code: 0 } })

    expect(report).toMatchObject({ outcome: 'success', exitCode: 0 })
    expect(report.message).toBe('main() called sys.exit(0)')
  })

  it('reports a missing interpreter with the way to choose another', async ({ tempDir }) => {
    const { report } = await runPythonFixture(tempDir(), 'contract_ok.py', {
      python: 'python-that-does-not-exist-xyz',
    })

    expect(report.outcome).toBe('interpreter-not-found')
    expect(report.message).toContain(
      'Python interpreter "python-that-does-not-exist-xyz" not found.',
    )
    expect(report.message).toContain('--python')
    expect(report.message).toContain('"python" field')
    expect(readFileSync(report.stderrLog, 'utf8')).toContain('python-that-does-not-exist-xyz')
  })

  it('reports a script path that does not exist', async ({ tempDir }) => {
    const root = tempDir()
    const { report } = await runPythonFixture(tempDir(), 'contract_ok.py', {
      scriptPath: join(root, 'nope.py'),
    })

    expect(report.outcome).toBe('script-not-found')
    expect(report.message).toContain('nope.py')
  })
})
