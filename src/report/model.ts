import { basename } from 'node:path'
import type { DataCompatibilityResult, ExecutionResult, TestStatus } from '../engine/results.js'
import type { RunRecord } from '../engine/run-record.js'
import { countStatuses, worstStatus } from '../engine/run-totals.js'
import { describeViolations } from '../data/index.js'
import type { OutputPreviewer } from './outputs.js'

/**
 * What a report shows, derived from run records (`results.json` of run folders) only: the
 * report never re-runs or re-derives what the engine decided. Plain data, embedded as JSON in
 * the HTML page and rendered there; the Markdown summary reads the same model.
 */

/** A node's colour: its worst execution, or `cached` when every execution came from the cache. */
export type NodeStatus = TestStatus | 'cached'

export type ExecutionTier = 'script' | 'edge' | 'flow'

/**
 * The views are the values their functions below build (one statement of each shape): the
 * page's script reads them as JSON, the HTML and Markdown renderers through these types.
 */
export type ExecutionView = ReturnType<typeof executionViewOf>
export type NodeView = Awaited<ReturnType<typeof nodeViewOf>>
export type EdgeView = ReturnType<typeof edgeViewOf>
export type PipelineView = Awaited<ReturnType<typeof pipelineViewOf>>

export interface ReportModel {
  title: string
  generatedAt: string
  pipelines: PipelineView[]
}

/** Everything in a run record that concerns each node, edge and tier, as views (no layout yet). */
export async function pipelineViewOf(record: RunRecord, outputsOf: OutputPreviewer) {
  const nodeNames = record.dag.nodes.map((node) => (typeof node === 'string' ? node : node.name))
  const executions = collectExecutions(record)
  const nodes: NodeView[] = []
  // One node after the other: reading outputs opens files, and a wide DAG has many.
  for (const name of nodeNames) {
    nodes.push(await nodeViewOf(name, record, executions.get(name) ?? [], outputsOf))
  }
  const edges = record.dag.edges.map((edge) => edgeViewOf(edge, record))
  const totals = {
    scripts: countStatuses(Object.values(record.scripts)),
    edges: countStatuses(Object.values(record.edges)),
    flow: record.flow?.status ?? null,
  }
  return {
    /** Unique within a report. */
    id: record.runId,
    name: record.pipeline ?? (record.dagFile ? basename(record.dagFile) : 'pipeline'),
    runId: record.runId,
    runFolder: record.runDir,
    state: record.state,
    dagFile: record.dagFile,
    recordedAt: record.recordedAt,
    totals,
    /** The pipeline's verdict: failed, else blocked, else passed. */
    status:
      (['failed', 'blocked'] as const).find(
        (status) => totals.scripts[status] + totals.edges[status] > 0 || totals.flow === status,
      ) ?? 'passed',
    /** The nodes that failed, in DAG order. */
    failedNodes: nodes.filter((node) => node.status === 'failed').map((node) => node.name),
    nodes,
    edges,
    // The layout's size in SVG user units, filled by `layOut`.
    width: 0,
    height: 0,
  }
}

interface TieredExecution {
  result: ExecutionResult
  tiers: Set<ExecutionTier>
}

/** Each distinct execution (by id) of each node, with the tiers whose tests used it. */
function collectExecutions(record: RunRecord): Map<string, TieredExecution[]> {
  const byId = new Map<string, TieredExecution>()
  const add = (result: ExecutionResult | undefined, tier: ExecutionTier) => {
    if (!result) return
    const entry = byId.get(result.id) ?? { result, tiers: new Set<ExecutionTier>() }
    entry.tiers.add(tier)
    byId.set(result.id, entry)
  }
  for (const result of Object.values(record.scripts)) add(result, 'script')
  for (const edge of Object.values(record.edges)) {
    add(edge.upstream, 'edge')
    add(edge.downstream, 'edge')
  }
  for (const result of Object.values(record.flow?.scriptResults ?? {})) add(result, 'flow')
  const byNode = new Map<string, TieredExecution[]>()
  for (const entry of byId.values()) {
    byNode.set(entry.result.node, [...(byNode.get(entry.result.node) ?? []), entry])
  }
  return byNode
}

