import {
  readData,
  snapshotData,
  type OutputData,
  type OutputSnapshot,
  type SnapshotOptions,
} from '../data/index.js'
import type { ExecutionResult } from '../engine/results.js'
import { outputDataOf } from './read-output.js'

/**
 * The snapshot of one output of a script result (or of what `readOutput` returned): schema,
 * row count, a content hash and the first rows, after the normalisation `options` ask for.
 * For an inline snapshot, or any assertion on it; `toMatchOutputSnapshot` stores it in the
 * framework's snapshot file.
 *
 * @example
 * expect(await outputSnapshot(result, 'features', { round: 3 })).toMatchInlineSnapshot()
 */
export async function outputSnapshot(
  received: ExecutionResult | OutputData,
  output?: string,
  options: SnapshotOptions = {},
): Promise<OutputSnapshot> {
  return snapshotData(await outputDataOf('outputSnapshot', received, output), options)
}

/**
 * The snapshots a `scripts` test checks (`describePipeline(dag, { snapshots: true })`): one
 * per declared output of a passed script, named by the output.
 */
export async function snapshotsOf(
  result: ExecutionResult,
  options: SnapshotOptions,
): Promise<Array<{ output: string; snapshot: OutputSnapshot }>> {
  const snapshots = []
  for (const output of result.outputs) {
    const data = await readData(output.name, output.path, { node: result.node })
    snapshots.push({ output: output.name, snapshot: await snapshotData(data, options) })
  }
  return snapshots
}
