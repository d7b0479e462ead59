import { createHash } from 'node:crypto'
import { stableStringify } from '../files/json.js'
import type { PipelineEvent } from './events.js'
import type { ExecutionResult } from './results.js'
import { Semaphore } from './semaphore.js'

/**
 * The one scheduler of a run: identical executions (same id) share one promise, at most
 * `concurrency` processes run at once, and progress is published as events.
 */
export class ExecutionScheduler {
  readonly #memo = new Map<string, Promise<ExecutionResult>>()
  readonly #semaphore: Semaphore
  readonly #listeners = new Set<(event: PipelineEvent) => void>()
  readonly #history: PipelineEvent[] = []
  #executed = 0

  constructor(concurrency: number) {
    this.#semaphore = new Semaphore(concurrency)
  }

  /** Processes actually started (memoised and never-run executions are not counted). */
  get executionCount(): number {
    return this.#executed
  }

  get events(): readonly PipelineEvent[] {
    return this.#history
  }

  /** The execution with this id: started by `start` the first time, shared afterwards. */
  memoise(id: string, start: () => Promise<ExecutionResult>): Promise<ExecutionResult> {
    let promise = this.#memo.get(id)
    if (!promise) {
      promise = start()
      this.#memo.set(id, promise)
    }
    return promise
  }

  /**
   * Runs one process inside a concurrency slot. Callers await their upstream executions
   * before asking for a slot, so a waiting node never holds one (no deadlock on deep DAGs).
   * Among waiting executions, the highest `priority` (the longest path still ahead of it)
   * starts first.
   */
  withSlot<T>(task: () => Promise<T>, signal?: AbortSignal, priority?: () => number): Promise<T> {
    return this.#semaphore.use(
      () => {
        this.#executed++
        return task()
      },
      signal,
      priority,
    )
  }

  subscribe(listener: (event: PipelineEvent) => void): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  emit(event: PipelineEvent): void {
    this.#history.push(event)
    for (const listener of this.#listeners) listener(event)
  }

  /** Resolves when every execution requested so far has settled. */
  async settled(): Promise<void> {
    let size = -1
    // Settling executions may request more (a flow node awaiting its upstreams): loop until stable.
    while (size !== this.#memo.size) {
      size = this.#memo.size
      await Promise.allSettled(this.#memo.values())
    }
  }
}

/**
 * A stable id for an execution: the same node, script, runner, resolved inputs, env and job
 * args give the same id in every process (keys sorted, then hashed).
 */
export function executionId(identity: Record<string, unknown>): string {
  return createHash('sha256').update(stableStringify(identity)).digest('hex').slice(0, 16)
}