async function nodeViewOf(
  name: string,
  record: RunRecord,
  executions: TieredExecution[],
  outputsOf: OutputPreviewer,
) {
  const views = executions.map(({ result, tiers }) => executionViewOf(result, [...tiers]))
  const worst = worstStatus(views.map((view) => view.status)) ?? 'skipped'
  const status: NodeStatus =
    worst === 'passed' && views.every((view) => view.cached) ? 'cached' : worst
  const failed = executions.find(({ result }) => result.status === 'failed')?.result
  const blocked = executions.find(({ result }) => result.status === 'blocked')?.result
  // The outputs worth showing: those of the failure being explained, else of the script test.
  const shown = failed ?? record.scripts[name] ?? executions[0]?.result
  const spec = record.specs[name]
  return {
    name,
    status,
    spec: spec
      ? {
          scriptName: spec.scriptName,
          scriptPath: spec.scriptPath ?? null,
          runner: spec.runner ?? shown?.runner ?? null,
          inputPaths: spec.inputPaths,
          outputPaths: spec.outputPaths,
          environVars: spec.environVars,
          jobArgs: spec.jobArgs,
        }
      : null,
    executions: views,
    /** The execution whose failure explains the node (its first failed one), when it failed. */
    failure: failed
      ? { executionId: failed.id, outcome: failed.outcome, message: failed.shortMessage }
      : null,
    blockedBy: status === 'blocked' ? (blocked?.blockedBy ?? null) : null,
    /** The outputs of the node's most telling execution (the failed one, else its script test). */
    outputs: shown && shown.outputs.length > 0 ? await outputsOf(shown) : [],
    // Its box in SVG user units, filled by `layOut`.
    x: 0,
    y: 0,
    width: 0,
    height: 0,
  }
}

function executionViewOf(result: ExecutionResult, tiers: ExecutionTier[]) {
  return {
    id: result.id,
    /** Which tiers' tests used this execution (shared executions serve several). */
    tiers,
    status: result.status,
    outcome: result.outcome,
    /** Restored from the execution cache instead of running the script... */
    cached: result.cached !== undefined,
    /** ...that the run `cachedFrom` executed. */
    cachedFrom: result.cached?.runId ?? null,
    message: result.shortMessage,
    exitCode: result.exitCode,
    signal: result.signal,
    durationMs: result.durationMs,
    startedAt: result.startedAt,
    executionDir: result.runDir,
    traceback: result.traceback ?? null,
    stdoutTail: result.stdoutTail,
    stderrTail: result.stderrTail,
    logs: result.logs,
    blockedBy: result.blockedBy ?? null,
    /** Data contract checks of its inputs and outputs, each violation in words. */
    dataChecks: (result.dataChecks ?? []).map((check) => ({
      port: check.port,
      direction: check.direction,
      from: check.from ? `${check.from.node}.${check.from.output}` : null,
      violations: describeViolations(check.violations),
    })),
    /** Input name → path given to the script, and where a wired input came from. */
    inputs: [
      ...Object.entries(result.inputs).map(([name, path]) => ({ name, path })),
      // A blocked execution never got the paths of its wired inputs.
      ...Object.keys(result.wiredFrom)
        .filter((name) => !(name in result.inputs))
        .map((name) => ({ name, path: '' })),
    ].map(({ name, path }) => {
      const source = result.wiredFrom[name]
      return { name, path, from: source ? `${source.node}.${source.output}` : null }
    }),
  }
}

function edgeViewOf(
  edge: { from: string; to: string; ports?: Record<string, string> },
  record: RunRecord,
) {
  const key = `${edge.from}->${edge.to}`
  const results = [record.edges[key], record.flow?.dataFlowResults[key]].filter(
    (result): result is DataCompatibilityResult => result !== undefined,
  )
  const status = worstStatus(results.map((result) => result.status)) ?? 'skipped'
  // The compatibility test's own verdict explains the edge best; the flow's is the fallback.
  const shown = results.find((result) => result.status === status)
  const wiring = shown?.wiring ?? []
  return {
    from: edge.from,
    to: edge.to,
    status,
    outcome: shown?.outcome ?? null,
    message: shown?.message ?? '',
    ports:
      wiring.length > 0
        ? wiring.map((port) => ({ output: port.output, input: port.input, via: port.via }))
        : Object.entries(edge.ports ?? {}).map(([output, input]) => ({
            output,
            input,
            via: 'ports',
          })),
    /** Polyline from the layout, in SVG user units. */
    points: [] as Array<{ x: number; y: number }>,
  }
}
