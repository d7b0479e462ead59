import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { afterEach, describe, expect } from 'vitest'
import { harnessPath, packagePath } from '../../src/runners/harness.js'
import { resolvePython } from '../../src/runners/interpreter.js'
import { waitFor } from '../reliability/helpers.js'
import { it } from '../support/fixtures.js'
import { processes, processStat } from '../support/processes.js'

/**
 * The preloading worker's protocol (harness/python_worker.py), spoken to directly: what it
 * serves first, and what it leaves behind. The timing that matters is made explicit with a
 * gate: a library whose import waits for a file the test creates only when it has seen what
 * it expects (or, if the worker gets it wrong, gives up after a while), so no assertion
 * depends on how fast the machine is.
 */

const GATE_GIVES_UP_S = 15

/** A third-party library (on PYTHONPATH, outside the project) whose import waits for GATE. */
const SLOW_LIBRARY = `import os, time
IMPORTED_IN = os.getpid()
deadline = time.monotonic() + ${GATE_GIVES_UP_S}
while not os.path.exists(os.environ["GATE"]) and time.monotonic() < deadline:
    time.sleep(0.02)
`

interface Reply {
  id?: number
  ready?: boolean
  ok?: boolean
  pid?: number
  exited?: number
  code?: number
  error?: string
}

const started: ChildProcess[] = []
afterEach(() => {
  for (const child of started.splice(0)) child.kill('SIGKILL')
})

/** A worker over a fresh project (see project) in `root`, once it says it is ready. */
async function startWorker(root: string) {
  const dir = project(root)
  const python = await resolvePython('python3')
  const site = join(root, 'site')
  mkdirSync(site, { recursive: true })
  writeFileSync(join(site, 'slow_library.py'), SLOW_LIBRARY)
  const gate = join(root, 'gate')
  const child = spawn(
    python,
    [
      harnessPath('python_worker.py'),
      harnessPath('python_harness.py'),
      packagePath('src', 'contract', 'extract_contract.py'),
    ],
    {
      env: { ...process.env, PYTHONPATH: site, GATE: gate, PYTHONDONTWRITEBYTECODE: '1' },
      stdio: ['pipe', 'pipe', 'inherit'],
    },
  )
  started.push(child)
  const replies: Reply[] = []
  createInterface({ input: child.stdout! }).on('line', (line) => {
    replies.push(JSON.parse(line) as Reply)
  })
  await waitFor(() => replies.some((reply) => reply.ready), 60_000, 'the worker to be ready')
  const send = (...requests: object[]) =>
    child.stdin!.write(requests.map((request) => `${JSON.stringify(request)}\n`).join(''))
  /** The worker's answer to request `id`. */
  const answer = (id: number) => replies.find((reply) => reply.id === id)
  /** The exit of the child forked for request `id`, once reported. */
  const exitOf = (id: number) => {
    const pid = answer(id)?.pid
    return pid === undefined ? undefined : replies.find((reply) => reply.exited === pid)
  }
  const exited = (id: number) => exitOf(id) !== undefined
  return {
    dir,
    child,
    replies,
    send,
    answer,
    exitOf,
    exited,
    openGate: () => writeFileSync(gate, ''),
  }
}

/** A project with a script that imports the slow library and one that imports nothing. */
function project(root: string) {
  const dir = join(root, 'project')
  mkdirSync(dir, { recursive: true })
  writeFileSync(join(dir, 'heavy.py'), 'import slow_library\n\ndef main(*args):\n    pass\n')
  writeFileSync(join(dir, 'light.py'), 'def main(*args):\n    pass\n')
  return dir
}

/** A fork request for `script`; its request file is absent, so its child fails at once. */
function fork(id: number, dir: string, script: string) {
  return {
    id,
    op: 'fork',
    script: join(dir, script),
    request_file: join(dir, `request-${id}.json`),
    cwd: dir,
    env: { PATH: process.env.PATH ?? '' },
    stdout: join(dir, `stdout-${id}.log`),
    stderr: join(dir, `stderr-${id}.log`),
  }
}

