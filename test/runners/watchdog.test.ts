import { existsSync, readFileSync } from 'node:fs'
import { chmod, copyFile } from 'node:fs/promises'
import { join } from 'node:path'
import { execa, type ResultPromise } from 'execa'
import { describe, expect } from 'vitest'
import { PARENT_GONE_REASON } from '../../src/runners/parent-channel.js'
import { KILL_GRACE_MS } from '../../src/runners/process-groups.js'
import type { ProcessReport } from '../../src/runners/types.js'
import { processes, type ProcessInfo } from '../support/processes.js'
import { fixture, isRunning, it, readPids, waitFor, killedAfterEach } from './helpers.js'

/**
 * A host that ends without running any exit hook of ours still leaves no script behind: the
 * watchdog process kills them (SIGKILL of the host, a worker thread torn down by
 * `process.exit()` in the main thread), and a forked worker whose parent has gone stops its
 * scripts itself. The host is a bundled driver (test/fixtures/scripts/drivers/host-driver.ts).
 */

let driver: string

it.beforeAll(async ({ bundleDriver }) => {
  driver = await bundleDriver('host-driver')
})

// Pids of processes a failing test would leave behind.
const started = killedAfterEach()

async function copyScript(root: string, name: string): Promise<string> {
  const target = join(root, name)
  await copyFile(fixture(name.endsWith('.py') ? 'python' : 'command', name), target)
  await chmod(target, 0o755)
  return target
}

/** Every process a driver starts inherits this variable: it finds a watchdog whatever its parent. */
const MARK_VAR = 'PIPETEST_WATCHDOG_TEST_MARK'
let marks = 0

function startDriver(
  mode: string,
  script: string,
  root: string,
  options: { ipc?: boolean; ownGroup?: boolean } = {},
): { subprocess: ResultPromise; mark: string } {
  const mark = `${process.pid}-${++marks}`
  const subprocess = execa('node', [driver, mode, script, root], {
    reject: false,
    timeout: 60_000,
    stdin: 'pipe',
    env: { [MARK_VAR]: mark },
    ...(options.ipc ? { ipc: true } : {}),
    // The leader of a process group of its own, which the test can kill whole.
    ...(options.ownGroup ? { detached: true } : {}),
  })
  outputOf(subprocess)
  return { subprocess, mark }
}

/**
 * Resolves with the driver's pid (its first line), once it has printed `line`. Lines are
 * collected from the start, so a line printed before the call counts.
 */
function driverSaid(subprocess: ResultPromise, line: string): Promise<number> {
  const lines = outputOf(subprocess)
  return new Promise<number>((resolve, reject) => {
    const check = () => {
      if (!lines.includes(line)) return
      const pid = Number(lines[0])
      started.push(pid)
      resolve(pid)
    }
    subprocess.stdout!.on('data', check)
    check()
    void subprocess.then((result) =>
      reject(new Error(`the driver ended before saying "${line}":\n${String(result.stderr)}`)),
    )
  })
}

const outputs = new WeakMap<ResultPromise, string[]>()

/** The complete lines the driver printed so far (kept up to date). */
function outputOf(subprocess: ResultPromise): string[] {
  let lines = outputs.get(subprocess)
  if (lines) return lines
  const collected: string[] = []
  let partial = ''
  // Registered before any other listener on the stream, so it sees each chunk first.
  subprocess.stdout!.on('data', (chunk: Buffer) => {
    const parts = (partial + chunk.toString()).split('\n')
    partial = parts.pop() ?? ''
    collected.push(...parts)
  })
  outputs.set(subprocess, collected)
  lines = collected
  return lines
}

/** Running watchdogs started by the driver with this mark. */
function watchdogsOf(mark: string): ProcessInfo[] {
  return helpersOf(mark, 'group_watchdog.mjs')
}

/** Running processes of the driver with this mark whose command line names `script`. */
function helpersOf(mark: string, script: string): ProcessInfo[] {
  return processes().filter((info) => {
    if (!info.cmdline.includes(script) || info.state === 'Z') return false
    try {
      const environ = readFileSync(`/proc/${info.pid}/environ`, 'utf8').split('\0')
      return environ.includes(`${MARK_VAR}=${mark}`)
    } catch {
      return false
    }
  })
}

async function expectNoWatchdogLeft(mark: string, timeoutMs = 5000): Promise<void> {
  await waitFor(() => watchdogsOf(mark).length === 0, timeoutMs, 'the watchdog to exit')
}

