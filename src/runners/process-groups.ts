import { readdirSync } from 'node:fs'
import { onExit } from 'signal-exit'
import { isRunning, killMarkedProcessesNow, readProcStat, signalProcess } from './execution-mark.js'
import { announceGroup, releaseGroupWatchdog, startGroupWatchdog } from './group-watchdog.js'

/** Time between SIGTERM and SIGKILL: enough for Python to flush its buffers and exit. */
export const KILL_GRACE_MS = 2000

/**
 * Every execution runs as the leader of its own process group (spawned `detached`), so one
 * signal to `-pgid` reaches the script and everything it started. This module tracks the
 * groups that are alive and makes sure none outlives us, in two layers:
 *
 * - an exit hook: when our process exits or is killed by a catchable signal, every live group
 *   gets SIGKILL. signal-exit is used (rather than a bare `process.on('exit')`) because a
 *   default-handled SIGINT/SIGTERM never emits 'exit', and because it cooperates with other
 *   signal listeners instead of swallowing the signal;
 * - a watchdog process (see group-watchdog.ts) for the ends no hook sees: SIGKILL, a worker
 *   thread torn down with its process, an exit in a process that does not run our hook.
 *   Every group, also one the Python worker forked: the worker kills its children when our
 *   pipe closes, but forgets a child once it has reaped it, while we still end what is left
 *   of its group (a grandchild that ignores SIGTERM gets the grace period): a host killed
 *   then would leave that grandchild running but for the watchdog.
 *
 * (A forked worker whose parent has gone is handled per execution: see parent-channel.ts.)
 */
/** Live groups, with the mark their processes carry (for those that left the group). */
const liveGroups = new Map<number, string | undefined>()
let removeExitHook: (() => void) | undefined

/**
 * Installs the exit hook and makes sure the watchdog runs. Called just before spawning:
 * a signal arriving between the spawn and {@link trackGroup} would otherwise meet no handler
 * and kill us by default, orphaning the new group. (Node runs signal listeners from the event
 * loop, so once the hook is in place the synchronous spawn-then-track sequence always
 * completes before the hook runs.)
 */
export function guardGroups(): void {
  removeExitHook ??= onExit(() => {
    for (const [group, mark] of liveGroups) {
      signalGroup(group, 'SIGKILL')
      if (mark !== undefined) killMarkedProcessesNow(mark)
    }
  })
  startGroupWatchdog(KILL_GRACE_MS, liveGroups.keys())
}

export function trackGroup(pgid: number, mark?: string): void {
  guardGroups()
  liveGroups.set(pgid, mark)
  announceGroup('+', pgid)
}

/** Forgets a group that has ended (or a spawn that failed, without a pgid). */
export function untrackGroup(pgid?: number): void {
  if (pgid !== undefined && liveGroups.delete(pgid)) announceGroup('-', pgid)
  if (liveGroups.size > 0) return
  releaseGroupWatchdog()
  if (removeExitHook) {
    // Keep no signal handlers installed while nothing runs: the host's defaults apply again.
    removeExitHook()
    removeExitHook = undefined
  }
}

/** Sends `signal` to every process of the group; a group that is already gone is fine. */
export function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  signalProcess(-pgid, signal)
}

/**
 * True while a process of the group is still running. Zombies do not count: in containers
 * whose PID 1 reaps slowly, a killed orphan lingers as a zombie for a second or more, and
 * `kill(-pgid, 0)` still succeeds for it although nothing runs any more.
 */
export function groupIsAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0)
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
  return hasRunningMember(pgid)
}

function hasRunningMember(pgid: number): boolean {
  let entries: string[]
  try {
    entries = readdirSync('/proc')
  } catch {
    // No procfs (macOS): the signal probe above is the best information available.
    return true
  }
  return entries.some((entry) => {
    const stat = /^\d+$/.test(entry) ? readProcStat(entry) : undefined
    return stat?.pgrp === pgid && isRunning(stat)
  })
}
