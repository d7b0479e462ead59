import type { AffectedNodes } from '../changes/index.js'
import { selectNodes, type PipelineDAG } from '../dag/index.js'
import type { TierSelection } from '../engine/index.js'
import { listOption, stringOption, usageError, type OptionValues } from './command.js'

/** What `pipetest run` runs and how, from its options, checked before anything starts. */

const COMMAND = 'run'
export const TIERS = ['scripts', 'compatibility', 'flow'] as const
type Tier = (typeof TIERS)[number]

/** The tiers to run (each said), the nodes, and whether the flow was left out for them. */
export type Selection = Required<Omit<TierSelection, 'nodes'>> &
  Pick<TierSelection, 'nodes'> & {
    /** The flow was left out because nodes were selected and no tier was named. */
    flowSkipped: boolean
  }

/**
 * --tier, --only, --from and --to, checked against the DAG before anything runs. `--only`
 * takes dbt's selectors (src/dag/selection.ts); --from NODE and --to NODE narrow the
 * selection to NODE and what is downstream / upstream of it, so `--from A --to B` is the
 * path from A to B.
 */
export function selectionOf(
  values: OptionValues,
  dag: PipelineDAG,
  changed?: AffectedNodes,
): Selection {
  const tiers = listOption(values, 'tier').flatMap(splitList)
  for (const tier of tiers) {
    if (!(TIERS as readonly string[]).includes(tier)) {
      throw usageError(COMMAND, `--tier ${JSON.stringify(tier)} is not one of ${TIERS.join(', ')}`)
    }
  }
  const narrowing: Array<{ option: string; nodes: string[] }> = []
  const only = listOption(values, 'only')
  if (only.length > 0) narrowing.push({ option: '--only', nodes: selectNodes(dag, only, '--only') })
  const from = stringOption(values, 'from')
  if (from !== undefined) {
    const start = selectNodes(dag, from, '--from')
    narrowing.push({ option: '--from', nodes: start.flatMap((node) => dag.descendantsOf(node)) })
  }
  const to = stringOption(values, 'to')
  if (to !== undefined) {
    const end = selectNodes(dag, to, '--to')
    narrowing.push({
      option: '--to',
      nodes: end.flatMap((node) => [...dag.ancestorsOf(node), node]),
    })
  }
  if (changed !== undefined) narrowing.push({ option: '--changed', nodes: changed.affected })
  const nodes = intersect(dag, narrowing)
  const chosen = new Set<Tier>(tiers.length > 0 ? (tiers as Tier[]) : TIERS)
  const flowSkipped = nodes !== undefined && tiers.length === 0
  if (flowSkipped) chosen.delete('flow')
  return {
    scripts: chosen.has('scripts'),
    compatibility: chosen.has('compatibility'),
    flow: chosen.has('flow'),
    flowSkipped,
    ...(nodes ? { nodes } : {}),
  }
}

/** The nodes every option keeps, in topological order; undefined when none narrows. */
function intersect(
  dag: PipelineDAG,
  narrowing: Array<{ option: string; nodes: string[] }>,
): string[] | undefined {
  if (narrowing.length === 0) return undefined
  const kept = narrowing
    .slice(1)
    .reduce(
      (nodes, { nodes: more }) => new Set(more.filter((node) => nodes.has(node))),
      new Set(narrowing[0]!.nodes),
    )
  // Nothing changed among the selected nodes is an answer, not a mistake.
  if (kept.size === 0 && narrowing.some(({ option }) => option === '--changed')) return []
  if (kept.size === 0) {
    throw usageError(
      COMMAND,
      `${narrowing.map(({ option }) => option).join(' and ')} together select no node: each keeps only the nodes the others keep`,
    )
  }
  return dag.topologicalSort().filter((node) => kept.has(node))
}

function splitList(value: string): string[] {
  return value
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '')
}