/** A script whose output says where the slow library was imported: worker or child. */
const REPORTS_WHERE_IMPORTED = [
  'import json, os, slow_library',
  '',
  'def main(input_paths, output_paths, environ_vars, job_args):',
  "    with open(output_paths['out'], 'w') as handle:",
  "        json.dump({'pid': os.getpid(), 'imported_in': slow_library.IMPORTED_IN}, handle)",
  '',
].join('\n')

/** A request file for the harness: runs `script`, whose result goes to `result-<id>.json`. */
function harnessRequest(id: number, dir: string, script: string) {
  const request = {
    script_path: join(dir, script),
    input_paths: {},
    output_paths: { out: join(dir, `out-${id}`) },
    environ_vars: {},
    job_args: {},
    result_file: join(dir, `result-${id}.json`),
    stack_file: join(dir, `stack-${id}.txt`),
  }
  writeFileSync(join(dir, `request-${id}.json`), JSON.stringify(request))
}

/** The worker's children still running (not zombies). */
function liveChildrenOf(pid: number): number[] {
  return processes()
    .filter((info) => info.ppid === pid && info.state !== 'Z')
    .map((info) => info.pid)
}

/** The worker's children that have exited but were never waited for. */
function zombiesOf(pid: number): number[] {
  return processes()
    .filter((info) => info.ppid === pid && info.state === 'Z')
    .map((info) => info.pid)
}