async function expectNoWorkerLeft(mark: string): Promise<void> {
  await waitFor(
    () => helpersOf(mark, 'python_worker').length === 0,
    5000,
    'the Python worker to exit',
  )
}

/** The script and its grandchild, recorded by the first run, must end within the grace period. */
async function expectGroupEnded(root: string, n = 1): Promise<void> {
  const pids = readPids(join(root, `pids-${n}`))
  expect(pids).toHaveLength(2)
  started.push(...pids)
  await waitFor(
    () => pids.every((pid) => !isRunning(pid)),
    KILL_GRACE_MS + 3000,
    'the script and its grandchild to be killed',
  )
}

describe('scripts do not outlive a host that ends without running our exit hook', () => {
  it('kills them when the host is SIGKILLed', async ({ tempDir }) => {
    const root = tempDir()
    const { subprocess, mark } = startDriver(
      'sigkill',
      await copyScript(root, 'hangs_with_grandchild.sh'),
      root,
    )
    await driverSaid(subprocess, 'started')
    const result = await subprocess

    expect(result.signal).toBe('SIGKILL')
    await expectGroupEnded(root)
    await expectNoWatchdogLeft(mark)
  })

  it('kills them when the host is SIGKILLed after the watchdog started them', async ({
    tempDir,
  }) => {
    const root = tempDir()
    const { subprocess, mark } = startDriver(
      'sigkill-watchdog',
      await copyScript(root, 'hangs_with_grandchild.sh'),
      root,
    )
    await driverSaid(subprocess, 'started by watchdog')
    const result = await subprocess

    expect(result.signal).toBe('SIGKILL')
    await expectGroupEnded(root)
    await expectNoWatchdogLeft(mark)
  })

  it('kills them when the host is a worker thread ended by process.exit() in the main thread', async ({
    tempDir,
  }) => {
    const root = tempDir()
    const { subprocess, mark } = startDriver(
      'thread-exit',
      await copyScript(root, 'hangs_with_grandchild.sh'),
      root,
    )
    const host = await driverSaid(subprocess, 'started')
    // The thread's watchdog hands over to a copy adopted by init. A script started after that
    // must be covered too: the pipe has to survive the first watchdog's exit.
    await waitFor(
      () => watchdogsOf(mark).some((info) => info.ppid !== host),
      5000,
      'the watchdog to hand over',
    )
    const saidStarted2 = driverSaid(subprocess, 'started 2')
    subprocess.stdin!.write('more\n')
    await saidStarted2
    subprocess.stdin!.end()
    const result = await subprocess

    expect(result.exitCode).toBe(0)
    await expectGroupEnded(root, 1)
    await expectGroupEnded(root, 2)
    await expectNoWatchdogLeft(mark)
  })

  it('stops them, and starts no more, when a forked host loses its parent (IPC disconnect)', async ({
    tempDir,
  }) => {
    const root = tempDir()
    const { subprocess, mark } = startDriver(
      'disconnect',
      await copyScript(root, 'hangs_with_grandchild.sh'),
      root,
      { ipc: true },
    )
    await driverSaid(subprocess, 'started')
    const disconnectedAt = Date.now()
    subprocess.disconnect()
    // The host is left with nothing to do once its scripts are stopped: it ends on its own.
    const result = await subprocess

    expect(result.exitCode, String(result.stderr)).toBe(0)
    expect(Date.now() - disconnectedAt).toBeLessThan(KILL_GRACE_MS + 3000)
    await expectGroupEnded(root)
    const reports = JSON.parse(readFileSync(join(root, 'reports.json'), 'utf8')) as {
      first: ProcessReport
      second: ProcessReport
    }
    expect(reports.first.outcome).toBe('aborted')
    expect(reports.first.message).toBe(
      `aborted (${PARENT_GONE_REASON}); its process group was killed.`,
    )
    expect(reports.second.outcome).toBe('aborted')
    expect(existsSync(join(root, 'pids-2')), 'the second run was started').toBe(false)
    await expectNoWatchdogLeft(mark)
  })
})

