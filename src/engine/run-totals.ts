import type { TierResults } from './pipeline-run.js'
import type { TestStatus } from './results.js'

/** Counts and worst statuses of a run's results: what every summary of a run shows. */

export type StatusCounts = Record<TestStatus, number>

export interface RunTotals {
  scripts: StatusCounts
  edges: StatusCounts
  flow: TestStatus | null
}

export function countStatuses(results: Array<{ status: TestStatus }>): StatusCounts {
  const counts: StatusCounts = { passed: 0, failed: 0, blocked: 0, skipped: 0 }
  for (const result of results) counts[result.status]++
  return counts
}

export function totalsOf(results: TierResults): RunTotals {
  return {
    scripts: countStatuses(Object.values(results.scripts)),
    edges: countStatuses(Object.values(results.edges)),
    flow: results.flow?.status ?? null,
  }
}

/** Anything failed or blocked (a blocked test stands for an upstream failure). */
export function hasFailures(totals: RunTotals): boolean {
  return (
    totals.scripts.failed + totals.scripts.blocked + totals.edges.failed + totals.edges.blocked >
      0 ||
    totals.flow === 'failed' ||
    totals.flow === 'blocked'
  )
}

const SEVERITY: TestStatus[] = ['skipped', 'passed', 'blocked', 'failed']

/** The worst of several statuses of one node or edge: failed > blocked > passed > skipped. */
export function worstStatus(statuses: Iterable<TestStatus>): TestStatus | undefined {
  let worst: TestStatus | undefined
  for (const status of statuses) {
    if (worst === undefined || SEVERITY.indexOf(status) > SEVERITY.indexOf(worst)) worst = status
  }
  return worst
}
