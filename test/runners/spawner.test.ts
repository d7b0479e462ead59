import { chmodSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect } from 'vitest'
import { SPAWNER_VAR, watchdogReady } from '../../src/runners/group-watchdog.js'
import { spawnProcess, type ProcessExit } from '../../src/runners/process.js'
import { isRunning, it, waitFor, killedAfterEach } from './helpers.js'

/**
 * Scripts are started by the group watchdog once it is ready (see group-watchdog.ts), so that
 * the fork happens in that small process, not on the thread that runs the pipeline. Whichever
 * process spawns, a script must not be able to tell, and neither must the result: each test
 * here runs the same execution both ways and compares.
 */

/** What a started script saw of itself, written by {@link REPORT_SELF}. */
interface Self {
  pid: number
  ppid: number
  pgrp: number
  session: number
  cwd: string
  env: string | null
  mark: string | null
}

// Field 5 and 6 of /proc/self/stat are the process group and the session.
const REPORT_SELF = `
const fs = require('node:fs')
const stat = fs.readFileSync('/proc/self/stat', 'utf8')
const [, , pgrp, session] = stat.slice(stat.lastIndexOf(')') + 2).split(' ').map(Number)
fs.writeFileSync(process.argv[1], JSON.stringify({
  pid: process.pid, ppid: process.ppid, pgrp, session, cwd: process.cwd(),
  env: process.env.SPAWNER_TEST ?? null, mark: process.env.PIPETEST_EXECUTION_ID ?? null,
}))
console.log('to stdout')
console.error('to stderr')
process.exitCode = 3
`

type Way = 'here' | 'watchdog'

/** Runs `run` with scripts spawned on this thread, or through a ready watchdog. */
async function spawned<T>(way: Way, root: string, run: () => Promise<T>): Promise<T> {
  const before = process.env[SPAWNER_VAR]
  if (way === 'here') process.env[SPAWNER_VAR] = '0'
  else await readyWatchdog(root)
  try {
    return await run()
  } finally {
    if (before === undefined) delete process.env[SPAWNER_VAR]
    else process.env[SPAWNER_VAR] = before
  }
}

/** The watchdog starts with the first group: one trivial execution, then wait for it. */
async function readyWatchdog(root: string): Promise<void> {
  if (await watchdogReady(0)) return
  await spawnProcess({ ...options(root), file: process.execPath, args: ['-e', ''] })
  expect(await watchdogReady()).toBe(true)
}

function options(root: string) {
  return { cwd: root, env: {}, timeoutMs: 60_000, logDir: join(root, 'logs') }
}

/** The parts of a result that do not depend on timing. */
function comparable(exit: ProcessExit) {
  const { durationMs: _duration, stdoutLog: _out, stderrLog: _err, ...rest } = exit
  return rest
}

const linux = process.platform === 'linux'
const started = killedAfterEach()

describe.runIf(linux)('starting scripts off the pipeline thread', () => {
  it('has the watchdog start scripts once it is ready, and this process with PIPETEST_SPAWNER=0', async ({
    tempDir,
  }) => {
    const root = tempDir()
    const selves: Record<Way, Self> = {} as Record<Way, Self>
    for (const way of ['here', 'watchdog'] as const) {
      const file = join(root, `${way}.json`)
      const exit = await spawned(way, root, () =>
        spawnProcess({
          ...options(root),
          file: process.execPath,
          args: ['-e', REPORT_SELF, file],
          env: { SPAWNER_TEST: 'from the spec' },
          logDir: join(root, way),
        }),
      )
      expect(exit.exitCode).toBe(3)
      expect(exit.stdoutTail).toBe('to stdout')
      expect(exit.stderrTail).toBe('to stderr')
      selves[way] = JSON.parse(readFileSync(file, 'utf8')) as Self
    }

    // Who forked it: the proof that the fork did not happen on this thread.
    expect(selves.here.ppid).toBe(process.pid)
    expect(selves.watchdog.ppid).not.toBe(process.pid)
    for (const self of Object.values(selves)) {
      // Its own session and process group, our environment and the spec's, its own mark.
      expect(self).toMatchObject({ pgrp: self.pid, session: self.pid, cwd: root })
      expect(self.env).toBe('from the spec')
      expect(self.mark).toMatch(/^[\w-]{12}$/)
    }
    expect(selves.here.mark).not.toBe(selves.watchdog.mark)
  })

  it('reports a program that cannot start the same way whoever spawns it', async ({ tempDir }) => {
    const root = tempDir()
    const notExecutable = join(root, 'data.csv')
    writeFileSync(notExecutable, 'a,b\n1,2\n')
    chmodSync(notExecutable, 0o644)
    const cases = {
      ENOENT: { file: join(root, 'missing.sh'), args: [] },
      EACCES: { file: notExecutable, args: [] },
      BAD_ARGUMENT: { file: process.execPath, args: ['-e', 'a\0b'] },
      BAD_CWD: { file: process.execPath, args: ['-e', ''], cwd: join(root, 'no-such-folder') },
    }
    for (const [code, start] of Object.entries(cases)) {
      const results = []
      for (const way of ['here', 'watchdog'] as const) {
        const exit = await spawned(way, root, () =>
          spawnProcess({ ...options(root), ...start, logDir: join(root, code, way) }),
        )
        results.push(comparable(exit))
      }
      expect(results[0]?.spawnError?.code, code).toBe(code)
      expect(results[1], code).toEqual(results[0])
    }
  })

  it('ends a running script whose watchdog died, says so, and replaces the watchdog', async ({
    tempDir,
  }) => {
    const root = tempDir()
    await readyWatchdog(root)
    const file = join(root, 'self.json')
    const running = spawnProcess({
      ...options(root),
      file: process.execPath,
      args: ['-e', `${REPORT_SELF}; setTimeout(() => {}, 60_000)`, file],
      env: { SPAWNER_TEST: 'x' },
    })
    await waitFor(() => {
      try {
        return JSON.parse(readFileSync(file, 'utf8')) !== undefined
      } catch {
        return false
      }
    })
    const self = JSON.parse(readFileSync(file, 'utf8')) as Self
    started.push(self.pid)
    expect(self.ppid).not.toBe(process.pid)
    process.kill(self.ppid, 'SIGKILL')

    const exit = await running
    expect(exit.termination).toMatchObject({
      kind: 'launcher-lost',
      fix: expect.stringContaining('PIPETEST_SPAWNER=0'),
    })
    expect(exit.termination?.kind === 'launcher-lost' && exit.termination.reason).toMatch(
      /watchdog died/,
    )
    expect(isRunning(self.pid)).toBe(false)

    // Not waited on: the next script starts at once (here), and a new watchdog takes over.
    const next = join(root, 'next.json')
    const after = await spawnProcess({
      ...options(root),
      file: process.execPath,
      args: ['-e', REPORT_SELF, next],
    })
    expect(after.exitCode).toBe(3)
    expect(await watchdogReady()).toBe(true)
    const last = join(root, 'last.json')
    await spawnProcess({
      ...options(root),
      file: process.execPath,
      args: ['-e', REPORT_SELF, last],
    })
    const lastSelf = JSON.parse(readFileSync(last, 'utf8')) as Self
    expect([process.pid, self.ppid]).not.toContain(lastSelf.ppid)
  })
})
