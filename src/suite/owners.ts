import type { PipelineRun } from '../engine/pipeline-run.js'
import type { ExecutionResult } from '../engine/results.js'
import type { SuiteCase } from './types.js'

/**
 * One bug, one failure: a failed execution's evidence (traceback, log tail) is shown by one
 * test, the first of the plan's running tests that reports it, in listing order (the node's
 * scripts test, else its first incoming edge, else the flow). The others sharing it fail
 * with one line naming that test. Listing order, not finishing order, so the owner is the
 * same on every run.
 */
export interface ExecutionOwners {
  /** The cases that will run (adapters know: `-t`, `.only`); until told, all of them. */
  select(cases: SuiteCase[]): void
  /** The running case listed before `asking` that shows `execution` (its description), if any. */
  ownerOf(
    asking: SuiteCase,
    run: PipelineRun,
    execution: ExecutionResult,
  ): Promise<string | undefined>
}

export function executionOwners(cases: () => SuiteCase[]): ExecutionOwners {
  let selected: Set<SuiteCase> | undefined
  return {
    select(running) {
      selected = new Set(running)
    },
    async ownerOf(asking, run, execution) {
      for (const candidate of cases()) {
        if (candidate === asking) return undefined
        if (candidate.node !== execution.node || candidate.execution === undefined) continue
        if (selected !== undefined && !selected.has(candidate)) continue
        // Earlier cases only, so this never waits on itself; the execution is shared, so
        // waiting for the candidate's costs nothing more than waiting for our own.
        const shown = await candidate.execution(run)
        if (shown?.id === execution.id && shown.status === 'failed')
          return `the ${candidate.tier} test "${candidate.name}"`
      }
      return undefined
    },
  }
}
