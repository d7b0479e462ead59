import { spawn, type ChildProcess } from 'node:child_process'
import type { Socket } from 'node:net'
import { dirname } from 'node:path'
import { createInterface } from 'node:readline'
import { EXECUTION_MARK_VAR, newExecutionMark } from './execution-mark.js'
import type { PythonFiles } from './interpreter.js'
import type { ChildExit, Launched, Launcher, LaunchNote } from './types.js'
import { spawnInGroup, stringEnv } from './process.js'

/**
 * The preloading Python worker (see harness/python_worker.py): one Python process per
 * interpreter that imports the third-party modules of the scripts it is asked about, once,
 * and forks a child per execution that runs the harness as a fresh interpreter would. The
 * child is started through the same `spawnProcess` as a spawned interpreter — same process
 * group, timeout, kills, execution mark, log files — only the start differs (a Launcher).
 *
 * A worker lives while executions keep coming and is let go after {@link IDLE_RELEASE_MS}
 * without any, so a Vitest watch session does not hold old library versions for ever. Its
 * stdin is a pipe from us: however this process ends, the pipe closes and the worker kills
 * what it forked and exits, so it never outlives pipetest, Vitest or Jest. A worker that dies
 * is dropped and the next execution starts a new one; one that cannot even start is not tried
 * again in this process (its executions run in fresh interpreters, saying why).
 */
const IDLE_RELEASE_MS = 10_000

/**
 * Environment variables an interpreter or a native library reads once, when it starts or is
 * imported: a forked child inherits the worker's reading of them, whatever its own
 * environment says. A script whose value differs runs in a fresh interpreter.
 */
const READ_AT_START =
  /^(PYTHON\w*|OMP_\w+|OPENBLAS_\w+|GOTO_NUM_THREADS|MKL_\w+|NUMEXPR_\w+|VECLIB_MAXIMUM_THREADS|BLIS_NUM_THREADS|KMP_\w+|LANG|LANGUAGE|LC_\w+|LD_PRELOAD|LD_LIBRARY_PATH|DYLD_\w+|MALLOC_\w+|PIPETEST_PYTHON_TEARDOWN)$/

interface Reply {
  id?: number
  ready?: boolean
  ok?: boolean
  fresh?: string
  pid?: number
  error?: string
  exited?: number
  code?: number
  signal?: string
}

class PythonWorker {
  /** The environment the worker started with (what its imports read). */
  readonly env: Record<string, string>
  readonly ready: Promise<string | undefined>
  /** Why it cannot be used any more; set once, when it has died. */
  dead: string | undefined
  readonly #child: ChildProcess
  readonly #pending = new Map<number, (reply: Reply) => void>()
  readonly #running = new Map<number, (exit: ChildExit) => void>()
  /**
   * Exits reported before the fork's answer was taken up: readline hands every line of one
   * chunk over synchronously, so "forked P" and "P exited" can both be read before the
   * promise of the first has let the launcher register P.
   */
  readonly #exitedEarly = new Map<number, ChildExit>()
  #nextId = 1
  /** Executions waiting for the worker right now (a prewarm's imports do not count). */
  #waiting = 0
  #stderr = ''
  #idleTimer: NodeJS.Timeout | undefined

