import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { closeSync, mkdirSync, openSync, statSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import { setTimeout as delay } from 'node:timers/promises'
import {
  endMarkedProcesses,
  EXECUTION_MARK_VAR,
  newExecutionMark,
  signalProcess,
  type MarkedProcess,
} from './execution-mark.js'
import { groupSpawnOptions, launchThroughWatchdog } from './group-watchdog.js'
import { readLogTail } from './log-tail.js'
import { parentGone } from './parent-channel.js'
import {
  groupIsAlive,
  guardGroups,
  KILL_GRACE_MS,
  signalGroup,
  trackGroup,
  untrackGroup,
} from './process-groups.js'
import type { ChildExit, Launched, Launcher, LaunchSpec, ProcessEvidence } from './types.js'

const GROUP_POLL_MS = 20
/** How long a timed-out script gets to dump its stack (see ProcessOptions.stackSignal). */
const STACK_DUMP_WAIT_MS = 300
/**
 * Below this duration only processes younger than the script are searched for its mark (see
 * execution-mark.ts); a longer execution may have seen the pid counter wrap.
 */
const YOUNGER_PIDS_ONLY_MS = 10_000
/** setTimeout fires at once for delays beyond 2^31-1 ms; longer means no timeout. */
const MAX_TIMER_MS = 2 ** 31 - 1

export interface ProcessOptions {
  file: string
  args: string[]
  cwd: string
  /** Added to (and overriding) our own environment. */
  env: Record<string, string>
  /** 0, negative or non-finite: no timeout. */
  timeoutMs: number
  signal?: AbortSignal
  /** `stdout.log` and `stderr.log` are written here, in full. */
  logDir: string
  /**
   * Sent to the child alone when the timeout hits, {@link STACK_DUMP_WAIT_MS} at most before
   * the group is terminated, so it can write down where it was stuck.
   */
  stackSignal?: NodeJS.Signals
  /**
   * Starts the process in place of a spawn (the Python worker forks it instead); everything
   * after the start — groups, timeout, kills, marks, logs — is the same either way.
   */
  launch?: Launcher
}

/** Why we ended the process ourselves, if we did. */
export type Termination =
  | { kind: 'timeout'; timeoutMs: number }
  | { kind: 'aborted'; reason: string }
  /** The process that started it (the Python worker, the group watchdog) died: its exit status is lost. */
  | { kind: 'launcher-lost'; reason: string; fix?: string }

export interface ProcessExit extends ProcessEvidence {
  termination?: Termination
  /**
   * The process never started. `code` is the errno code (ENOENT, EACCES…), or BAD_CWD (no
   * such working directory) / BAD_ARGUMENT (a value no process can receive) found before.
   */
  spawnError?: { code: string; message: string }
  /** Processes that had left the script's process group and were still running at its end. */
  escaped?: MarkedProcess[]
}

/**
 * The one place pipetest starts a script. The child gets an argv array (never a shell), its
 * own process group, stdin closed, and our log files as its stdout/stderr. Writing straight to
 * files (rather than through pipes we read) keeps memory flat whatever the script prints, and
 * means a grandchild that still holds stdout, even one that escaped the group, cannot delay
 * us: we are done when the child exits. On timeout or abort the whole group gets SIGTERM, then
 * SIGKILL after {@link KILL_GRACE_MS}. Whatever of the group is still running once the child
 * has exited is ended the same way, and so is any process that left the group but still
 * carries the execution's mark (see execution-mark.ts), so an execution never leaves
 * processes behind. The parent process going away (see parent-channel.ts) aborts it like the
 * run's own signal.
 */
export async function spawnProcess(options: ProcessOptions): Promise<ProcessExit> {
  mkdirSync(options.logDir, { recursive: true })
  const stdoutLog = join(options.logDir, 'stdout.log')
  const stderrLog = join(options.logDir, 'stderr.log')
  const started = performance.now()
  const finish = async (
    fields: Omit<ProcessExit, keyof ProcessEvidence> & Partial<ProcessEvidence>,
  ): Promise<ProcessExit> => ({
    exitCode: null,
    signal: null,
    ...fields,
    durationMs: Math.round(performance.now() - started),
    stdoutTail: await readLogTail(stdoutLog),
    stderrTail: await readLogTail(stderrLog),
    stdoutLog,
    stderrLog,
  })
  const stdoutFd = openSync(stdoutLog, 'w')
  const stderrFd = openSync(stderrLog, 'w')
  // Found before spawning: said in stderr.log too, so the log folder explains itself.
  const refused = (code: string, message: string) => {
    writeSync(stderrFd, `pipetest: ${message}\n`)
    return finish({ spawnError: { code, message } })
  }
  try {
    if (!isDirectory(options.cwd)) {
      // Spawning would fail with a bare ENOENT, indistinguishable from a missing program.
      return await refused('BAD_CWD', `the working directory ${options.cwd} does not exist`)
    }
    // The run's own abort, or the parent process gone (a forked worker left alone): both stop
    // what runs and start nothing more.
    const abortSignals = options.signal ? [options.signal, parentGone()] : [parentGone()]
    const alreadyAborted = abortSignals.find((signal) => signal.aborted)
    if (alreadyAborted) {
      return await finish({ termination: { kind: 'aborted', reason: abortReason(alreadyAborted) } })
    }
    let subprocess: Launched
    const mark = newExecutionMark()
    guardGroups()
    try {
      // The mark last: a spec cannot turn it off by setting the variable itself.
      const env = { ...stringEnv(process.env), ...options.env, [EXECUTION_MARK_VAR]: mark }
      const spec = { ...options, env, stdoutFd, stderrFd, stdoutLog, stderrLog }
      // A spawn here returns synchronously, so awaiting it lets no signal handler run between
      // the spawn and trackGroup below (see guardGroups); the watchdog, or the Python worker,
      // lists what it starts itself, and ends it if we die before tracking it.
      subprocess = await (options.launch ?? spawnInGroup)(spec)
    } catch (error) {
      untrackGroup()
      // Thrown before spawning, for values no process can receive (a NUL byte in an argument
      // or environment value): a spec mistake, not a failure to start.
      return await refused('BAD_ARGUMENT', error instanceof Error ? error.message : String(error))
    }
    const exited = subprocess.exited
    const pgid = subprocess.pid
    if (pgid === undefined) {
      untrackGroup()
      const failure = await exited
      return await finish({
        spawnError: {
          code: failure.error?.code ?? 'UNKNOWN',
          message: failure.error?.message ?? 'the process could not be started',
        },
      })
    }

    trackGroup(pgid, mark)
    const killer = new GroupKiller(pgid, options.stackSignal)
    const stopTimeout = watchTimeout(options.timeoutMs, killer)
    const stopAborts = abortSignals.map((signal) => watchAbort(signal, killer))
    let result
    let escaped: MarkedProcess[] = []
    try {
      result = await exited
      if (result.lost) {
        const fix = result.lostFix === undefined ? {} : { fix: result.lostFix }
        killer.terminate({ kind: 'launcher-lost', reason: result.lost, ...fix })
      }
    } finally {
      stopTimeout()
      for (const stop of stopAborts) stop()
      await killer.endStragglers()
      const short = performance.now() - started < YOUNGER_PIDS_ONLY_MS
      escaped = await endMarkedProcesses(mark, KILL_GRACE_MS, short ? pgid : 0)
      untrackGroup(pgid)
    }
    return await finish({
      ...(escaped.length > 0 ? { escaped } : {}),
      exitCode: result.exitCode,
      signal: result.signal,
      ...(killer.termination ? { termination: killer.termination } : {}),
    })
  } finally {
    closeSync(stdoutFd)
    closeSync(stderrFd)
  }
}

/**
 * Starts the process as the leader of a new process group: through the group watchdog once it
 * is ready, so that the fork happens in that small process and not on the thread running the
 * pipeline (see group-watchdog.ts); until then, or where it cannot be used, here.
 */
export function spawnInGroup(spec: LaunchSpec): Launched | Promise<Launched> {
  return launchThroughWatchdog(spec, spawnHere) ?? spawnHere(spec)
}

/**
 * Node's own spawn, not execa: this module is also loaded in Jest's CommonJS sandbox, whose
 * module registry cannot `require` an ES-only package, and nothing of execa's (buffering,
 * cleanup, rejection) is used here.
 */
function spawnHere(spec: LaunchSpec): Launched {
  const child = spawn(spec.file, spec.args, {
    ...groupSpawnOptions(spec),
    // Our log files' descriptors go straight to the child, which writes to disk itself.
    stdio: ['ignore', spec.stdoutFd, spec.stderrFd],
  })
  return { pid: child.pid, exited: exitOf(child) }
}

/** process.env without its unset entries, as a spawn's `env` takes it. */
export function stringEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined),
  )
}

