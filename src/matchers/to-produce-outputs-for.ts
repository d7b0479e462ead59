import { edgeOf } from './pipeline-edge.js'
import { outputsVerdict } from './to-produce-outputs.js'
import type { MatcherResult } from './types.js'

/**
 * Passes when the upstream script wrote every output that `downstream`'s inputs are wired
 * to along their DAG edge (declared ports, else the engine's port resolution).
 */
export function toProduceOutputsFor(received: unknown, downstream: string): MatcherResult {
  const { context, result, from, to } = edgeOf('toProduceOutputsFor', received, downstream)
  const ports = context.run.resolvePorts(from, to)
  if (!ports.ok) {
    return {
      pass: false,
      message: () =>
        `expected ${from} to write what ${to} reads, but the edge cannot be wired:\n${ports.message}\n${ports.fix}`,
    }
  }
  const wanted = [...new Set(ports.wiring.map((port) => port.output))]
  const wiring = ports.wiring.map((port) => `${port.output} → ${to}.${port.input}`).join(', ')
  return outputsVerdict(result, wanted, `write what ${to} reads`, ` (${wiring})`)
}
