import type { ExecutionResult, PipelineEvent, TestStatus, TierResults } from '../engine/index.js'
import { countStatuses, totalsOf, worstStatus, type StatusCounts } from '../engine/run-totals.js'
import { formatEdgeFailure, formatExecutionFailure } from '../suite/format.js'
import { toneOf, type Colors } from './colors.js'
import { firstLine } from './text.js'

/**
 * A node that was not selected (`--only`, `--from`) but ran because a selected node reads its
 * outputs. It has no test of its own, so without this the run folder would hold nodes the
 * summary never mentions.
 */
export interface SetupNode {
  node: string
  status: TestStatus
  blockedBy?: string
  executions: ExecutionResult[]
}

/** The setup nodes of a run, from its events, in `order` (topological). */
export function setupNodesOf(
  events: readonly PipelineEvent[],
  selected: ReadonlySet<string>,
  order: string[],
): SetupNode[] {
  const setup = new Map<string, SetupNode>()
  for (const event of events) {
    if (selected.has(event.node) || event.type === 'started') continue
    const entry = setup.get(event.node) ?? { node: event.node, status: 'skipped', executions: [] }
    if (event.type === 'finished') entry.executions.push(event.result)
    else entry.blockedBy ??= event.blockedBy
    const statuses = entry.executions.map((result) => result.status)
    entry.status = worstStatus(event.type === 'blocked' ? [...statuses, 'blocked'] : statuses)!
    if (entry.blockedBy !== undefined) entry.status = worstStatus([entry.status, 'blocked'])!
    setup.set(event.node, entry)
  }
  return order.flatMap((node) => setup.get(node) ?? [])
}

/**
 * The failure details, then who was blocked, then the per-tier counts. One execution is
 * often shared by several tiers (a source node's script test and its flow step run the
 * same inputs), so each failed execution's evidence — traceback, outputs, run folder — is
 * printed once.
 */
