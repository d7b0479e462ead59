import { execFileSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { readdirSync, readFileSync } from 'node:fs'
import { setTimeout as delay } from 'node:timers/promises'

/**
 * Every process of an execution carries a mark it cannot help inheriting: the environment
 * variable {@link EXECUTION_MARK_VAR}, set to a value unique to the execution. Process groups
 * cannot see a process that left the group (a `setsid` double fork, a Node child spawned
 * `detached`), but it keeps its environment; at the end of the execution whatever still
 * carries the mark is killed. (Jenkins finds a build's leftovers the same way, by its
 * BUILD_ID cookie.) Found through `/proc/<pid>/environ` on Linux and `ps -E` on macOS;
 * a process that clears its own environment, or runs as another user, cannot be found.
 */
export const EXECUTION_MARK_VAR = 'PIPETEST_EXECUTION_ID'

export interface MarkedProcess {
  pid: number
  command: string
}

export function newExecutionMark(): string {
  return randomBytes(9).toString('base64url')
}

/**
 * Running processes (not zombies) whose environment holds the mark. Only pids from
 * `sincePid` on are read when given: an execution's processes are younger than its first
 * one, and reading every process's environment costs milliseconds on a busy machine. (A pid
 * counter that wraps during a long execution defeats that; callers pass no bound then.)
 */
export function findMarkedProcesses(mark: string, sincePid = 0): MarkedProcess[] {
  const needle = `${EXECUTION_MARK_VAR}=${mark}`
  if (process.platform === 'linux') return fromProc(needle, sincePid)
  if (process.platform === 'darwin') return fromPs(needle)
  return []
}

function fromProc(needle: string, sincePid: number): MarkedProcess[] {
  let entries: string[]
  try {
    entries = readdirSync('/proc')
  } catch {
    return []
  }
  const found: MarkedProcess[] = []
  for (const entry of entries) {
    const pid = Number(entry)
    if (!Number.isInteger(pid) || pid < sincePid || pid === process.pid) continue
    let environ: string
    try {
      environ = readFileSync(`/proc/${entry}/environ`, 'latin1')
    } catch {
      continue // gone, or another user's
    }
    if (!environ.split('\0').includes(needle) || !isRunning(readProcStat(entry))) continue
    const command = readText(`/proc/${entry}/cmdline`).split('\0').join(' ').trim()
    found.push({ pid, command })
  }
  return found
}

function fromPs(needle: string): MarkedProcess[] {
  let text: string
  try {
    // BSD ps: -E appends each process's environment to its command line.
    text = execFileSync('ps', ['-axwwE', '-o', 'pid=,stat=,command='], {
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    })
  } catch {
    return []
  }
  const found: MarkedProcess[] = []
  for (const line of text.split('\n')) {
    const match = /^\s*(\d+)\s+(\S+)\s+(.*)$/.exec(line)
    if (!match || !` ${match[3]!} `.includes(` ${needle} `)) continue
    const pid = Number(match[1])
    if (pid === process.pid || match[2]!.startsWith('Z')) continue
    const command = match[3]!.slice(0, match[3]!.indexOf(` ${needle.split('=')[0]!}=`)).trim()
    found.push({ pid, command })
  }
  return found
}

/** A process's state and process group from `/proc/<pid>/stat`; undefined when unreadable. */
export function readProcStat(pid: string): { state: string; pgrp: number } | undefined {
  // "pid (comm) state ppid pgrp …" — comm may itself contain spaces and parentheses.
  const text = readText(`/proc/${pid}/stat`)
  const [state, , pgrp] = text.slice(text.lastIndexOf(')') + 2).split(' ')
  return state === undefined || pgrp === undefined ? undefined : { state, pgrp: Number(pgrp) }
}

/** Zombies and dead processes do not run any more, although signals still reach them. */
export function isRunning(stat: { state: string } | undefined): boolean {
  return stat !== undefined && stat.state !== 'Z' && stat.state !== 'X'
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8')
  } catch {
    return ''
  }
}

/**
 * Ends every process still carrying the mark: SIGTERM, then SIGKILL after `graceMs`; looks
 * again until none is left (a dying process may fork once more). Returns those found first.
 */
export async function endMarkedProcesses(
  mark: string,
  graceMs: number,
  sincePid = 0,
): Promise<MarkedProcess[]> {
  const first = findMarkedProcesses(mark, sincePid)
  const termDeadline = Date.now() + graceMs
  const killDeadline = termDeadline + graceMs
  let left = first
  while (left.length > 0 && Date.now() < killDeadline) {
    const signal = Date.now() < termDeadline ? 'SIGTERM' : 'SIGKILL'
    for (const { pid } of left) signalProcess(pid, signal)
    await delay(20)
    left = findMarkedProcesses(mark, sincePid)
  }
  return first
}

/** For exit hooks: SIGKILL to every process carrying the mark, synchronously. */
export function killMarkedProcessesNow(mark: string): void {
  for (const { pid } of findMarkedProcesses(mark)) signalProcess(pid, 'SIGKILL')
}

/** Sends `signal` to `pid` (a negative pid: its process group); one already gone is fine. */
export function signalProcess(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal)
  } catch {
    // ESRCH: gone already. EPERM: not ours to end (a member of a group changed user).
  }
}
