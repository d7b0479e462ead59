import { setMaxListeners } from 'node:events'
import { ExecutionCache, resolveCacheSettings, type KeyInput } from '../cache/index.js'
import { fileSystemError } from '../errors.js'
import { join } from 'node:path'
import { CriticalPaths } from './critical-path.js'
import { executeNode } from './execute-node.js'
import { notRunResult, type ExecutionIdentity } from './execution-result.js'
import type { ExecutionPlan } from './planner.js'
import { resolveRunOptions, type ResolvedRunOptions, type RunOptions } from './run-options.js'
import type { ExecutionResult, InputSource } from './results.js'
import { ExecutionScheduler } from './scheduler.js'
import { pruneRuns, runsDirOf, RunWorkspace } from './workspace.js'

/**
 * Executes plans for one run: one run folder, one scheduler (shared executions, one
 * concurrency limit), one abort switch. A plan's upstream executions are awaited before it
 * asks for a slot; if one of them failed, the plan is `blocked` by the root-cause node and
 * never runs.
 */
export class ExecutionEngine {
  readonly workspace: RunWorkspace
  readonly scheduler: ExecutionScheduler
  readonly options: ResolvedRunOptions
  /** What → file: the files pipetest depends on, watched during every execution. */
  readonly projectFiles: Record<string, string> = {}
  readonly #paths = new CriticalPaths()
  /** The execution cache, when on (see src/cache). */
  readonly cache: ExecutionCache | undefined
  readonly #abort = new AbortController()
  /** The run's abort switch and the caller's `signal`, as one. */
  readonly signal: AbortSignal
  #closing: Promise<void> | undefined
  #pruning: Promise<unknown> | undefined
  #stored = false
  /** Called once, when the first execution is about to run rather than be restored. */
  #beforeFirstRun: Array<() => void> | undefined = []

  constructor(testDataDir: string, options: RunOptions = {}) {
    this.options = resolveRunOptions(options)
    this.workspace = new RunWorkspace(testDataDir, options.runId)
    this.scheduler = new ExecutionScheduler(this.options.concurrency)
    const cache = resolveCacheSettings(options.cache, testDataDir)
    this.cache = cache.enabled ? new ExecutionCache(cache.dir, cache.maxBytes) : undefined
    if (options.onEvent) this.scheduler.subscribe(options.onEvent)
    this.signal = options.signal
      ? AbortSignal.any([this.#abort.signal, options.signal])
      : this.#abort.signal
    // Every queued and running execution listens to this one signal: a wide DAG legitimately
    // has more than Node's default of 10 listeners, and the warning would land in test output.
    setMaxListeners(0, this.signal)
  }

  execute(plan: ExecutionPlan): Promise<ExecutionResult> {
    this.#paths.add(plan)
    return this.scheduler.memoise(plan.id, () => this.#run(plan))
  }

  /**
   * Calls `start` when the first execution of the run is about to run (not restored from the
   * cache), or now if one already has: what only executions that run need (the preloading
   * Python worker) is not started by a run the cache serves whole.
   */
  beforeFirstRun(start: () => void): void {
    if (this.#beforeFirstRun) this.#beforeFirstRun.push(start)
    else start()
  }

  /** The execution about to run was not restored from the cache. */
  aboutToRun(): void {
    const waiting = this.#beforeFirstRun
    this.#beforeFirstRun = undefined
    for (const start of waiting ?? []) start()
  }

  abort(reason = 'aborted'): void {
    this.#abort.abort(reason)
  }

  /**
   * Waits for every execution to settle (killing them first when interrupted), marks the
   * run folder and prunes old runs. Idempotent.
   */
  close(state: 'complete' | 'interrupted' = 'complete'): Promise<void> {
    this.#closing ??= (async () => {
      if (state === 'interrupted') this.abort('run interrupted')
      await this.scheduler.settled()
      if (!this.workspace.created) return
      this.workspace.finish(state)
      // Once per run, not per store: eviction lists the whole cache.
      if (this.cache && this.#stored) this.cache.evict()
      await this.#pruneOldRuns()
    })()
    return this.#closing
  }

  /**
   * Removes old run folders, once per run, in the background: started when the first
   * execution has settled (this run's folder exists by then, and is kept), finished by close.
   */
  #pruneOldRuns(): Promise<unknown> {
    this.#pruning ??= pruneRuns(runsDirOf(this.workspace.testDataDir), this.options.keepRuns, {
      protect: [this.workspace.runId],
      keepEndedWithinMs: this.options.keepRecentRunsMs,
    }).catch(() => undefined) // what cannot be removed now is removed by a later run
    return this.#pruning
  }

