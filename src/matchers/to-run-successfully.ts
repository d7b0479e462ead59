import {
  formatBlocked,
  formatEdgeFailure,
  formatExecutionFailure,
  formatFlowFailure,
} from '../suite/format.js'
import { pipelineContextOf } from '../suite/context.js'
import { isEdgeResult, isExecutionResult, isFlowResult, notAResult } from './received.js'
import type { MatcherResult } from './types.js'

/**
 * Passes when a script, edge or flow result passed. The failure message is the one the
 * generated tests print: outcome, exit code, stderr tail, missing outputs, run folder.
 */
export function toRunSuccessfully(received: unknown): MatcherResult {
  const rootDir = pipelineContextOf(received)?.pipelineSpec.rootDir
  const format = rootDir === undefined ? {} : { rootDir }
  if (isEdgeResult(received)) {
    const subject = `${received.from} → ${received.to}`
    return judge(received.status === 'passed', subject, received.blockedBy, () =>
      formatEdgeFailure(received, format),
    )
  }
  if (isFlowResult(received)) {
    const name = pipelineContextOf(received)?.pipelineName ?? 'pipeline'
    return judge(received.status === 'passed', `the ${name} flow`, undefined, () =>
      formatFlowFailure(received, name, format),
    )
  }
  if (isExecutionResult(received)) {
    return judge(received.status === 'passed', received.node, received.blockedBy, () =>
      formatExecutionFailure(received, format),
    )
  }
  throw notAResult('toRunSuccessfully', 'a script, edge or flow result', received)
}

function judge(
  pass: boolean,
  subject: string,
  blockedBy: string | undefined,
  failure: () => string,
): MatcherResult {
  return {
    pass,
    message: () => {
      if (pass) return `expected ${subject} not to run successfully, but it passed`
      if (blockedBy !== undefined)
        return `expected ${subject} to run successfully, but it was ${formatBlocked(blockedBy)}`
      return `expected ${subject} to run successfully:\n${failure()}`
    },
  }
}
