import type { ExecutionResult } from '../engine/results.js'
import { outputState } from '../engine/execution-result.js'
import { formatBlocked, formatExecutionFailure } from '../suite/format.js'
import { pipelineContextOf } from '../suite/context.js'
import { testUsageError } from '../suite/user-error.js'
import { scriptResultOf } from './received.js'
import type { MatcherResult } from './types.js'

/**
 * Passes when the script wrote each of `names` (default: every declared output), each
 * holding data. Naming an output the spec does not declare is a mistake in the test, not a
 * failed expectation, so it throws (also under `.not`).
 */
export function toProduceOutputs(given: unknown, names?: string[]): MatcherResult {
  const received = scriptResultOf('toProduceOutputs', given)
  const wanted = names ?? received.outputs.map((output) => output.name)
  // A script that never ran (blocked, missing inputs) reports no outputs to check names against.
  if (received.outputs.length > 0) assertDeclared(received, wanted)
  return outputsVerdict(received, wanted, `write ${list(wanted)}`)
}

/** Shared with toProduceOutputsFor: which of `wanted` are missing, and how to say so. */
export function outputsVerdict(
  result: ExecutionResult,
  wanted: string[],
  expectation: string,
  detail = '',
): MatcherResult {
  const missing = wanted.filter((name) => !result.producedOutputs.includes(name))
  const blocked = result.status === 'blocked'
  const pass = !blocked && missing.length === 0
  return {
    pass,
    actual: result.producedOutputs,
    expected: wanted,
    message: () => {
      const head = `expected ${result.node} ${pass ? 'not ' : ''}to ${expectation}${detail}`
      if (pass) return `${head}, but it wrote them all`
      if (blocked) return `${head}, but it did not run: ${formatBlocked(result.blockedBy)}`
      const lines = [`${head}, but it did not write ${list(missing)}:`]
      for (const name of missing) {
        const output = result.outputs.find((candidate) => candidate.name === name)
        if (output === undefined) continue
        lines.push(`  ${name}: ${outputState(output)} at ${output.path}`)
      }
      const rootDir = pipelineContextOf(result)?.pipelineSpec.rootDir
      if (result.status === 'failed') {
        lines.push('', formatExecutionFailure(result, rootDir === undefined ? {} : { rootDir }))
      } else lines.push(`  run folder: ${result.runDir}`)
      return lines.join('\n')
    },
  }
}

function assertDeclared(result: ExecutionResult, names: string[]): void {
  const declared = result.outputs.map((output) => output.name)
  const unknown = names.filter((name) => !declared.includes(name))
  if (unknown.length > 0) {
    throw testUsageError(
      'USAGE',
      `toProduceOutputs: ${result.node} declares no output ${list(unknown)}`,
      {
        node: result.node,
        hint: `Its spec declares: ${declared.join(', ') || 'no outputs'}.`,
      },
    )
  }
}

export function list(names: string[]): string {
  return names.length === 0 ? '(nothing)' : names.join(', ')
}