/** Settles once: when the child has exited, or failed to start. */
function exitOf(child: ChildProcess): Promise<ChildExit> {
  return new Promise((resolve) => {
    child.once('error', (error: NodeJS.ErrnoException) =>
      resolve({ exitCode: null, signal: null, error }),
    )
    child.once('exit', (exitCode, signal) => resolve({ exitCode, signal }))
  })
}

/** Ends a process group: SIGTERM first, SIGKILL when the grace period is over. */
class GroupKiller {
  termination: Termination | undefined
  private termSentAt: number | undefined
  private forceTimer: NodeJS.Timeout | undefined

  constructor(
    private readonly pgid: number,
    private readonly stackSignal?: NodeJS.Signals,
  ) {}

  terminate(termination: Termination): void {
    if (this.termination) return
    this.termination = termination
    if (termination.kind === 'timeout' && this.stackSignal) {
      // The child alone (it leads the group): its stack, not its children's.
      signalProcess(this.pgid, this.stackSignal)
      this.forceTimer = setTimeout(() => this.sendTerm(), STACK_DUMP_WAIT_MS)
      return
    }
    this.sendTerm()
  }

  /** Called once the child has exited: whatever is left of its group is a straggler. */
  async endStragglers(): Promise<void> {
    if (groupIsAlive(this.pgid)) {
      this.sendTerm()
      const deadline = (this.termSentAt ?? Date.now()) + KILL_GRACE_MS
      while (Date.now() < deadline && groupIsAlive(this.pgid)) await delay(GROUP_POLL_MS)
      if (groupIsAlive(this.pgid)) {
        signalGroup(this.pgid, 'SIGKILL')
        // SIGKILL cannot be caught, but delivery is asynchronous: wait until it has landed.
        const killDeadline = Date.now() + KILL_GRACE_MS
        while (Date.now() < killDeadline && groupIsAlive(this.pgid)) await delay(GROUP_POLL_MS)
      }
    }
    clearTimeout(this.forceTimer)
  }

