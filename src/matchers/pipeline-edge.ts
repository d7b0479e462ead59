import type { ExecutionResult } from '../engine/results.js'
import { testUsageError } from '../suite/user-error.js'
import { scriptResultOf } from './received.js'
import { pipelineContextOf, type PipelineContext } from '../suite/context.js'

/**
 * The edge `result.node → downstream` of the pipeline the script result `received` came from,
 * or a usage error: the edge matchers judge data flowing along a DAG edge, so both must exist.
 */
export function edgeOf(
  matcher: string,
  received: unknown,
  downstream: string,
): { context: PipelineContext; result: ExecutionResult; from: string; to: string } {
  const result = scriptResultOf(matcher, received)
  const context = pipelineContextOf(result)
  if (context === undefined) {
    throw testUsageError(
      'USAGE',
      `${matcher} needs to know the pipeline of ${result.node}'s result`,
      {
        hint: `Get the result from runScript("${result.node}", { dag }) rather than building it yourself.`,
      },
    )
  }
  const dag = context.pipelineSpec.dag
  if (!dag.getEdge(result.node, downstream)) {
    const dependents = dag.getDependents(result.node)
    throw testUsageError(
      'USAGE',
      `${matcher}: ${result.node} → ${downstream} is not an edge of the DAG${dag.file ? ` (${dag.file})` : ''}`,
      {
        node: result.node,
        hint:
          dependents.length > 0
            ? `${result.node} feeds: ${dependents.join(', ')}.`
            : `${result.node} feeds no node.`,
      },
    )
  }
  return { context, result, from: result.node, to: downstream }
}
