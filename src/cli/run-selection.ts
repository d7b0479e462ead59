import type { PipelineDAG } from '../dag/index.js'
import type { TierSelection } from '../engine/index.js'
import {
  listOption,
  secondsOption,
  stringOption,
  usageError,
  type OptionValues,
} from './command.js'
import { assertNode } from './project.js'

/** What `pipetest run` runs and how, from its options, checked before anything starts. */

const COMMAND = 'run'
export const TIERS = ['scripts', 'compatibility', 'flow'] as const
type Tier = (typeof TIERS)[number]

export interface Selection extends TierSelection {
  scripts: boolean
  compatibility: boolean
  flow: boolean
  /** The flow was left out because nodes were selected and no tier was named. */
  flowSkipped: boolean
}

/** --tier, --only and --from, checked against the DAG before anything runs. */
export function selectionOf(values: OptionValues, dag: PipelineDAG): Selection {
  const tiers = listOption(values, 'tier').flatMap(splitList)
  for (const tier of tiers) {
    if (!(TIERS as readonly string[]).includes(tier)) {
      throw usageError(COMMAND, `--tier ${JSON.stringify(tier)} is not one of ${TIERS.join(', ')}`)
    }
  }
  const only = listOption(values, 'only').flatMap(splitList)
  const from = stringOption(values, 'from')
  if (only.length > 0 && from !== undefined) {
    throw usageError(COMMAND, 'Use either --only or --from, not both')
  }
  only.forEach((node) => assertNode(dag, node, '--only'))
  if (from !== undefined) assertNode(dag, from, '--from')
  const nodes = from !== undefined ? dag.descendantsOf(from) : only.length > 0 ? only : undefined
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

export function numericOptions(values: OptionValues): {
  concurrency?: number
  timeoutSeconds?: number
} {
  const options: { concurrency?: number; timeoutSeconds?: number } = {}
  const concurrency = stringOption(values, 'concurrency')
  if (concurrency !== undefined) {
    const n = Number(concurrency)
    if (!/^\d+$/.test(concurrency.trim()) || n < 1) {
      throw usageError(
        COMMAND,
        `--concurrency ${JSON.stringify(concurrency)} must be a whole number ≥ 1`,
      )
    }
    options.concurrency = n
  }
  const timeoutSeconds = secondsOption(values, 'timeout', COMMAND)
  if (timeoutSeconds !== undefined) options.timeoutSeconds = timeoutSeconds
  return options
}

function splitList(value: string): string[] {
  return value
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '')
}
