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
}
