import { DEFAULT_TIMEOUT_SECONDS } from '../engine/run-options.js'
import type { PipelineTestingSpec } from '../spec/index.js'

/** Per execution, beyond its own timeout: process start, killing the tree, output and input checks. */
const EXECUTION_OVERHEAD_MS = 10_000
/** Per test, on top of the executions it waits for. */
const CASE_MARGIN_MS = 30_000
/** Specs-tier tests read a few files and start no process. */
export const SPEC_CASE_TIMEOUT_MS = 30_000
/** setTimeout's ceiling; a longer delay fires at once. */
const MAX_TIMER_MS = 2 ** 31 - 1

/**
 * A framework timeout no legitimate run can reach. All cases of a plan share one run whose
 * executions queue behind each other on one concurrency limit, so a case may wait for every
 * execution the plan starts: the bound is their timeouts summed, each with its overhead, plus
 * a margin. The engine kills a script at its own timeout; this only catches a hang.
 */
export function caseTimeoutMs(
  pipelineSpec: PipelineTestingSpec,
  executions: string[],
  defaultSeconds = DEFAULT_TIMEOUT_SECONDS,
): number {
  // Each execution may run until the engine kills it at its own timeout.
  const seconds = (node: string) => pipelineSpec.scriptSpecs[node]?.timeoutSeconds ?? defaultSeconds
  const total = executions.reduce(
    (sum, node) => sum + seconds(node) * 1000 + EXECUTION_OVERHEAD_MS,
    CASE_MARGIN_MS,
  )
  return Math.min(total, MAX_TIMER_MS)
}