  async #run(plan: ExecutionPlan): Promise<ExecutionResult> {
    const identity = this.#identity(plan)
    let result: ExecutionResult
    try {
      result = await this.#attempt(plan, identity)
    } catch (error) {
      // A bug or an unexpected file-system error must not reject every test sharing this execution.
      const machine = fileSystemError(error)
      const why = machine
        ? `${machine.shortMessage} ${machine.hint ?? ''}`.trim()
        : error instanceof Error
          ? error.message
          : String(error)
      result = notRunResult(
        identity,
        'failed',
        'spawn-error',
        `pipetest could not run ${plan.node}: ${why}`,
      )
    }
    const { node, id: executionId } = plan
    this.scheduler.emit(
      result.status === 'blocked'
        ? { type: 'blocked', node, executionId, blockedBy: result.blockedBy ?? '' }
        : { type: 'finished', node, executionId, result },
    )
    if (this.workspace.created) void this.#pruneOldRuns()
    return result
  }

  async #attempt(plan: ExecutionPlan, identity: ExecutionIdentity): Promise<ExecutionResult> {
    if (plan.failure)
      return notRunResult(identity, 'failed', plan.failure.outcome, plan.failure.message)
    if (!plan.spec)
      return notRunResult(identity, 'failed', 'invalid-spec', `No spec for ${plan.node}`)

    const wired = Object.entries(plan.bindings).flatMap(([input, binding]) =>
      binding.kind === 'wired' ? [{ input, binding }] : [],
    )
    const upstream = await Promise.all(wired.map(({ binding }) => this.execute(binding.from)))
    const blocker = upstream.find((result) => result.status !== 'passed')
    if (blocker) {
      const blockedBy =
        blocker.status === 'blocked' ? (blocker.blockedBy ?? blocker.node) : blocker.node
      const via = blockedBy === blocker.node ? '' : ` (through ${blocker.node})`
      return notRunResult(
        identity,
        'blocked',
        'blocked',
        `Not run: it needs the outputs of ${blocker.node}, which ${blocker.status === 'blocked' ? 'was blocked' : 'failed'}; blocked by ${blockedBy}${via}.`,
        { blockedBy },
      )
    }

    const inputs: Record<string, string> = {}
    const keyInputs: Record<string, KeyInput> = {}
    for (const [name, binding] of Object.entries(plan.bindings)) {
      if (binding.kind === 'spec') {
        inputs[name] = binding.path
        keyInputs[name] = { kind: 'data', path: binding.path }
        continue
      }
      const source = upstream[wired.findIndex((entry) => entry.input === name)]!
      const output = source.outputs.find((report) => report.name === binding.output)
      if (!output) throw new Error(`${source.node} has no output "${binding.output}"`)
      inputs[name] = binding.subpath ? join(output.path, binding.subpath) : output.path
      // An upstream's key says what its outputs hold without reading them again.
      keyInputs[name] = source.cacheKey
        ? {
            kind: 'wired',
            upstreamKey: source.cacheKey,
            output: binding.output,
            subpath: binding.subpath,
          }
        : { kind: 'data', path: inputs[name] }
    }
    if (this.signal.aborted)
      return notRunResult(identity, 'failed', 'aborted', 'Not run: the run was aborted.')
    return executeNode({ ...plan, spec: plan.spec, inputs, keyInputs }, identity, this)
  }

  /** Rank among waiting executions: the longest path still ahead of it; higher starts first. */
  priority(id: string): number {
    return this.#paths.remaining(id)
  }

  /** Called after an execution was stored: the run then keeps the cache's size bounded. */
  onStored(): void {
    this.#stored = true
  }

  #identity(plan: ExecutionPlan): ExecutionIdentity {
    const inputs: Record<string, string> = {}
    const wiredFrom: Record<string, InputSource> = {}
    for (const [name, binding] of Object.entries(plan.bindings)) {
      if (binding.kind === 'spec') inputs[name] = binding.path
      else wiredFrom[name] = { node: binding.from.node, output: binding.output }
    }
    return {
      id: plan.id,
      node: plan.node,
      scriptName: plan.spec?.scriptName ?? plan.node,
      scriptPath: plan.scriptPath,
      runner: plan.spec?.runner,
      runDir: this.workspace.runFolder,
      inputs,
      wiredFrom,
    }
  }
}
