import { copyFile, chmod, stat } from 'node:fs/promises'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect } from 'vitest'
import { it } from '../support/fixtures.js'
import { runExecution } from '../../src/runners/index.js'
import { spawnInGroup, spawnProcess } from '../../src/runners/process.js'
import { KILL_GRACE_MS } from '../../src/runners/process-groups.js'
import { fixture, isRunning, makeRequest, readPids, waitFor, killedAfterEach } from './helpers.js'

// Processes a test deliberately lets escape pipetest's reach.
const escapedPids = killedAfterEach()

describe('timeouts and aborts', () => {
  it('kills the whole process group on timeout, even a grandchild holding stdout open', async ({
    tempDir,
  }) => {
    const root = tempDir()
    const pidFile = join(root, 'pids')
    const request = await makeRequest(root, {
      runner: 'python',
      scriptPath: fixture('python', 'hangs_with_grandchild.py'),
      environVars: { PID_FILE: pidFile },
      jobArgs: { escape_group: false },
      timeoutMs: 1500,
    })

    const started = Date.now()
    const report = await runExecution(request)
    const elapsed = Date.now() - started

    expect(report.outcome).toBe('timeout')
    expect(report.message).toMatch(
      /^timed out after 1\.5 s and was killed with its child processes/,
    )
    expect(report.signal).toBe('SIGTERM')
    // What the script printed before the kill is kept, although Python had not flushed it.
    expect(report.stdoutTail).toBe('started; now hanging')
    // Returns right after the timeout: it neither waits for the grandchild's stdout to close
    // nor needs the SIGKILL grace period (everything in the group obeys SIGTERM).
    expect(elapsed).toBeLessThan(1500 + KILL_GRACE_MS)
    const pids = readPids(pidFile)
    expect(pids).toHaveLength(2)
    for (const pid of pids) expect(isRunning(pid)).toBe(false)
  })

  it('kills a shell script and its background job on timeout (command runner)', async ({
    tempDir,
  }) => {
    const root = tempDir()
    const script = join(root, 'hangs.sh')
    await copyFile(fixture('command', 'hangs_with_grandchild.sh'), script)
    await chmod(script, 0o755)
    const pidFile = join(root, 'pids')
    const request = await makeRequest(root, {
      runner: 'command',
      scriptPath: script,
      environVars: { PID_FILE: pidFile },
      timeoutMs: 1000,
    })

    const report = await runExecution(request)

    expect(report.outcome).toBe('timeout')
    expect(report.stdoutTail).toBe('started; now hanging')
    for (const pid of readPids(pidFile)) expect(isRunning(pid)).toBe(false)
  })

  it('returns on timeout even when a grandchild escaped the group and still holds stdout, and kills it by its mark', async ({
    tempDir,
  }) => {
    const root = tempDir()
    const pidFile = join(root, 'pids')
    const request = await makeRequest(root, {
      runner: 'python',
      scriptPath: fixture('python', 'hangs_with_grandchild.py'),
      environVars: { PID_FILE: pidFile },
      jobArgs: { escape_group: true },
      timeoutMs: 1000,
    })

    const started = Date.now()
    const report = await runExecution(request)
    const [child, escaped] = readPids(pidFile) as [number, number]
    escapedPids.push(escaped)

    expect(report.outcome).toBe('timeout')
    expect(Date.now() - started).toBeLessThan(1000 + KILL_GRACE_MS)
    expect(isRunning(child)).toBe(false)
    // setsid() put it out of reach of the group signal, not of the execution's mark.
    expect(isRunning(escaped)).toBe(false)
    expect(report.escapedProcesses?.map(({ pid }) => pid)).toEqual([escaped])
  })

  it('kills the process group when the abort signal fires', async ({ tempDir }) => {
    const root = tempDir()
    const pidFile = join(root, 'pids')
    const controller = new AbortController()
    const request = await makeRequest(root, {
      runner: 'python',
      scriptPath: fixture('python', 'hangs_with_grandchild.py'),
      environVars: { PID_FILE: pidFile },
      jobArgs: { escape_group: false },
      signal: controller.signal,
    })

    const running = runExecution(request)
    await waitFor(() => existsSync(pidFile), 10_000, 'the script to start')
    controller.abort(new Error('user pressed Ctrl+C'))
    const report = await running

    expect(report.outcome).toBe('aborted')
    expect(report.message).toBe('aborted (user pressed Ctrl+C); its process group was killed.')
    for (const pid of readPids(pidFile)) expect(isRunning(pid)).toBe(false)
  })

  it('kills a process whose start was still under way when the abort signal fired', async ({
    tempDir,
  }) => {
    // The Python worker answers a fork request asynchronously: a Ctrl-C can land between the
    // request and the pid, and the process started after it must not be left running.
    const root = tempDir()
    const controller = new AbortController()
    let pid: number | undefined
    const report = await spawnProcess({
      file: process.execPath,
      args: ['-e', 'setTimeout(() => {}, 30_000)'],
      cwd: root,
      env: {},
      timeoutMs: 0,
      signal: controller.signal,
      logDir: root,
      launch: async (spec) => {
        controller.abort(new Error('user pressed Ctrl+C'))
        await new Promise((resolve) => setImmediate(resolve))
        const launched = await spawnInGroup(spec)
        pid = launched.pid
        return launched
      },
    })

    expect(report.termination).toEqual({ kind: 'aborted', reason: 'user pressed Ctrl+C' })
    expect(isRunning(pid!)).toBe(false)
  })

  it('does not start at all when the signal is already aborted', async ({ tempDir }) => {
    const root = tempDir()
    const request = await makeRequest(root, {
      runner: 'python',
      scriptPath: fixture('python', 'contract_ok.py'),
      signal: AbortSignal.abort('run cancelled'),
    })

    const report = await runExecution(request)

    expect(report).toMatchObject({ outcome: 'aborted', exitCode: null })
    expect(report.message).toContain('run cancelled')
  })

  it('reports a script killed by a signal it sent itself', async ({ tempDir }) => {
    const root = tempDir()
    const request = await makeRequest(root, {
      runner: 'python',
      scriptPath: fixture('python', 'kills_itself.py'),
    })

    const report = await runExecution(request)

    expect(report).toMatchObject({ outcome: 'killed', signal: 'SIGKILL', exitCode: null })
    expect(report.message).toContain('was killed by SIGKILL')
    expect(report.message).toContain('pipetest did not send it')
  })
})