  constructor(
    executable: string,
    files: PythonFiles,
    env: Record<string, string>,
    private readonly onGone: (worker: PythonWorker) => void,
  ) {
    this.env = env
    this.#child = spawn(executable, [files.worker, files.harness, files.contractReader], {
      cwd: dirname(files.worker),
      // A placeholder as long as a mark, which each child overwrites in place (see
      // python_worker.py's mark_environment_block) so its forks carry its mark.
      env: { ...env, [EXECUTION_MARK_VAR]: '0'.repeat(newExecutionMark().length) },
      stdio: ['pipe', 'pipe', 'pipe'],
      // Its own session: a Ctrl-C to our terminal's process group is ours to handle.
      detached: true,
      windowsHide: true,
    })
    let markReady: (failure: string | undefined) => void = () => undefined
    this.ready = new Promise((resolve) => (markReady = resolve))
    this.#child.on('error', (error) => this.#die(`it could not be started (${error.message})`))
    this.#child.on('exit', (code, signal) =>
      this.#die(signal ? `it was killed by ${signal}` : `it exited with code ${String(code)}`),
    )
    this.#child.stdin?.on('error', () => undefined) // EPIPE once it has died: 'exit' says so
    this.#child.stderr?.on('data', (chunk: Buffer) => {
      this.#stderr = (this.#stderr + chunk.toString('utf8')).slice(-4000)
    })
    const lines = createInterface({ input: this.#child.stdout! })
    lines.on('line', (line) => {
      let reply: Reply
      try {
        reply = JSON.parse(line) as Reply
      } catch {
        return
      }
      if (reply.ready) markReady(undefined)
      else if (reply.exited !== undefined) this.#childExited(reply)
      else if (reply.id !== undefined) {
        const answer = this.#pending.get(reply.id)
        this.#pending.delete(reply.id)
        answer?.(reply)
        this.#updateRef()
      }
    })
    void this.ready // a worker dying before it is ready resolves it with the reason
    this.#onDeath = (reason) => markReady(reason)
    this.#updateRef()
  }

  readonly #onDeath: (reason: string) => void

  /** Resolves once it is ready (undefined), or with why it died first. */
  whenReady(): Promise<string | undefined> {
    return this.#hold(this.ready)
  }

  /**
   * Has it import what the script imports, in the background (a prewarm): the worker does
   * it only while no execution waits for it, and waiting for it never keeps the host alive.
   */
  prewarm(scriptPath: string): void {
    void this.#request({ op: 'prepare', script: scriptPath, background: true })
  }

  /**
   * Forks a child for one execution, once the worker has imported what the script imports
   * (one request: the worker checks at the fork that the child can pass for a fresh
   * interpreter). A worker that cannot start, refuses or fails to fork: a fresh interpreter,
   * and `note` says why.
   */
  launcher(scriptPath: string, requestFile: string, note: LaunchNote): Launcher {
    return async (spec) => {
      const failure = await this.whenReady()
      const reply: Reply = failure
        ? { fresh: failure }
        : await this.#hold(
            this.#request({
              op: 'fork',
              script: scriptPath,
              request_file: requestFile,
              cwd: spec.cwd,
              env: spec.env,
              stdout: spec.stdoutLog,
              stderr: spec.stderrLog,
            }),
          )
      if (reply.pid === undefined) {
        note.mode = 'fresh'
        note.reason =
          reply.fresh ?? `the Python worker could not fork (${reply.error ?? 'no answer'})`
        return spawnInGroup(spec)
      }
      const pid = reply.pid
      const early = this.#exitedEarly.get(pid)
      this.#exitedEarly.delete(pid)
      const exited = early
        ? Promise.resolve(early)
        : this.dead
          ? // Died between its answer and now: the child's exit status went with it.
            Promise.resolve({ exitCode: null, signal: null, lost: this.dead })
          : new Promise<ChildExit>((resolve) => this.#running.set(pid, resolve))
      this.#updateRef()
      return { pid, exited } satisfies Launched
    }
  }

  /** Lets the worker go: it kills what it still runs and exits when its stdin closes. */
  close(): void {
    clearTimeout(this.#idleTimer)
    // Out of the pool at once; what it was already asked is still answered before it exits.
    this.onGone(this)
    this.#child.stdin?.end()
  }

  async #hold<T>(operation: Promise<T>): Promise<T> {
    this.#waiting++
    this.#updateRef()
    try {
      return await operation
    } finally {
      this.#waiting--
      this.#updateRef()
    }
  }

  #request(message: Record<string, unknown>): Promise<Reply> {
    if (this.dead) return Promise.resolve({ error: this.dead })
    const id = this.#nextId++
    const answered = new Promise<Reply>((resolve) => this.#pending.set(id, resolve))
    this.#child.stdin?.write(`${JSON.stringify({ id, ...message })}\n`)
    return answered
  }

  #childExited(reply: Reply): void {
    const exit = { exitCode: reply.code ?? null, signal: reply.signal ?? null }
    const resolve = this.#running.get(reply.exited!)
    this.#running.delete(reply.exited!)
    if (resolve) resolve(exit)
    else this.#exitedEarly.set(reply.exited!, exit)
    this.#updateRef()
  }

  #die(how: string): void {
    if (this.dead) return
    const detail = this.#stderr.trim().split('\n').at(-1)
    this.dead = `the Python worker (pid ${String(this.#child.pid)}) died: ${how}${detail ? ` (${detail})` : ''}`
    this.#onDeath(this.dead)
    for (const answer of this.#pending.values()) answer({ error: this.dead })
    this.#pending.clear()
    // Their exit status went with the worker: spawnProcess ends their groups and says so.
    for (const resolve of this.#running.values())
      resolve({ exitCode: null, signal: null, lost: this.dead })
    this.#running.clear()
    clearTimeout(this.#idleTimer)
    this.onGone(this)
  }

  /**
   * Keeps the host alive only while it waits for the worker (a request, a running child):
   * an idle worker must never be why Node does not exit.
   */
  #updateRef(): void {
    const busy = this.#waiting > 0 || this.#running.size > 0
    const stdout = this.#child.stdout as Socket | null
    if (busy) {
      clearTimeout(this.#idleTimer)
      this.#idleTimer = undefined
      stdout?.ref()
      this.#child.ref()
      return
    }
    stdout?.unref()
    ;(this.#child.stdin as Socket | null)?.unref()
    ;(this.#child.stderr as Socket | null)?.unref()
    this.#child.unref()
    if (!this.#idleTimer && !this.dead) {
      this.#idleTimer = setTimeout(() => this.close(), IDLE_RELEASE_MS)
      this.#idleTimer.unref()
    }
  }
}

const workers = new Map<string, PythonWorker>()
/** Interpreters whose worker died before it was ready: not tried again in this process. */
const unusable = new Map<string, string>()

/** What python.ts needs to decide, per execution, how to start the interpreter. */
export interface LaunchRequest extends PythonFiles {
  executable: string
  scriptPath: string
  /** The spec's variables and the runner's (a fresh interpreter gets both). */
  environVars: Record<string, string>
  /** The variables the runner sets for every script, without the spec's. */
  runnerEnv: Record<string, string>
  /** false: the run option `pythonWorker: false`. */
  enabled: boolean
  /** Only a worker already running: the run has no other Python execution to repay a start. */
  onlyIfRunning?: boolean
  isolation?: 'fresh' | 'worker' | undefined
}

export interface LaunchChoice {
  /** Mutable: a fork that fails at the last moment becomes a fresh start, and says so. */
  note: LaunchNote
  /** Set when the worker runs it: starts the execution's child (see spawnProcess). */
  launcher?: (requestFile: string) => Launcher
}

/**
 * Worker or fresh interpreter for one execution, and why not the worker. A fork stands in for
 * a fresh interpreter only where it cannot be told apart; everywhere else the answer is
 * fresh, with the reason the result shows.
 */
export function chooseLaunch(request: LaunchRequest): LaunchChoice {
  const fresh = (reason: string): LaunchChoice => ({ note: { mode: 'fresh', reason } })
  const off = workerOff(request)
  if (off) return fresh(off)
  const workerEnv = { ...stringEnv(process.env), ...request.runnerEnv }
  const differs = differingStartVariable(workerEnv, { ...workerEnv, ...request.environVars })
  if (differs) return fresh(differs)
  const running = workers.get(request.executable)
  if (request.onlyIfRunning && (!running || differingStartVariable(running.env, workerEnv))) {
    return fresh(
      "it is the run's only Python execution: starting the preloading worker would cost more than it saves",
    )
  }
  const worker = workerFor(request.executable, request, workerEnv)
  const note: LaunchNote = { mode: 'worker' }
  return {
    note,
    launcher: (requestFile) => worker.launcher(request.scriptPath, requestFile, note),
  }
}

/**
 * Has the worker for this interpreter import what `scriptPaths` import, in the background:
 * a run calls it when it starts, so the libraries load while it plans and while earlier
 * steps run, instead of when each script's first execution asks for them.
 */
export function prewarmPythonWorker(
  request: PythonFiles & {
    executable: string
    runnerEnv: Record<string, string>
    scriptPaths: string[]
    enabled: boolean
  },
): void {
  if (request.scriptPaths.length === 0 || workerOff(request)) return
  const worker = workerFor(request.executable, request, {
    ...stringEnv(process.env),
    ...request.runnerEnv,
  })
  for (const script of request.scriptPaths) worker.prewarm(script)
}

/** Why no worker may be used at all for this request, or undefined. */
function workerOff(request: {
  executable: string
  enabled: boolean
  isolation?: 'fresh' | 'worker' | undefined
}): string | undefined {
  if (!request.enabled) return 'the run option pythonWorker is false'
  if (process.env.PIPETEST_PYTHON_WORKER === '0') return 'PIPETEST_PYTHON_WORKER=0'
  if (request.isolation === 'fresh') return 'its spec asks for it ("isolation": "fresh")'
  if (process.platform === 'win32') return 'this platform has no fork()'
  return unusable.get(request.executable)
}

/** The live worker for the interpreter, started with `env` when there is none. */
function workerFor(executable: string, files: PythonFiles, env: Record<string, string>) {
  let worker = workers.get(executable)
  if (worker && differingStartVariable(worker.env, env)) {
    // Our own environment changed since it started (a test setting process.env): a new one.
    worker.close()
    worker = undefined
  }
  if (!worker) {
    const started = new PythonWorker(executable, files, env, (gone) => {
      if (workers.get(executable) === gone) workers.delete(executable)
    })
    workers.set(executable, started)
    // One that cannot even start is not tried again in this process.
    void started.ready.then((failure) => failure && unusable.set(executable, failure))
    worker = started
  }
  return worker
}

/** A sentence naming the first variable read at start whose value differs, or undefined. */
function differingStartVariable(
  worker: Record<string, string>,
  execution: Record<string, string>,
): string | undefined {
  const names = new Set([...Object.keys(worker), ...Object.keys(execution)])
  for (const name of [...names].sort()) {
    if (!READ_AT_START.test(name) || worker[name] === execution[name]) continue
    if (name === 'PIPETEST_PYTHON_TEARDOWN') {
      return 'PIPETEST_PYTHON_TEARDOWN asks for interpreter teardown, which a forked child skips'
    }
    const value = execution[name] === undefined ? 'unset' : JSON.stringify(execution[name])
    return `${name} is ${value} for this script but not for the worker, and it is read when the interpreter or a library starts`
  }
  return undefined
}

/** Lets the worker of one interpreter go, if there is one. */
export function closePythonWorker(executable: string): void {
  workers.get(executable)?.close()
}

/** Ends every worker of this process (tests, and hosts that want to let go at once). */
export function closePythonWorkers(): void {
  for (const worker of workers.values()) worker.close()
  workers.clear()
}
