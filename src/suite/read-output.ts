import { readData, type OutputData } from '../data/index.js'
import type { ExecutionResult } from '../engine/results.js'
import { testUsageError } from './user-error.js'

/**
 * The data of one output of a script result, for a hand-written test: its summary (columns,
 * types, row count, nulls, min/max) and its rows as an async iterator, streamed from the
 * files. `name` may be left out when the script declares a single output.
 *
 * @example
 * const result = await runScript('Preprocess')
 * const data = await readOutput(result, 'processed_data')
 * for await (const row of data.rows()) expect(row.amount).toBeGreaterThanOrEqual(0)
 */
export function readOutput(result: ExecutionResult, name?: string): Promise<OutputData> {
  return outputDataOf('readOutput', result, name)
}

/** The data of `output` of a result, or `received` itself when it was read already. */
export async function outputDataOf(
  caller: string,
  received: ExecutionResult | OutputData,
  output: string | undefined,
): Promise<OutputData> {
  if (isOutputData(received)) return received
  const report = outputReportOf(caller, received, output)
  return readData(report.name, report.path, { node: received.node })
}

export function isOutputData(value: unknown): value is OutputData {
  return (value as { kind?: unknown } | null)?.kind === 'output-data'
}

/** The declared output `name` of a result (or its only one); a wrong name is a test mistake. */
export function outputReportOf(
  caller: string,
  result: ExecutionResult,
  name: string | undefined,
): ExecutionResult['outputs'][number] {
  const declared = result.outputs.map((output) => output.name)
  if (result.outputs.length === 0) {
    throw testUsageError('USAGE', `${caller}: ${result.node} has no outputs to read`, {
      node: result.node,
      hint:
        result.status === 'passed'
          ? 'Its spec declares no outputs.'
          : `It did not run to the end (${result.outcome}): ${result.message.split('\n')[0] ?? ''}`,
    })
  }
  if (name === undefined) {
    if (result.outputs.length === 1) return result.outputs[0]!
    throw testUsageError('USAGE', `${caller}: ${result.node} has several outputs; name one`, {
      node: result.node,
      hint: `Its outputs: ${declared.join(', ')}.`,
    })
  }
  const output = result.outputs.find((candidate) => candidate.name === name)
  if (output === undefined) {
    throw testUsageError('USAGE', `${caller}: ${result.node} declares no output "${name}"`, {
      node: result.node,
      hint: `Its outputs: ${declared.join(', ')}.`,
    })
  }
  return output
}
