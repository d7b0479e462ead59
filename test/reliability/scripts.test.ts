import { chmodSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { open } from 'node:fs/promises'
import { join } from 'node:path'
import { execa } from 'execa'
import { describe, expect } from 'vitest'
import { type RunOptions, type ScriptTestResult } from '../../src/index.js'
import {
  changedFiles,
  distIndexJs,
  distReady,
  expectNoProcessLeft,
  fixturesDir,
  isRunning,
  recordedPids,
  it,
  runStepRow,
  test,
  type SpecFields,
  type TempProject,
  type StepRow,
} from './helpers.js'

/**
 * Fault matrix, script rows: whatever a script does — raise, exit, hang, spawn a grandchild
 * that holds its output open, kill itself, print 200 MB or bytes that are not UTF-8, damage its
 * own input — the test ends with one precise outcome and a message that says what happened,
 * the user's files are as they were (or the damage is reported), and no process is left.
 */

/** `Step` runs fixture `script` on `data/in` (one CSV of two rows). */
function runRow(
  project: TempProject,
  script: string,
  fields: Partial<SpecFields> = {},
  options: RunOptions = {},
): Promise<StepRow> {
  return runStepRow(project, script, fields, undefined, {
    input: { folder: 'data/in', csv: 'id,label\n1,0\n2,1\n' },
    run: { timeoutSeconds: 30, ...options },
  })
}

/** (b) and (c) of every row whose script leaves its inputs alone. */
async function expectIntactAndNothingLeft({ project, before }: StepRow): Promise<void> {
  expect(project.snapshot()).toEqual(before)
  await expectNoProcessLeft(project)
}

describe('script rows: every failure ends in one precise outcome, files intact, no process left', () => {
  it('exception in main → exception, with the exception and the traceback', async ({ project }) => {
    const row = await runRow(project, 'raises.py')
    expect(row.result.status).toBe('failed')
    expect(row.result.outcome).toBe('exception')
    expect(row.result.message).toContain("main() raised KeyError: 'label'")
    expect(row.result.traceback).toContain('raises.py')
    expect(row.result.traceback).toContain('return row["label"]')
    // The user's frames only: none of the harness's.
    expect(row.result.traceback).not.toContain('python_harness')
    expect(row.result.stderrTail).toContain('KeyError')
    await expectIntactAndNothingLeft(row)
  })

  it('only a temporary file in a folder output and 0 bytes in a file output → missing-outputs saying so, not "empty"', async ({
    project,
  }) => {
    const row = await runRow(project, 'writes_no_data.py', {
      outputs: { data_output: 'out/step', metrics: 'out/metrics.json' },
    })
    expect(row.result.outcome).toBe('missing-outputs')
    expect(row.result.message).toContain(
      'data_output (folder holding no data file, only a temporary, hidden or 0-byte file (part-00000.csv.tmp): ',
    )
    expect(row.result.message).toContain('metrics (0-byte file: ')
    expect(row.result.message).not.toMatch(/empty (directory|folder)/)
    await expectIntactAndNothingLeft(row)
  })

  it('non-zero exit → exit-code 3, with what the script printed', async ({ project }) => {
    const row = await runRow(project, 'exits_3.py')
    expect(row.result.outcome).toBe('exit-code')
    expect(row.result.exitCode).toBe(3)
    expect(row.result.message).toContain('sys.exit(3)')
    expect(row.result.stderrTail).toContain('giving up')
    await expectIntactAndNothingLeft(row)
  })

  it('sys.exit(0) without writing outputs → missing-outputs, not a pass', async ({ project }) => {
    const row = await runRow(project, 'exits_0_without_outputs.py')
    expect(row.result.status).toBe('failed')
    expect(row.result.outcome).toBe('missing-outputs')
    expect(row.result.exitCode).toBe(0)
    expect(row.result.missingOutputs).toEqual(['data_output'])
    expect(row.result.message).toContain('did not write 1 of 1 declared outputs: data_output')
    await expectIntactAndNothingLeft(row)
  })

  it('partial outputs → missing-outputs naming the missing one and the produced one', async ({
    project,
  }) => {
    const row = await runRow(project, 'partial_outputs.py', {
      outputs: { train: 'out/train', test: 'out/test' },
    })
    expect(row.result.outcome).toBe('missing-outputs')
    expect(row.result.producedOutputs).toEqual(['train'])
    expect(row.result.missingOutputs).toEqual(['test'])
    expect(row.result.message).toContain('did not write 1 of 2 declared outputs: test')
    expect(row.result.message).toMatch(/produced \(1\): train/)
    await expectIntactAndNothingLeft(row)
  })

  it('hang past the timeout → timeout after 1 s, the script killed', async ({ project }) => {
    const row = await runRow(project, 'hangs.py', { extra: { timeout_seconds: 1 } })
    expect(row.result.outcome).toBe('timeout')
    expect(row.result.message).toContain('timed out after 1 s')
    expect(row.result.message).toContain('timeout_seconds')
    expect(row.result.durationMs).toBeGreaterThanOrEqual(1000)
    expect(row.result.stdoutTail).toContain('hanging')
    expect(recordedPids(row.project, 'hang')).toHaveLength(1)
    await expectIntactAndNothingLeft(row)
  })

  it('hang with a grandchild holding stdout open → timeout, script and grandchild killed', async ({
    project,
  }) => {
    const row = await runRow(project, 'hangs_with_grandchild.py', { extra: { timeout_seconds: 1 } })
    expect(row.result.outcome).toBe('timeout')
    expect(row.result.message).toContain('timed out after 1 s')
    const [grandchild] = recordedPids(row.project, 'grandchild')
    expect(grandchild).toBeDefined()
    // Gone when the result is given, not some time later.
    expect(isRunning(grandchild!)).toBe(false)
    await expectIntactAndNothingLeft(row)
  })

  it('main returns while a grandchild holds stdout open → success without waiting for it; grandchild killed', async ({
    project,
  }) => {
    const row = await runRow(project, 'hangs_with_grandchild.py', {
      env: { RETURN_EARLY: '1' },
      extra: { timeout_seconds: 20 },
    })
    // A timeout here would mean pipetest waited for the grandchild's end of the pipe.
    expect(row.result.outcome).toBe('success')
    expect(row.result.status).toBe('passed')
    const [grandchild] = recordedPids(row.project, 'grandchild')
    expect(isRunning(grandchild!)).toBe(false)
    await expectIntactAndNothingLeft(row)
  })

  it('killing itself with SIGKILL → killed, naming the signal pipetest did not send', async ({
    project,
  }) => {
    const row = await runRow(project, 'kills_itself.py')
    expect(row.result.outcome).toBe('killed')
    expect(row.result.signal).toBe('SIGKILL')
    expect(row.result.exitCode).toBeNull()
    expect(row.result.message).toContain('killed by SIGKILL')
    expect(row.result.message).toContain('pipetest did not send it')
    await expectIntactAndNothingLeft(row)
  })

  it('invalid UTF-8 in output → the run is judged normally, the tail shows U+FFFD, the log keeps the bytes', async ({
    project,
  }) => {
    const row = await runRow(project, 'invalid_utf8.py')
    expect(row.result.outcome).toBe('success')
    expect(row.result.stdoutTail).toContain('before \uFFFD')
    expect(row.result.stdoutTail).toContain('after')
    expect(row.result.stderrTail).toContain('caf\uFFFD')
    const log = readFileSync(row.result.logs.stdout!)
    expect(log.includes(Buffer.from([0xff, 0xfe, 0xc3, 0x28]))).toBe(true)
    // Results cross worker boundaries and land in JUnit files: they must survive JSON.
    expect(JSON.parse(JSON.stringify(row.result))).toEqual(row.result)
    await expectIntactAndNothingLeft(row)
  })

  it.for<[string, string, string]>([
    ['delete', 'deleted', 'records.csv'],
    ['modify', 'modified', 'records.csv'],
    ['same-size', 'modified', 'records.csv'],
    ['add', 'added', 'scratch.tmp.csv'],
  ])(
    'input tampering (%s) → input-modified naming the file',
    async ([mode, change, file], { project }) => {
      const row = await runRow(project, 'tampers_with_input.py', { env: { MODE: mode } })
      expect(row.result.status).toBe('failed')
      expect(row.result.outcome).toBe('input-modified')
      expect(row.result.message).toContain('modified or deleted its own input data')
      expect(row.result.message).toContain(
        `${change} data_input: ${row.project.path('data', 'in', file)}`,
      )
      // The script did it, not pipetest: exactly that file changed, nothing else.
      expect(changedFiles(row.before, row.project.snapshot())).toEqual([`data/in/${file}`])
      await expectNoProcessLeft(row.project)
    },
  )

  it('python interpreter missing (run option) → interpreter-not-found naming it and the fix', async ({
    project,
  }) => {
    const row = await runRow(project, 'ok.py', {}, { python: '/nonexistent/python3.99' })
    expect(row.result.outcome).toBe('interpreter-not-found')
    expect(row.result.message).toContain('"/nonexistent/python3.99" not found')
    expect(row.result.message).toContain('--python')
    await expectIntactAndNothingLeft(row)
  })

  it('python interpreter missing (spec "python") → interpreter-not-found naming it', async ({
    project,
  }) => {
    const row = await runRow(project, 'ok.py', { extra: { python: 'python3-no-such-version' } })
    expect(row.result.outcome).toBe('interpreter-not-found')
    expect(row.result.message).toContain('"python3-no-such-version" not found')
    await expectIntactAndNothingLeft(row)
  })

  it('a command naming a file outside the project that is not executable → spawn-error without a chmod fix', async ({
    project,
  }) => {
    const row = await runRow(project, 'ok.py', {
      extra: { runner: 'command', command: ['/etc/passwd'] },
    })
    expect(row.result.outcome).toBe('spawn-error')
    expect(row.result.message).toContain(
      'not executable: /etc/passwd, which is outside the project',
    )
    expect(row.result.message).toContain('name a program in the spec\'s "command"')
    expect(row.result.message).not.toContain('chmod')
    await expectIntactAndNothingLeft(row)
  })

  it('Python 2.7 as the interpreter → interpreter-not-found: "pipetest needs Python ≥ 3.8; found 2.7 at …"', async ({
    project,
    tempDir,
  }) => {
    // No Python 2 is installed: this answers pipetest's probe as 2.7 does (the executable and
    // version, then a crash on sys.implementation, new in 3.3).
    const python = join(tempDir('pipetest-py27-'), 'python')
    writeFileSync(
      python,
      `#!/bin/sh\nprintf '/usr/local/bin/python2.7\\n2.7\\n'\necho "AttributeError: 'module' object has no attribute 'implementation'" >&2\nexit 1\n`,
      { mode: 0o755 },
    )
    const row = await runRow(project, 'ok.py', {}, { python })
    expect(row.result.outcome).toBe('interpreter-not-found')
    expect(row.result.message).toContain(
      'pipetest needs Python ≥ 3.8; found 2.7 at /usr/local/bin/python2.7',
    )
    expect(row.result.message).not.toContain('AttributeError')
    await expectIntactAndNothingLeft(row)
  })

  it('script not executable (command runner) → spawn-error saying chmod +x', async ({
    project,
  }) => {
    const { result, before } = await runStepRow(
      project,
      'not_executable.sh',
      // Job arguments as flags, chosen explicitly (validate asks for it on a non-Python script).
      { extra: { runner: 'command' } },
      () => chmodSync(project.path('scripts', 'not_executable.sh'), 0o644),
      { input: null },
    )
    expect(result.runner).toBe('command')
    expect(result.outcome).toBe('spawn-error')
    expect(result.message).toContain('not executable')
    expect(result.message).toContain(`chmod +x ${project.path('scripts', 'not_executable.sh')}`)
    expect(project.snapshot()).toEqual(before)
    await expectNoProcessLeft(project)
  })
})

describe('script rows: 200 MB of output', () => {
  test.beforeAll(distReady)

  it('keeps memory bounded (RSS growth well under 150 MB) and saves the complete log', async ({
    project,
  }) => {
    const megabytes = 200
    project.copyScripts(['floods_stdout.py'])
    const dag = project.writeDag('pipeline.dag.json', {
      nodes: [{ name: 'Step', script: 'scripts/floods_stdout.py' }],
      edges: [],
    })
    project.writeSpec({
      script: 'floods_stdout',
      step: 'Step',
      outputs: { data_output: 'out/step' },
      env: { FLOOD_MB: String(megabytes) },
    })
    const before = project.snapshot()

    // Measured in a process of its own: the test runner's heap would drown the signal.
    const driver = await execa(
      'node',
      [join(fixturesDir, 'drivers', 'flood-driver.mjs'), distIndexJs, project.root, dag, 'Step'],
      { timeout: 240_000 },
    )
    const report = JSON.parse(driver.stdout) as {
      baselineRss: number
      peakRss: number
      result: ScriptTestResult
    }
    const growthMb = (report.peakRss - report.baselineRss) / 2 ** 20
    expect(report.result.outcome).toBe('success')
    expect(growthMb, `RSS grew by ${growthMb.toFixed(1)} MB`).toBeLessThan(150)

    const log = report.result.logs.stdout!
    expect(statSync(log).size).toBe(megabytes * 2 ** 20)
    const handle = await open(log, 'r')
    const end = Buffer.alloc(1024)
    await handle.read(end, 0, 1024, megabytes * 2 ** 20 - 1024)
    await handle.close()
    expect(end.toString('utf8')).toMatch(/^end of flood x+\n$/)
    // The in-memory tail is bounded and ends where the log ends.
    expect(report.result.stdoutTail.length).toBeLessThanOrEqual(64 * 1024)
    expect(report.result.stdoutTail).toMatch(/end of flood x+$/)

    expect(project.snapshot()).toEqual(before)
    await expectNoProcessLeft(project)
  })
})
