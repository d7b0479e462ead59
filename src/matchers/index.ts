import {
  toHaveColumns,
  toHaveMetric,
  toHaveRowCount,
  toHaveRowsSatisfying,
  toMatchDataContract,
} from './data-matchers.js'
import { toBeCompatibleWith } from './to-be-compatible-with.js'
import { toProduceOutputs } from './to-produce-outputs.js'
import { toProduceOutputsFor } from './to-produce-outputs-for.js'
import { toRunSuccessfully } from './to-run-successfully.js'

export type { MatcherResult, MetricRange, PipetestMatchers, RowCount } from './types.js'
export { toBeCompatibleWith, toProduceOutputs, toProduceOutputsFor, toRunSuccessfully }
export { toHaveColumns, toHaveMetric, toHaveRowCount, toHaveRowsSatisfying, toMatchDataContract }
export { outputSnapshotMatcher, type MatchSnapshot } from './to-match-output-snapshot.js'

/**
 * The matchers as plain functions `(received, ...args) => { pass, message }`, ready for
 * `expect.extend(pipetestMatchers)` in Vitest or Jest. `toMatchOutputSnapshot` needs the
 * framework's snapshot machinery: each adapter adds it with `outputSnapshotMatcher`.
 */
export const pipetestMatchers = {
  toRunSuccessfully,
  toProduceOutputs,
  toProduceOutputsFor,
  toBeCompatibleWith,
  toMatchDataContract,
  toHaveColumns,
  toHaveRowCount,
  toHaveMetric,
  toHaveRowsSatisfying,
}
