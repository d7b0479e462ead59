import { countExecutions, wastedWorkCases } from '../lib/executions.mjs'

/**
 * Measure 3 — no wasted work. All tiers of each pipeline in one run; executions (pipetest's
 * count, cross-checked by the scripts' own marker files) vs. the minimum for the DAG and its
 * spec wiring. test/bench/executions.test.ts asserts the same equality.
 */
export async function measureWastedWork({ pipetest, log }) {
  const rows = []
  const details = []
  for (const testCase of wastedWorkCases()) {
    const counted = await countExecutions(pipetest, testCase)
    const met = counted.executionCount === counted.minimum && counted.markers === counted.minimum
    log(
      `  ${counted.shape} ${counted.wiring}: ${counted.executionCount} executions (markers ${counted.markers}), minimum ${counted.minimum}`,
    )
    rows.push({
      measure: `3. executions, all tiers, ${counted.shape} (${counted.wiring} wiring)`,
      figure: `${counted.executionCount} (markers ${counted.markers})`,
      baseline: `${counted.minimum} minimum`,
      ratio: counted.executionCount / counted.minimum,
      target: '= minimum',
      met,
    })
    details.push(counted)
  }
  return { rows, details }
}
