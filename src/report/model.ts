import { basename } from 'node:path'
import type {
  DataCompatibilityResult,
  ExecutionResult,
  Outcome,
  TestStatus,
} from '../engine/results.js'
import type { RunRecord } from '../engine/run-record.js'
import { countStatuses, worstStatus, type StatusCounts } from '../engine/run-totals.js'
import { describeViolations } from '../data/index.js'
import type { OutputPreviewer, OutputView } from './outputs.js'

/**
 * What a report shows, derived from run records (`results.json` of run folders) only: the
 * report never re-runs or re-derives what the engine decided. Plain data, embedded as JSON in
 * the HTML page and rendered there; the Markdown summary reads the same model.
 */

/** A node's colour: its worst execution, or `cached` when every execution came from the cache. */
export type NodeStatus = TestStatus | 'cached'

export type ExecutionTier = 'script' | 'edge' | 'flow'

export interface ExecutionView {
  id: string
  /** Which tiers' tests used this execution (shared executions serve several). */
  tiers: ExecutionTier[]
  status: TestStatus
  outcome: Outcome
  /** Restored from the execution cache instead of running the script. */
  cached: boolean
  /** The run that executed the script when `cached`. */
  cachedFrom: string | null
  message: string
  exitCode: number | null
  signal: string | null
  durationMs: number
  startedAt: string
  executionDir: string
  traceback: string | null
  stdoutTail: string
  stderrTail: string
  logs: { stdout?: string; stderr?: string }
  blockedBy: string | null
  /** Input name → path given to the script, and where a wired input came from. */
  inputs: Array<{ name: string; path: string; from: string | null }>
  /** Data contract checks of its inputs and outputs, each violation in words. */
  dataChecks: Array<{
    port: string
    direction: 'input' | 'output'
    from: string | null
    violations: string[]
  }>
}

export interface SpecView {
  scriptName: string
  scriptPath: string | null
  runner: string | null
  inputPaths: Record<string, string>
  outputPaths: Record<string, string>
  environVars: Record<string, string>
  jobArgs: Record<string, unknown>
}

export interface NodeView {
  name: string
  status: NodeStatus
  spec: SpecView | null
  executions: ExecutionView[]
  /** The execution whose failure explains the node (its first failed one), when it failed. */
  failure: { executionId: string; outcome: Outcome; message: string } | null
  blockedBy: string | null
  /** The outputs of the node's most telling execution (the failed one, else its script test). */
  outputs: OutputView[]
  /** Layout, in SVG user units (filled by the layout step). */
  x: number
  y: number
  width: number
  height: number
}

export interface EdgeView {
  from: string
  to: string
  status: TestStatus
  outcome: Outcome | null
  message: string
  ports: Array<{ output: string; input: string; via: string }>
  /** Polyline from the layout, in SVG user units. */
  points: Array<{ x: number; y: number }>
}

export interface PipelineView {
  /** Unique within a report (the run id). */
  id: string
  name: string
  runId: string
  runFolder: string
  state: RunRecord['state']
  dagFile: string | null
  recordedAt: string
  totals: { scripts: StatusCounts; edges: StatusCounts; flow: TestStatus | null }
  failedNodes: string[]
  nodes: NodeView[]
  edges: EdgeView[]
  width: number
  height: number
}

export interface ReportModel {
  title: string
  generatedAt: string
  pipelines: PipelineView[]
}

/** Everything in a run record that concerns each node, edge and tier, as views (no layout yet). */
export async function pipelineViewOf(
  record: RunRecord,
  outputsOf: OutputPreviewer,
): Promise<PipelineView> {
  const nodeNames = record.dag.nodes.map((node) => (typeof node === 'string' ? node : node.name))
  const executions = collectExecutions(record)
  const nodes: NodeView[] = []
  // One node after the other: reading outputs opens files, and a wide DAG has many.
  for (const name of nodeNames) {
    nodes.push(await nodeViewOf(name, record, executions.get(name) ?? [], outputsOf))
  }
  const edges = record.dag.edges.map((edge) => edgeViewOf(edge, record))
  return {
    id: record.runId,
    name: record.pipeline ?? (record.dagFile ? basename(record.dagFile) : 'pipeline'),
    runId: record.runId,
    runFolder: record.runDir,
    state: record.state,
    dagFile: record.dagFile,
    recordedAt: record.recordedAt,
    totals: {
      scripts: countStatuses(Object.values(record.scripts)),
      edges: countStatuses(Object.values(record.edges)),
      flow: record.flow?.status ?? null,
    },
    failedNodes: nodes.filter((node) => node.status === 'failed').map((node) => node.name),
    nodes,
    edges,
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
): Promise<NodeView> {
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
    failure: failed
      ? { executionId: failed.id, outcome: failed.outcome, message: failed.shortMessage }
      : null,
    blockedBy: status === 'blocked' ? (blocked?.blockedBy ?? null) : null,
    outputs: shown && shown.outputs.length > 0 ? await outputsOf(shown) : [],
    x: 0,
    y: 0,
    width: 0,
    height: 0,
  }
}

function executionViewOf(result: ExecutionResult, tiers: ExecutionTier[]): ExecutionView {
  return {
    id: result.id,
    tiers,
    status: result.status,
    outcome: result.outcome,
    cached: result.cached !== undefined,
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
    dataChecks: (result.dataChecks ?? []).map((check) => ({
      port: check.port,
      direction: check.direction,
      from: check.from ? `${check.from.node}.${check.from.output}` : null,
      violations: describeViolations(check.violations),
    })),
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
): EdgeView {
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
    points: [],
  }
}
