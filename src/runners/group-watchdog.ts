import { spawn } from 'node:child_process'
import type { Socket } from 'node:net'
import { dirname } from 'node:path'
import { createInterface } from 'node:readline'
import { isMainThread } from 'node:worker_threads'
import { EXECUTION_MARK_VAR, killMarkedProcessesNow } from './execution-mark.js'
import { harnessPath } from './harness.js'
import type { ChildExit, Launched, LaunchSpec } from './types.js'

/**
 * The last guard against orphaned scripts, and the one that starts them: a small helper
 * process (`harness/group_watchdog.mjs`) beside the host.
 *
 * It starts scripts. A spawn forks the process that calls it, and Linux copies the forking
 * process's page tables while the calling thread waits: ~1 ms for the CLI, 2–3 ms for a
 * Vitest or Jest worker holding a few hundred MB, on the very thread that schedules the run
 * (libuv forks on Linux; V8 does not mark its heap MADV_DONTFORK in Node 20). The watchdog is
 * a bare Node, cheap to fork, and the host only writes a line: see {@link launchThroughWatchdog}.
 * The child is the watchdog's, so its exit comes back as a line too.
 *
 * It outlives its host. Exit hooks cannot cover every way a host ends: a worker thread torn
 * down with its process (Vitest's threads pool), a `process.exit()` in code that does not run
 * ours, a SIGKILL. The watchdog holds the read end of a pipe whose only write end is ours; we
 * write `+PGID` / `-PGID` as groups start and end (it lists the groups it starts itself, at
 * once), and when the pipe closes (however we ended) it kills the groups still listed.
 *
 * One watchdog per host — per process, and per worker thread, because module state, and with it
 * the list of groups, is per thread, and because the thread's end must close the pipe: the
 * pipe is a handle of the thread's event loop, so a thread torn down while its scripts run
 * closes it, and a process dying closes every thread's. Sharing one per process would need the
 * main thread, which does not run pipetest under Vitest.
 *
 * Started with the first group and kept while groups keep coming, so a run costs one spawn;
 * until it says it is ready, scripts are spawned directly (a run's first script does not wait
 * for it). Let go after {@link IDLE_RELEASE_MS} without any group, so an idle host (a
 * long-lived library user, a Jest worker that loads pipetest afresh for every test file)
 * keeps none around. One that could not start is not tried again in this process (the exit
 * hook remains, and scripts are spawned directly); one that died is replaced by the next group.
 */
const IDLE_RELEASE_MS = 10_000

/** `PIPETEST_SPAWNER=0`: spawn scripts on the host's thread (the watchdog still guards them). */
export const SPAWNER_VAR = 'PIPETEST_SPAWNER'

const LOST_FIX = `${SPAWNER_VAR}=0 has pipetest start scripts itself.`

interface Reply {
  id?: number
  pid?: number
  exitCode?: number | null
  signal?: string | null
  error?: { code?: string; errno?: number; syscall?: string; path?: string; message: string }
  thrown?: string
}

/** A start asked of the watchdog: answered with a pid (or a failure), then with the exit. */
interface Start {
  started: (launched: Launched) => void
  refused: (error: Error) => void
  exited?: (exit: ChildExit) => void
  /** The execution's mark: how to find its process if the watchdog dies before answering. */
  mark: string | undefined
}

class Watchdog {
  ready = false
  /** Why it cannot be used any more; set once. */
  dead: string | undefined
  readonly #input: Socket
  readonly #output: Socket
  #released = false
  readonly #starts = new Map<number, Start>()
  #nextId = 1

