// pipetest's group watchdog: ends the scripts of a pipetest host that died without doing so.
//
// Usage: node group_watchdog.mjs GRACE_MS               (stdin: a pipe from the host)
//        node group_watchdog.mjs GRACE_MS --reparent    (fd 3: the pipe; see below)
//
// The host (a process, or a worker thread) writes "+PGID\n" when a script's process group
// starts and "-PGID\n" when it has ended. Our stdin closes when the host's end of the pipe
// closes: the host exited, was killed (even by SIGKILL), or its worker thread was torn down.
// Then every group still listed gets SIGTERM, and SIGKILL once GRACE_MS has passed, and we
// exit. A host that ended cleanly, or let us go while idle, has nothing listed: we exit at once.
//
// Started detached (our own session), so a Ctrl-C to the host's process group does not reach
// us. Kept to Node built-ins and a few lines: one of these runs beside every host.
import { spawn } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'

const graceMs = Number(process.argv[2]) || 2000

if (process.argv[3] === '--reparent') {
  // Started by a worker thread, whose event loop cannot reap us once the thread has ended: we
  // would stay a zombie until the whole process exits. A copy of us whose parent has exited is
  // adopted, and reaped, by init (or the nearest subreaper). It gets the pipe as its stdin.
  // (The host hands it to us as fd 3, not stdin: Node closes a child's stdin when it exits.)
  spawn(process.execPath, [process.argv[1], String(graceMs)], {
    stdio: [3, 'ignore', 'ignore'],
  }).unref()
  process.exit(0)
}

const POLL_MS = 25
const groups = new Set()
let pending = ''

process.stdin.setEncoding('utf8')
process.stdin.on('data', (chunk) => {
  pending += chunk
  const lines = pending.split('\n')
  pending = lines.pop() ?? ''
  for (const line of lines) {
    const pgid = Number(line.slice(1))
    // kill(-1) or kill(0) would reach far more than a script's group: accept real pgids only.
    if (!Number.isInteger(pgid) || pgid <= 1) continue
    if (line[0] === '+') groups.add(pgid)
    else if (line[0] === '-') groups.delete(pgid)
  }
})
process.stdin.on('end', endGroups)
process.stdin.on('error', endGroups)

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