  private sendTerm(): void {
    if (this.termSentAt !== undefined) return
    clearTimeout(this.forceTimer)
    this.termSentAt = Date.now()
    signalGroup(this.pgid, 'SIGTERM')
    this.forceTimer = setTimeout(() => signalGroup(this.pgid, 'SIGKILL'), KILL_GRACE_MS)
  }
}

function watchTimeout(timeoutMs: number, killer: GroupKiller): () => void {
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0 || timeoutMs > MAX_TIMER_MS) return () => {}
  const timer = setTimeout(() => killer.terminate({ kind: 'timeout', timeoutMs }), timeoutMs)
  return () => clearTimeout(timer)
}

function watchAbort(signal: AbortSignal, killer: GroupKiller): () => void {
  const onAbort = () => killer.terminate({ kind: 'aborted', reason: abortReason(signal) })
  // Aborted while the start was under way (the Python worker answers a fork asynchronously):
  // the event has fired already, and the process just started must go too.
  if (signal.aborted) {
    onAbort()
    return () => {}
  }
  signal.addEventListener('abort', onAbort, { once: true })
  return () => signal.removeEventListener('abort', onAbort)
}

export function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory()
  } catch {
    return false
  }
}

/** Why `signal` aborted, in words. */
export function abortReason(signal: AbortSignal): string {
  const reason: unknown = signal.reason
  if (reason instanceof Error) return reason.message
  if (typeof reason === 'string' && reason !== '') return reason
  return 'the run was aborted'
}

export interface ProbeResult {
  exitCode: number | null
  stdout: string
  stderr: string
  spawnError?: string
  timedOut: boolean
}

/** What a helper command is given beyond its arguments. */
export interface ProbeOptions {
  timeoutMs: number
  /** Written to its stdin (closed at once when absent). */
  input?: string
  /** Output beyond this many bytes ends it as failed. Default 1 MiB. */
  maxBuffer?: number
}

/**
 * Runs a short, trusted helper command (an interpreter probe, a contract reader) and captures
 * its output. Not for user scripts: it has no logs, no process group and a fixed timeout.
 */
export async function probeProcess(
  file: string,
  args: string[],
  options: ProbeOptions,
): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const child = execFile(
      file,
      args,
      {
        timeout: options.timeoutMs,
        maxBuffer: options.maxBuffer ?? 1024 * 1024,
        windowsHide: true,
        encoding: 'utf8',
      },
      (error, stdout, stderr) => {
        const failure = error as (NodeJS.ErrnoException & { killed?: boolean }) | null
        // A number is the exit code; a string code is an errno: the process never started.
        const spawnError =
          typeof failure?.code === 'string' && failure.code !== 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER'
            ? failure.code
            : undefined
        const signal = (failure as { signal?: string | null } | null)?.signal ?? null
        const exitCode = typeof failure?.code === 'number' ? failure.code : failure ? null : 0
        resolve({
          exitCode: spawnError !== undefined || signal !== null ? null : exitCode,
          stdout,
          stderr,
          ...(spawnError === undefined ? {} : { spawnError }),
          timedOut: failure?.killed === true && signal !== null,
        })
      },
    )
    // A helper that exits without reading its input must not fail us with EPIPE.
    child.stdin?.on('error', () => undefined)
    child.stdin?.end(options.input)
  })
}
