// pipetest's group watchdog: starts a host's scripts for it, and ends them if the host died
// without doing so.
//
// Usage: node group_watchdog.mjs GRACE_MS               (stdin, stdout: pipes from the host)
//        node group_watchdog.mjs GRACE_MS --reparent    (fds 3, 4: the pipes; see below)
//
// The host (a process, or a worker thread) writes one line per message on our stdin:
//   +PGID / -PGID   a script's process group started / has ended
//   {"id":…, "file":…, "args":[…], "options":{…}, "stdout":PATH, "stderr":PATH}
//                   start a script: spawn(file, args, options) with stdin closed and the two
//                   log files (opened here) as its stdout and stderr. We answer on stdout with
//                   {"id", "pid"} and later {"id", "exitCode", "signal"}; or {"id", "error"}
//                   (it could not start: ENOENT, EACCES…), or {"id", "thrown"} (spawn refused
//                   its arguments). Our first line is "ready".
// A fork copies the page tables of the process that forks: ~2–3 ms for a 400 MB Vitest
// worker, spent in spawn() on the host's thread. Ours are a bare Node's, and the host only
// writes a line. What we start is listed at once, before the host has even read its pid.
//
// Our stdin closes when the host's end of the pipe closes: the host exited, was killed (even
// by SIGKILL), or its worker thread was torn down. Then every group still listed gets SIGTERM,
// and SIGKILL once GRACE_MS has passed, and we exit. A host that ended cleanly, or let us go
// while idle, has nothing listed: we exit at once.
//
// Started detached (our own session), so a Ctrl-C to the host's process group does not reach
// us. Kept to Node built-ins and a few lines: one of these runs beside every host.
import { spawn } from 'node:child_process'
import { closeSync, openSync, readdirSync, readFileSync } from 'node:fs'

const graceMs = Number(process.argv[2]) || 2000

if (process.argv[3] === '--reparent') {
  // Started by a worker thread, whose event loop cannot reap us once the thread has ended: we
  // would stay a zombie until the whole process exits. A copy of us whose parent has exited is
  // adopted, and reaped, by init (or the nearest subreaper). It gets the pipes as its stdin and
  // stdout. (The host hands them to us as fds 3 and 4: Node closes a child's stdin when it
  // exits.)
  spawn(process.execPath, [process.argv[1], String(graceMs)], {
    stdio: [3, 4, 'ignore'],
  }).unref()
  process.exit(0)
}

const POLL_MS = 25
const groups = new Set()
let pending = ''

function answer(message) {
  process.stdout.write(`${typeof message === 'string' ? message : JSON.stringify(message)}\n`)
}
// EPIPE once the host has gone: its end of stdin tells us too.
process.stdout.on('error', () => undefined)

process.stdin.setEncoding('utf8')
process.stdin.on('data', (chunk) => {
  pending += chunk
  const lines = pending.split('\n')
  pending = lines.pop() ?? ''
  for (const line of lines) {
    if (line.startsWith('{')) {
      start(JSON.parse(line))
      continue
    }
    const pgid = Number(line.slice(1))
    // kill(-1) or kill(0) would reach far more than a script's group: accept real pgids only.
    if (!Number.isInteger(pgid) || pgid <= 1) continue
    if (line[0] === '+') groups.add(pgid)
    else if (line[0] === '-') groups.delete(pgid)
  }
})
process.stdin.on('end', endGroups)
process.stdin.on('error', endGroups)
answer('ready')

function start({ id, file, args, options, stdout, stderr }) {
  if (ending) return
  let child
  const logs = []
  try {
    logs.push(openSync(stdout, 'w'), openSync(stderr, 'w'))
    child = spawn(file, args, { ...options, stdio: ['ignore', ...logs] })
  } catch (error) {
    // A log file that cannot be opened is a start that failed; anything else is spawn()
    // refusing a value (a NUL byte in an argument), which the host reports as such.
    const refused = logs.length < 2 ? { error: describe(error) } : { thrown: error.message }
    answer({ id, ...refused })
    return
  } finally {
    for (const fd of logs) closeSync(fd)
  }
  // Listed before anything else can run: if the host dies before it reads the pid, the group
  // is still ours to end.
  if (child.pid !== undefined) groups.add(child.pid)
  answer({ id, pid: child.pid })
  child.once('error', (error) => answer({ id, error: describe(error) }))
  child.once('exit', (exitCode, signal) => answer({ id, exitCode, signal }))
}

function describe(error) {
  return {
    code: error.code,
    errno: error.errno,
    syscall: error.syscall,
    path: error.path,
    message: error.message,
  }
}

let ending = false
function endGroups() {
  if (ending) return
  ending = true
  const targets = [...groups]
  if (targets.length === 0) process.exit(0)
  for (const pgid of targets) signal(pgid, 'SIGTERM')
  const deadline = Date.now() + graceMs
  const poll = setInterval(() => {
    const running = runningGroups()
    const alive = targets.filter((pgid) => running.has(pgid))
    if (alive.length > 0 && Date.now() < deadline) return
    clearInterval(poll)
    for (const pgid of alive) signal(pgid, 'SIGKILL')
    process.exit(0)
  }, POLL_MS)
}

function signal(pgid, name) {
  try {
    process.kill(-pgid, name)
  } catch {
    // ESRCH: the group is gone. EPERM: nothing more we are allowed to do.
  }
}

// The groups with a member still running. Zombies do not count: with the host gone, a dead
// script waits for PID 1 to reap it, which in some containers takes a while. Without /proc,
// every listed group that a signal still reaches counts.
function runningGroups() {
  let entries
  try {
    entries = readdirSync('/proc')
  } catch {
    return new Set([...groups].filter(reachable))
  }
  const running = new Set()
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue
    let stat
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
    } catch {
      continue
    }
    // "pid (comm) state ppid pgrp …" — comm may itself contain spaces and parentheses.
    const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    if (state !== 'Z' && state !== 'X') running.add(Number(pgrp))
  }
  return running
}

function reachable(pgid) {
  try {
    process.kill(-pgid, 0)
    return true
  } catch (error) {
    return error.code === 'EPERM'
  }
}
