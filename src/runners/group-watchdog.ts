import { spawn } from 'node:child_process'
import type { Socket } from 'node:net'
import { dirname } from 'node:path'
import { isMainThread } from 'node:worker_threads'
import { harnessPath } from './harness.js'

/**
 * The last guard against orphaned scripts: a small helper process (`harness/group_watchdog.mjs`)
 * that outlives its host. Exit hooks cannot cover every way a host ends: a worker thread torn
 * down with its process (Vitest's threads pool), a `process.exit()` in code that does not run
 * ours, a SIGKILL. The watchdog holds the read end of a pipe whose only write end is ours; we
 * write `+PGID` / `-PGID` as groups start and end, and when the pipe closes (however we ended)
 * it kills the groups still listed.
 *
 * One watchdog per host — per process, and per worker thread, because module state, and with it
 * the list of groups, is per thread, and because the thread's end must close the pipe: the
 * pipe is a handle of the thread's event loop, so a thread torn down while its scripts run
 * closes it, and a process dying closes every thread's. Sharing one per process would need the
 * main thread, which does not run pipetest under Vitest.
 *
 * Started with the first group and kept while groups keep coming, so a run costs one spawn;
 * let go after {@link IDLE_RELEASE_MS} without any, so an idle host (a long-lived library
 * user, a Jest worker that loads pipetest afresh for every test file) keeps none around. A
 * watchdog that could not start or that died is not replaced: the exit hook remains.
 */
const IDLE_RELEASE_MS = 10_000

let pipe: Socket | undefined
let failed = false
let idleTimer: NodeJS.Timeout | undefined

/** Makes sure the watchdog runs (a group is about to start). */
export function startGroupWatchdog(graceMs: number): void {
  clearTimeout(idleTimer)
  idleTimer = undefined
  if (pipe || failed) return
  pipe = spawnWatchdog(graceMs)
  failed = pipe === undefined
}

/** Tells the watchdog a group started (`+`) or has ended (`-`). */
export function announceGroup(change: '+' | '-', pgid: number): void {
  // A pipe write with room in the buffer happens at once (libuv tries before queueing), so the
  // watchdog knows of a group before anything else runs.
  pipe?.write(`${change}${pgid}\n`)
}

/** No group is running: lets the watchdog go unless another group starts soon. */
export function releaseGroupWatchdog(): void {
  if (!pipe || idleTimer) return
  idleTimer = setTimeout(() => {
    idleTimer = undefined
    // With nothing listed, the watchdog exits as soon as it reads the end of its input.
    pipe?.end()
    pipe = undefined
  }, IDLE_RELEASE_MS)
  idleTimer.unref()
}

function spawnWatchdog(graceMs: number): Socket | undefined {
  let script: string
  try {
    script = harnessPath('group_watchdog.mjs')
  } catch {
    return undefined
  }
  // A worker thread cannot reap a child once it has ended: a watchdog that outlived its thread
  // would stay a zombie until the process exits. There it hands over to a copy of itself,
  // adopted (and reaped) by init, and exits within a few tens of milliseconds. The pipe is
  // then its fd 3 rather than its stdin, which Node would close on our side when it exits.
  const reparent = !isMainThread
  let child
  try {
    child = spawn(
      process.execPath,
      [script, String(graceMs), ...(reparent ? ['--reparent'] : [])],
      {
        stdio: reparent ? ['ignore', 'ignore', 'ignore', 'pipe'] : ['pipe', 'ignore', 'ignore'],
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
  const channel = child.stdio[reparent ? 3 : 0] as Socket
  // Could not start, or died (EPIPE on our next write): not replaced, the exit hook remains.
  const lost = () => {
    if (pipe !== channel) return
    pipe = undefined
    failed = true
  }
  child.on('error', lost)
  channel.on('error', lost)
  // Never what keeps the host alive — but a thread waits for the hand-over, to reap the child.
  if (!reparent) child.unref()
  channel.unref()
  return channel
}