describe.runIf(process.platform === 'linux')('the Python worker, spoken to directly', () => {
  it("serves a fork before a run's background imports, and reports its exit mid-import", async ({
    tempDir,
  }) => {
    const worker = await startWorker(tempDir('pipetest-worker-order-'))
    const { dir } = worker
    // As a run sends them: its prewarm first, then an execution that needs none of it.
    worker.send(
      { id: 1, op: 'prepare', script: join(dir, 'heavy.py'), background: true },
      fork(2, dir, 'light.py'),
    )
    const forked = () => worker.answer(2)
    const exited = () => worker.exitOf(2)
    const prepared = () => worker.answer(1)
    // Waits while the import is held at the gate (it gives up after GATE_GIVES_UP_S).
    await waitFor(
      () => exited() !== undefined || prepared() !== undefined,
      60_000,
      'the fork, or the background import',
    )
    worker.openGate()
    await waitFor(() => prepared() !== undefined && exited() !== undefined, 60_000, 'both')
    const order = (find: () => Reply | undefined) => worker.replies.indexOf(find()!)
    expect(forked()?.pid).toBeGreaterThan(0)
    // (A child that ends at once may be reported before its fork's answer: python-worker.ts
    // keeps such early exits.)
    expect(order(forked)).toBeLessThan(order(prepared))
    expect(order(exited)).toBeLessThan(order(prepared))
    expect(prepared()).toEqual({ id: 1, ok: true })
  })

  it('waits for every child it forks: none is left a zombie, even when they end together', async ({
    tempDir,
  }) => {
    const worker = await startWorker(tempDir('pipetest-worker-reap-'))
    const { dir } = worker
    worker.openGate()
    const ids = [1, 2, 3, 4, 5, 6, 7, 8]
    // One write: the children start and end close together, so their SIGCHLDs coalesce.
    worker.send(...ids.map((id) => fork(id, dir, 'light.py')))
    const pids = () => ids.map((id) => worker.answer(id)?.pid).filter(Boolean)
    const reported = () => worker.replies.filter((reply) => reply.exited !== undefined)
    await waitFor(() => pids().length === ids.length, 60_000, 'every fork')
    await waitFor(() => reported().length === ids.length, 30_000, 'every exit').catch(
      () => undefined, // checked below, with the zombies left
    )
    expect(zombiesOf(worker.child.pid!)).toEqual([])
    expect(
      reported()
        .map((reply) => reply.exited)
        .sort(),
    ).toEqual([...pids()].sort())
    expect(existsSync(join(dir, 'stderr-1.log'))).toBe(true)
  })

  it("forks each execution's child ahead of time, and lets one go that lacks a later import", async ({
    tempDir,
  }) => {
    const worker = await startWorker(tempDir('pipetest-worker-spare-'))
    const { dir } = worker
    writeFileSync(join(dir, 'reports.py'), REPORTS_WHERE_IMPORTED)
    worker.openGate()
    const workerPid = worker.child.pid!
    const { answer, exited } = worker
    const spare = async () => {
      await waitFor(() => liveChildrenOf(workerPid).length === 1, 30_000, 'a spare child')
      return liveChildrenOf(workerPid)[0]!
    }

    // Made once the worker has served a fork and is idle, and used by the next one.
    worker.send(fork(1, dir, 'light.py'))
    await waitFor(() => exited(1), 30_000, 'the first execution')
    const first = await spare()
    worker.send(fork(2, dir, 'light.py'))
    await waitFor(() => exited(2), 30_000, 'the second execution')
    expect(answer(2)?.pid).toBe(first)

    // New imports: the spare made before them is let go (and waited for), a new one made.
    const stale = await spare()
    worker.send({ id: 3, op: 'prepare', script: join(dir, 'reports.py') })
    await waitFor(() => answer(3) !== undefined, 30_000, 'the prepare')
    expect(answer(3)).toEqual({ id: 3, ok: true })
    await waitFor(() => !liveChildrenOf(workerPid).includes(stale), 30_000, 'the stale spare to go')
    const fresh = await spare()
    expect(fresh).not.toBe(stale)
    expect(zombiesOf(workerPid)).toEqual([])

    // It runs the execution as any fork does, holding what the worker imported.
    harnessRequest(4, dir, 'reports.py')
    worker.send(fork(4, dir, 'reports.py'))
    await waitFor(() => exited(4), 30_000, 'the third execution')
    expect(answer(4)?.pid).toBe(fresh)
    expect(JSON.parse(readFileSync(join(dir, 'result-4.json'), 'utf8'))).toMatchObject({
      outcome: 'success',
    })
    const report = JSON.parse(readFileSync(join(dir, 'out-4'), 'utf8')) as Record<string, number>
    expect(report).toEqual({ pid: fresh, imported_in: workerPid })

    // pipetest gone: the spare goes with the worker.
    const last = await spare()
    worker.child.stdin!.end()
    await waitFor(
      () => processStat(last) === undefined || processStat(last)?.state === 'Z',
      30_000,
      'the spare to end',
    )
  })

  it('reads a script again once it has changed, and preloads what the new version imports', async ({
    tempDir,
  }) => {
    const worker = await startWorker(tempDir('pipetest-worker-edited-'))
    const { dir } = worker
    worker.openGate()
    const { answer, exited } = worker
    writeFileSync(join(dir, 'edited.py'), 'def main(*args):\n    pass\n')
    worker.send({ id: 1, op: 'prepare', script: join(dir, 'edited.py') })
    await waitFor(() => answer(1) !== undefined, 30_000, 'the first prepare')

    writeFileSync(join(dir, 'edited.py'), REPORTS_WHERE_IMPORTED)
    harnessRequest(2, dir, 'edited.py')
    worker.send(fork(2, dir, 'edited.py'))
    await waitFor(() => exited(2), 30_000, 'the execution')
    expect(JSON.parse(readFileSync(join(dir, 'out-2'), 'utf8'))).toMatchObject({
      imported_in: worker.child.pid,
    })
  })

  it('does not hand out a spare that has waited over 2 s: a fork of its own runs the execution', async ({
    tempDir,
  }) => {
    // pipetest finds an execution's escaped processes among the pids from its first one on,
    // which a pid counter that wrapped while the spare waited would defeat.
    const worker = await startWorker(tempDir('pipetest-worker-old-spare-'))
    const { dir } = worker
    worker.openGate()
    const workerPid = worker.child.pid!
    const { answer, exited } = worker
    worker.send(fork(1, dir, 'light.py'))
    await waitFor(() => exited(1), 30_000, 'the first execution')
    await waitFor(() => liveChildrenOf(workerPid).length === 1, 30_000, 'a spare child')
    const old = liveChildrenOf(workerPid)[0]!

    const aged = Date.now() + 2_500 // SPARE_MAX_AGE_S in python_worker.py, and a margin
    await waitFor(() => Date.now() > aged, 10_000, 'the spare to age')
    worker.send(fork(2, dir, 'light.py'))
    await waitFor(() => exited(2), 30_000, 'the second execution')
    expect(answer(2)?.pid).not.toBe(old)
    await waitFor(() => !liveChildrenOf(workerPid).includes(old), 30_000, 'the old spare to go')
    expect(zombiesOf(workerPid)).toEqual([])
  })
})