export function renderSummary(
  results: TierResults,
  options: {
    colors: Colors
    rootDir: string
    /** Undefined when no script started, so no run folder was created. */
    runFolder: string | undefined
    tiers: { scripts: boolean; compatibility: boolean; flow: boolean }
    setup?: SetupNode[]
    /** The run's events: one `finished` per execution that ran or was restored. */
    events: readonly PipelineEvent[]
  },
): string {
  const c = options.colors
  const format = { rootDir: options.rootDir }
  const shown = new Set<string>()
  const failures: string[] = []
  // Blocked tests grouped by the failed node that blocked them: the cause reads once.
  const blocked = new Map<string, { nodes: string[]; edges: string[] }>()
  const block = (by: string | undefined, kind: 'nodes' | 'edges', what: string) => {
    const key = by ?? 'an upstream failure'
    const entry = blocked.get(key) ?? { nodes: [], edges: [] }
    entry[kind].push(what)
    blocked.set(key, entry)
  }
  // An interrupted run's aborted executions are listed by name, not as failures to debug.
  const aborted: string[] = []

  for (const result of Object.values(results.scripts)) {
    if (result.outcome === 'aborted') aborted.push(result.node)
    else if (result.status === 'blocked') block(result.blockedBy, 'nodes', result.node)
    else if (result.status === 'failed') {
      shown.add(result.id)
      failures.push(`${c.red('✗')} ${c.bold('script')} ${formatExecutionFailure(result, format)}`)
    }
  }
  for (const result of Object.values(results.edges)) {
    const edge = `${result.from} → ${result.to}`
    if (result.status === 'blocked') block(result.blockedBy, 'edges', edge)
    if (result.status !== 'failed') continue
    if (result.outcome === 'aborted' || result.downstream?.outcome === 'aborted') {
      aborted.push(edge)
      continue
    }
    const id = result.downstream?.id
    const text = formatEdgeFailure(result, format)
    const again = id !== undefined && shown.has(id)
    failures.push(
      `${c.red('✗')} ${c.bold('edge')} ${again ? `${firstLine(text)}\n  (same execution as above)` : text}`,
    )
    if (id !== undefined) shown.add(id)
  }
  const setup = options.setup ?? []
  for (const { executions } of setup) {
    for (const result of executions) {
      if (result.status !== 'failed' || shown.has(result.id)) continue
      if (result.outcome === 'aborted') aborted.push(result.node)
      else {
        shown.add(result.id)
        failures.push(`${c.red('✗')} ${c.bold('setup')} ${formatExecutionFailure(result, format)}`)
      }
    }
  }
  const flow = results.flow
  if (flow && (flow.status === 'failed' || flow.status === 'blocked')) {
    const failed = flow.failedNodes.filter(
      (node) => flow.scriptResults[node]?.outcome !== 'aborted',
    )
    if (failed.length < flow.failedNodes.length) aborted.push('flow')
    if (failed.length > 0 || flow.failedNodes.length === 0) {
      const total = flow.executionOrder.length
      const lines = [
        `${c.red('✗')} ${c.bold('flow')} ${
          failed.length > 0
            ? `${failed.length} of ${total} nodes failed (${failed.join(', ')})${flow.blockedNodes.length > 0 ? `, ${flow.blockedNodes.length} blocked` : ''}`
            : firstLine(flow.message)
        }`,
      ]
      for (const node of failed) {
        const execution = flow.scriptResults[node]!
        if (shown.has(execution.id)) lines.push(`  ${node}: same failure as above`)
        else {
          shown.add(execution.id)
          lines.push(indent(formatExecutionFailure(execution, format)))
        }
      }
      failures.push(lines.join('\n'))
    }
  }

  const out: string[] = []
  if (failures.length > 0) out.push(c.bold(c.red('Failures')), '', failures.join('\n\n'), '')
  if (blocked.size > 0) {
    out.push(c.bold(c.yellow('Blocked')) + c.dim(' (not run: an upstream node failed)'))
    for (const [by, { nodes, edges }] of blocked) {
      const parts = [
        nodes.length > 0 ? `scripts ${nodes.join(', ')}` : undefined,
        edges.length > 0 ? `edges ${edges.join(', ')}` : undefined,
      ].filter((part) => part !== undefined)
      out.push(`  by ${by}: ${parts.join('; ')}`)
    }
    out.push('')
  }
  if (aborted.length > 0)
    out.push(`${c.yellow('Stopped')} (interrupted): ${aborted.join(', ')}`, '')

  const totals = totalsOf(results)
  const row = (counts: StatusCounts) =>
    [
      counts.passed > 0 ? c.green(`${counts.passed} passed`) : `${counts.passed} passed`,
      counts.failed > 0 ? c.red(`${counts.failed} failed`) : undefined,
      counts.blocked > 0 ? c.yellow(`${counts.blocked} blocked`) : undefined,
      counts.skipped > 0 ? c.dim(`${counts.skipped} skipped`) : undefined,
    ]
      .filter((part) => part !== undefined)
      .join(', ')
  const notRun = c.dim('not run')
  out.push(
    `${'Scripts'.padEnd(14)}${options.tiers.scripts ? row(totals.scripts) : notRun}`,
    `${'Compatibility'.padEnd(14)}${options.tiers.compatibility ? row(totals.edges) : notRun}`,
    `${'Flow'.padEnd(14)}${totals.flow === null ? notRun : toneOf(c, totals.flow)(totals.flow)}`,
  )
  if (setup.length > 0) {
    out.push(
      `${'Setup'.padEnd(14)}${row(countStatuses(setup))}: ${setup.map((entry) => entry.node).join(', ')} ` +
        c.dim('(not selected; ran for the inputs of the selected nodes)'),
    )
  }
  const executions = options.events.flatMap((event) => (event.type === 'finished' ? [event] : []))
  const cached = executions.filter((event) => event.result.cached).length
  if (cached > 0) {
    out.push(
      `${'Cache'.padEnd(14)}${cached} of ${executions.length} executions restored ${c.dim('(unchanged since they passed; --no-cache runs them all)')}`,
    )
  }
  out.push(`${'Run folder'.padEnd(14)}${options.runFolder ?? c.dim('none: no script started')}`)
  return `${out.join('\n')}\n`
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => (line === '' ? line : `  ${line}`))
    .join('\n')
}