  constructor(
    input: Socket,
    output: Socket,
    private readonly onGone: (watchdog: Watchdog, before: 'ready' | 'end') => void,
  ) {
    this.#input = input
    this.#output = output
    input.on('error', () => this.#die('its pipe broke'))
    output.on('error', () => this.#die('its pipe broke'))
    output.on('close', () => this.#die('it exited'))
    createInterface({ input: output }).on('line', (line) => {
      if (line === 'ready') {
        this.ready = true
        return
      }
      let reply: Reply
      try {
        reply = JSON.parse(line) as Reply
      } catch {
        return // not ours (a warning Node printed): the host must not throw over it
      }
      this.#answer(reply)
    })
    this.#updateRef()
  }

  announce(line: string): void {
    // A pipe write with room in the buffer happens at once (libuv tries before queueing), so the
    // watchdog knows of a group before anything else runs.
    this.#input.write(`${line}\n`)
  }

  /** Lets it go: with nothing listed, it exits as soon as it reads the end of its input. */
  release(): void {
    this.#released = true
    this.onGone(this, 'end')
    this.#input.end()
  }

  launch(spec: LaunchSpec): Promise<Launched> {
    const id = this.#nextId++
    const launched = new Promise<Launched>((started, refused) =>
      this.#starts.set(id, { started, refused, mark: spec.env[EXECUTION_MARK_VAR] }),
    )
    this.announce(
      JSON.stringify({
        id,
        file: spec.file,
        args: spec.args,
        options: groupSpawnOptions(spec),
        stdout: spec.stdoutLog,
        stderr: spec.stderrLog,
      }),
    )
    this.#updateRef()
    return launched
  }

  #answer(reply: Reply): void {
    const start = reply.id === undefined ? undefined : this.#starts.get(reply.id)
    if (!start || reply.id === undefined) return
    if (start.exited) {
      // Its exit, or a failure to start reported after the (absent) pid.
      this.#starts.delete(reply.id)
      start.exited(exitOf(reply))
    } else if (reply.thrown !== undefined) {
      this.#starts.delete(reply.id)
      start.refused(new Error(reply.thrown))
    } else {
      const exited = new Promise<ChildExit>((resolve) => (start.exited = resolve))
      start.started({ pid: reply.pid, exited })
      // A failure to start comes without a pid, possibly in this very line.
      if (reply.error) this.#answer(reply)
    }
    this.#updateRef()
  }

  #die(how: string): void {
    if (this.dead) return
    this.dead = `the pipetest watchdog died: ${how}`
    this.onGone(this, this.ready || this.#released ? 'end' : 'ready')
    for (const start of this.#starts.values()) {
      if (start.exited) {
        // Its exit status went with the watchdog: spawnProcess ends the group and says so.
        start.exited({ exitCode: null, signal: null, lost: this.dead, lostFix: LOST_FIX })
      } else {
        // Never answered: it may or may not have started. Whatever carries the execution's
        // mark goes, then the script starts here, once.
        if (start.mark !== undefined) killMarkedProcessesNow(start.mark)
        start.refused(new WatchdogLost(this.dead))
      }
    }
    this.#starts.clear()
  }

  /** Keeps the host alive only while it waits for an answer or an exit. */
  #updateRef(): void {
    if (this.#starts.size > 0) this.#output.ref()
    else this.#output.unref()
  }
}

/** A start the watchdog took and never answered: made again on the host's thread. */
class WatchdogLost extends Error {}

let watchdog: Watchdog | undefined
let failed = false
let idleTimer: NodeJS.Timeout | undefined

/**
 * Makes sure the watchdog runs (a group is about to start). A new one (the first, or one
 * replacing a watchdog that died) is told of the groups already running.
 */
export function startGroupWatchdog(graceMs: number, running: Iterable<number>): void {
  clearTimeout(idleTimer)
  idleTimer = undefined
  if (watchdog || failed) return
  watchdog = spawnWatchdog(graceMs)
  failed = watchdog === undefined
  for (const pgid of running) announceGroup('+', pgid)
}

/** Tells the watchdog a group started (`+`) or has ended (`-`). */
export function announceGroup(change: '+' | '-', pgid: number): void {
  watchdog?.announce(`${change}${pgid}`)
}

/** No group is running: lets the watchdog go unless another group starts soon. */
export function releaseGroupWatchdog(): void {
  if (!watchdog || idleTimer) return
  idleTimer = setTimeout(() => {
    idleTimer = undefined
    watchdog?.release()
  }, IDLE_RELEASE_MS)
  idleTimer.unref()
}

/**
 * Has the watchdog start the script, when it is ready and not turned off; else undefined (the
 * caller spawns it itself). A start the watchdog took but never answered because it died is
 * made by `fallback`, after killing whatever of it may have started.
 */
export function launchThroughWatchdog(
  spec: LaunchSpec,
  fallback: (spec: LaunchSpec) => Launched,
): Promise<Launched> | undefined {
  if (!watchdog?.ready || watchdog.dead || process.env[SPAWNER_VAR] === '0') return undefined
  return watchdog.launch(spec).catch((error: unknown) => {
    if (error instanceof WatchdogLost) return fallback(spec)
    throw error
  })
}

/** The options of every script's spawn, wherever it happens (here, or in the watchdog). */
export function groupSpawnOptions(spec: LaunchSpec) {
  return {
    cwd: spec.cwd,
    env: spec.env,
    // setsid(): the child leads a new process group that one signal to -pid reaches whole.
    detached: true,
    windowsHide: true,
  }
}

/** Resolves once the watchdog is ready (true), or false when there is none or it died. */
export async function watchdogReady(deadline = 30_000): Promise<boolean> {
  const end = Date.now() + deadline
  while (watchdog && !watchdog.dead && !watchdog.ready && Date.now() < end) {
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
  return watchdog?.ready === true && !watchdog.dead
}

function exitOf(reply: Reply): ChildExit {
  if (reply.error) {
    const error: NodeJS.ErrnoException = Object.assign(new Error(reply.error.message), reply.error)
    return { exitCode: null, signal: null, error }
  }
  return { exitCode: reply.exitCode ?? null, signal: reply.signal ?? null }
}

function spawnWatchdog(graceMs: number): Watchdog | undefined {
  let script: string
  try {
    script = harnessPath('group_watchdog.mjs')
  } catch {
    return undefined
  }
  // A worker thread cannot reap a child once it has ended: a watchdog that outlived its thread
  // would stay a zombie until the process exits. There it hands over to a copy of itself,
  // adopted (and reaped) by init, and exits within a few tens of milliseconds. The pipes are
  // then its fds 3 and 4 rather than its stdin and stdout: Node closes a child's stdin on our
  // side when it exits.
  const reparent = !isMainThread
  let child
  try {
    child = spawn(
      process.execPath,
      [script, String(graceMs), ...(reparent ? ['--reparent'] : [])],
      {
        stdio: reparent
          ? ['ignore', 'ignore', 'ignore', 'pipe', 'pipe']
          : ['pipe', 'pipe', 'ignore'],
        // Its own session: a Ctrl-C to our process group must not take it with us.
        detached: true,
        // A folder that exists for sure: the host's may be a temp folder about to go.
        cwd: dirname(script),
        // NODE_OPTIONS would load the host's preloads (a debugger, a transpiler) into it;
        // spawn leaves out a variable that is undefined.
        env: { ...process.env, NODE_OPTIONS: undefined },
        windowsHide: true,
      },
    )
  } catch {
    // EAGAIN, EMFILE…: the exit hook still covers the ordinary ways to end.
    return undefined
  }
  const input = child.stdio[reparent ? 3 : 0] as Socket
  const output = child.stdio[reparent ? 4 : 1] as Socket
  const started = new Watchdog(input, output, (gone, before) => {
    if (watchdog === gone) watchdog = undefined
    // One that never got ready will not do better next time.
    if (before === 'ready') failed = true
  })
  child.on('error', () => output.destroy())
  // Never what keeps the host alive (but while it starts or runs a script for us: see
  // Watchdog) — but a thread waits for the hand-over, to reap the child.
  if (!reparent) child.unref()
  input.unref()
  return started
}
