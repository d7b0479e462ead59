import type { SnapshotOptions } from '../data/index.js'

export type RowCount = number | { min?: number; max?: number }
export type MetricRange = number | { min?: number; max?: number }

/**
 * What every matcher returns: the shape both Vitest's and Jest's `expect.extend` accept.
 * `message` reads right for the direction the assertion took (`.not` included): it describes
 * the failure of `pass` being what it is.
 */
export interface MatcherResult {
  pass: boolean
  message: () => string
  actual?: unknown
  expected?: unknown
}

/**
 * The matchers as seen on `expect(…)`, shared by the Vitest and Jest type augmentations.
 * `R` is the framework's return type for a matcher call.
 *
 * @example
 * declare module 'vitest' { interface Matchers<T = any> extends PipetestMatchers<T> {} }
 */
export interface PipetestMatchers<R = unknown> {
  /** The script, edge or flow result passed: the script ran and wrote every declared output. */
  toRunSuccessfully(): R
  /** The script wrote these declared outputs (default: all of them), each non-empty. */
  toProduceOutputs(names?: string[]): R
  /**
   * The script wrote every output that `downstream`'s inputs are wired to along the DAG edge
   * (needs a result from `runScript`, which knows its pipeline).
   */
  toProduceOutputsFor(downstream: string): R
  /** `downstream` runs successfully on this node's real outputs (the edge test). Await it. */
  toBeCompatibleWith(downstream: string): Promise<R>
  /** Each output with a contract in the spec (or `output` alone) holds it. */
  toMatchDataContract(output?: string): R
  /** The output (optional with a single output) has these columns. Await it. */
  toHaveColumns(columns: string[], output?: string): Promise<R>
  /** The output holds exactly `count` rows, or a count within `{ min, max }`. Await it. */
  toHaveRowCount(count: RowCount, output?: string): Promise<R>
  /** The JSON document `output` has `key` (dotted path), within `range` when given. Await it. */
  toHaveMetric(output: string, key: string, range?: MetricRange): Promise<R>
  /**
   * The output (optional with a single output) matches its snapshot in the test file's
   * snapshot file: schema, row count, content hash and first rows, normalised by `options`
   * (`columns`, `exclude`, `mask`, `round`, `sortBy`, `rows`). `-u` updates it. Await it.
   */
  toMatchOutputSnapshot(output?: string | SnapshotOptions, options?: SnapshotOptions): Promise<R>
  /** Every row of the output satisfies `predicate`; failures show the rows. Await it. */
  toHaveRowsSatisfying(
    predicate: (row: Record<string, unknown>, index: number) => boolean,
    output?: string,
  ): Promise<R>
}