describe('output capture', () => {
  it('keeps 50 MiB of output on disk and only a short tail in the report', async ({ tempDir }) => {
    const root = tempDir()
    const request = await makeRequest(root, {
      runner: 'python',
      scriptPath: fixture('python', 'floods_stdout.py'),
      jobArgs: { mebibytes: 50 },
    })
    const heapBefore = process.memoryUsage().heapUsed

    const report = await runExecution(request)

    expect(report.outcome).toBe('success')
    expect((await stat(report.stdoutLog)).size).toBe(50 * 1024 * 1024 + 'END-MARKER\n'.length)
    const lines = report.stdoutTail.split('\n')
    expect(lines.length).toBeLessThanOrEqual(40)
    expect(lines.at(-1)).toBe('END-MARKER')
    expect(report.stdoutTail.length).toBeLessThanOrEqual(64 * 1024)
    // The output never passes through our memory (generous bound against GC noise).
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(20 * 1024 * 1024)
  })

  it('decodes invalid UTF-8 output with replacement characters instead of failing', async ({
    tempDir,
  }) => {
    const root = tempDir()
    const request = await makeRequest(root, {
      runner: 'python',
      scriptPath: fixture('python', 'invalid_utf8.py'),
    })

    const report = await runExecution(request)

    expect(report.outcome).toBe('success')
    expect(report.stdoutTail).toMatch(/^before \uFFFD\uFFFD bad \uFFFD\( bytes after$/)
    expect(report.stderrTail).toContain('\uFFFD')
    expect(report.stderrTail).toContain('lone surrogate')
  })
})
