import type { ExecutionPlan } from './planner.js'

/**
 * The executions a run has been asked for, as a graph (an execution depends on the upstream
 * executions its inputs are wired from), and how many executions at most still follow each
 * one. The scheduler starts the waiting execution with the longest remaining path first, so
 * a long chain never queues behind work that could run beside it, and an edge test's
 * downstream starts as soon as its upstream is done, ahead of independent scripts.
 */
export class CriticalPaths {
  /** Execution id → the ids of the executions wired from its outputs. */
  readonly #dependents = new Map<string, Set<string>>()
  /** Memo of `remaining`; the graph only grows, and every growth clears it. */
  readonly #remaining = new Map<string, number>()

  /** Adds an execution and, transitively, the upstream executions it is wired from. */
  add(plan: ExecutionPlan): void {
    if (this.#dependents.has(plan.id)) return
    this.#dependents.set(plan.id, new Set())
    this.#remaining.clear()
    for (const binding of Object.values(plan.bindings)) {
      if (binding.kind !== 'wired') continue
      this.add(binding.from)
      this.#dependents.get(binding.from.id)!.add(plan.id)
    }
  }

  /**
   * Executions on the longest path from `id` to the end of the graph, `id` included (1 for
   * an execution nothing is wired from; 0 for one never added).
   */
  remaining(id: string): number {
    const known = this.#remaining.get(id)
    if (known !== undefined) return known
    const dependents = this.#dependents.get(id)
    if (!dependents) return 0
    let longest = 0
    for (const dependent of dependents) longest = Math.max(longest, this.remaining(dependent))
    this.#remaining.set(id, longest + 1)
    return longest + 1
  }
}