describe('scripts forked by the Python worker do not outlive a host that ends without running our exit hook', () => {
  // The worker kills what it forked when the pipe from the host closes; the watchdog guards
  // these groups too, for what the worker no longer knows of (see process-groups.ts).
  it('kills the script and its grandchild when the host is SIGKILLed mid-execution', async ({
    tempDir,
  }) => {
    const root = tempDir()
    const { subprocess, mark } = startDriver(
      'sigkill',
      await copyScript(root, 'hangs_with_grandchild.py'),
      root,
    )
    await driverSaid(subprocess, 'started by worker')
    const result = await subprocess

    expect(result.signal).toBe('SIGKILL')
    await expectGroupEnded(root)
    await expectNoWatchdogLeft(mark)
    await expectNoWorkerLeft(mark)
  })

  it("kills them when the host's whole process group is SIGKILLed at once: the worker and the watchdog are not in it", async ({
    tempDir,
  }) => {
    const root = tempDir()
    const { subprocess, mark } = startDriver(
      'hold',
      await copyScript(root, 'hangs_with_grandchild.py'),
      root,
      { ownGroup: true },
    )
    const host = await driverSaid(subprocess, 'started by worker')
    process.kill(-host, 'SIGKILL')
    const result = await subprocess

    expect(result.signal).toBe('SIGKILL')
    await expectGroupEnded(root)
    await expectNoWatchdogLeft(mark)
    await expectNoWorkerLeft(mark)
  })

  it('kills them when the host is a worker thread ended by process.exit() in the main thread', async ({
    tempDir,
  }) => {
    const root = tempDir()
    const { subprocess, mark } = startDriver(
      'thread-exit',
      await copyScript(root, 'hangs_with_grandchild.py'),
      root,
    )
    await driverSaid(subprocess, 'started by worker')
    subprocess.stdin!.end()
    const result = await subprocess

    expect(result.exitCode).toBe(0)
    await expectGroupEnded(root)
    await expectNoWatchdogLeft(mark)
    await expectNoWorkerLeft(mark)
  })

  it('kills what is left of its group once it has exited: the worker has forgotten it, the watchdog has not', async ({
    tempDir,
  }) => {
    const root = tempDir()
    const { subprocess, mark } = startDriver(
      'sigkill-straggler',
      await copyScript(root, 'leaves_stubborn_grandchild.py'),
      root,
    )
    await driverSaid(subprocess, 'started by worker')
    const result = await subprocess

    expect(result.signal).toBe('SIGKILL')
    // The grandchild ignores SIGTERM: it ends by the watchdog's SIGKILL after the grace period.
    await expectGroupEnded(root)
    await expectNoWatchdogLeft(mark)
  })
})

describe('the watchdog', () => {
  it('is one process per host however many scripts run, and ends with the host', async ({
    tempDir,
  }) => {
    const root = tempDir()
    const { subprocess, mark } = startDriver(
      'sequential',
      await copyScript(root, 'exits_7.sh'),
      root,
    )
    const host = await driverSaid(subprocess, 'done')

    const watchdogs = watchdogsOf(mark)
    expect(watchdogs).toHaveLength(1)
    expect(watchdogs[0]!.ppid).toBe(host)

    subprocess.stdin!.end()
    expect((await subprocess).exitCode).toBe(0)
    await expectNoWatchdogLeft(mark)
  })

  it('is let go once the host has been idle a while, and started again for the next script', async ({
    tempDir,
  }) => {
    const root = tempDir()
    const { subprocess, mark } = startDriver(
      'sequential',
      await copyScript(root, 'exits_7.sh'),
      root,
    )
    await driverSaid(subprocess, 'done')
    const [first] = watchdogsOf(mark)
    expect(first).toBeDefined()

    // Idle for 10 s: the host lets it go while it stays alive itself.
    await expectNoWatchdogLeft(mark, 15_000)
    const saidDone = driverSaid(subprocess, 'done 7')
    subprocess.stdin!.write('more\n')
    await saidDone
    const [second] = watchdogsOf(mark)
    expect(second?.pid).not.toBe(first!.pid)

    subprocess.stdin!.end()
    expect((await subprocess).exitCode).toBe(0)
    await expectNoWatchdogLeft(mark)
  })

  it('from a worker thread, hands over so that no zombie is left once the thread has ended', async ({
    tempDir,
  }) => {
    const root = tempDir()
    const { subprocess, mark } = startDriver(
      'thread-idle',
      await copyScript(root, 'exits_7.sh'),
      root,
    )
    const host = await driverSaid(subprocess, 'thread ended')

    // Without the hand-over the watchdog, a child of a thread that is gone, stays a zombie.
    await waitFor(
      () => !processes().some((info) => info.ppid === host),
      5000,
      'the host to have no child process left, not even a zombie',
    )
    // The thread's watchdog saw its pipe close and exited.
    await expectNoWatchdogLeft(mark)
    subprocess.stdin!.end()
    expect((await subprocess).exitCode).toBe(0)
  })
})
