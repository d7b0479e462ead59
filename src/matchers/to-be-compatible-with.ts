import { formatBlocked, formatEdgeFailure } from '../suite/format.js'
import { edgeOf } from './pipeline-edge.js'
import type { MatcherResult } from './types.js'

/**
 * Passes when `downstream`, run on the real outputs of this node (its flow execution, as the
 * compatibility tier does), succeeds and writes every declared output. Runs the edge on the
 * result's pipeline run, so an edge already run by a generated test is not run again.
 */
export async function toBeCompatibleWith(
  received: unknown,
  downstream: string,
): Promise<MatcherResult> {
  const { context, from, to } = edgeOf('toBeCompatibleWith', received, downstream)
  const edge = await context.run.testEdge(from, to)
  const pass = edge.status === 'passed'
  const subject = `${to} to consume ${from}'s outputs`
  return {
    pass,
    message: () => {
      if (pass) return `expected ${subject} to fail, but ${to} ran on them and wrote its outputs`
      if (edge.status === 'blocked')
        return `expected ${subject}, but the edge was ${formatBlocked(edge.blockedBy)}`
      return `expected ${subject}:\n${formatEdgeFailure(edge, { rootDir: context.pipelineSpec.rootDir })}`
    },
  }
}
