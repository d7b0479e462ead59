import type { OutputSnapshot, SnapshotOptions } from '../data/index.js'
import { outputDataOf, isOutputData } from '../suite/read-output.js'
import { snapshotData } from '../data/index.js'
import { testUsageError } from '../suite/user-error.js'
import { isExecutionResult, notAResult } from './received.js'
import type { MatcherResult } from './types.js'

/**
 * The framework's own snapshot assertion, called by the adapter: Vitest's or Jest's
 * `expect(value).toMatchSnapshot(hint)` for the test that is running, so `-u`, obsolete
 * snapshots and `--ci` behave as for any snapshot. It throws the framework's own failure
 * (with its diff) when the snapshot does not match.
 */
export type MatchSnapshot = (matcherState: unknown, snapshot: OutputSnapshot, hint: string) => void

/**
 * `toMatchOutputSnapshot(output?, options?)` for one framework: snapshots an output of a
 * script result — schema, row count, content hash and the first rows after normalisation —
 * in the test file's snapshot file. `output` may be left out when the script has one.
 */
export function outputSnapshotMatcher(matchSnapshot: MatchSnapshot) {
  return async function toMatchOutputSnapshot(
    this: { isNot?: boolean },
    received: unknown,
    outputOrOptions?: string | SnapshotOptions,
    maybeOptions?: SnapshotOptions,
  ): Promise<MatcherResult> {
    if (!isExecutionResult(received) && !isOutputData(received)) {
      throw notAResult(
        'toMatchOutputSnapshot',
        'a script result (from runScript) or readOutput()',
        received,
      )
    }
    if (this.isNot) {
      throw testUsageError('USAGE', 'toMatchOutputSnapshot cannot be used with .not', {
        hint: 'A snapshot says what the output is; to assert what it is not, use the data matchers (toHaveColumns, toHaveRowCount, …).',
      })
    }
    const output = typeof outputOrOptions === 'string' ? outputOrOptions : undefined
    const options = (typeof outputOrOptions === 'object' ? outputOrOptions : maybeOptions) ?? {}
    const data = await outputDataOf('toMatchOutputSnapshot', received, output)
    const snapshot = await snapshotData(data, options)
    matchSnapshot(this, snapshot, data.node === undefined ? data.name : `${data.node} ${data.name}`)
    return { pass: true, message: () => `${data.name} matches its snapshot` }
  }
}
