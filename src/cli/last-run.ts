import { existsSync, mkdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { pipetestDirOf } from '../engine/workspace.js'
import type { TestStatus } from '../engine/index.js'
import type { TierResults } from '../engine/index.js'
import { writeFileAtomic } from '../files/atomic-write.js'
import { worstStatus } from '../engine/run-totals.js'
import type { SetupNode } from './run-summary.js'

/** A node's, an edge's or the flow's latest known result, and the run that obtained it. */
export interface KnownStatus {
  status: TestStatus
  runId: string
  /** When that run finished (ISO 8601). */
  at: string
}

/**
 * What `pipetest graph --status` shows for one DAG: the latest run, and for each node and
 * edge the latest result any run obtained — a run of a few nodes (`--only`) updates those
 * and leaves what earlier runs learnt about the others.
 */
export interface LastRun {
  pipeline: string | null
  runId: string
  runDir: string
  state: 'complete' | 'interrupted'
  finishedAt: string
  /** Per node, the worst status of its executions: failed > blocked > passed > skipped. */
  nodes: Record<string, KnownStatus>
  /** Keyed `"A->B"`. */
  edges: Record<string, KnownStatus>
  flow: KnownStatus | null
}

/** Several pipelines often share one test data dir: the file keeps one entry per DAG file. */
interface LastRunFile {
  tool: 'pipetest'
  runs: Record<string, LastRun>
}

export function lastRunFile(testDataDir: string): string {
  return join(pipetestDirOf(testDataDir), 'last-run.json')
}

/** Condenses one run's tier results (and its setup nodes) into a status per node and edge. */
export function summarizeRun(
  results: TierResults,
  meta: Pick<LastRun, 'pipeline' | 'runId' | 'runDir' | 'state'>,
  setup: SetupNode[] = [],
): LastRun {
  const finishedAt = new Date().toISOString()
  const known = (status: TestStatus): KnownStatus => ({ status, runId: meta.runId, at: finishedAt })
  const perNode = new Map<string, TestStatus[]>()
  const add = (node: string, status: TestStatus) =>
    perNode.set(node, [...(perNode.get(node) ?? []), status])
  for (const [node, result] of Object.entries(results.scripts)) add(node, result.status)
  for (const [node, result] of Object.entries(results.flow?.scriptResults ?? {}))
    add(node, result.status)
  for (const entry of setup) add(entry.node, entry.status)
  const nodes: Record<string, KnownStatus> = {}
  for (const [node, statuses] of perNode) nodes[node] = known(worstStatus(statuses) ?? 'skipped')
  const edges: Record<string, TestStatus> = {}
  for (const [key, result] of Object.entries(results.edges)) edges[key] = result.status
  for (const [key, result] of Object.entries(results.flow?.dataFlowResults ?? {}))
    edges[key] = worstStatus([edges[key] ?? 'skipped', result.status]) ?? result.status
  return {
    ...meta,
    finishedAt,
    nodes,
    edges: Object.fromEntries(Object.entries(edges).map(([key, status]) => [key, known(status)])),
    flow: results.flow ? known(results.flow.status) : null,
  }
}

/**
 * Records the run for `dagFile` (absolute) over what earlier runs of it learnt, keeping the
 * other DAGs' entries. Written atomically: a reader never sees half a file. A file that is
 * not ours is replaced, since it lives in pipetest's own folder.
 */
export function writeLastRun(testDataDir: string, dagFile: string, run: LastRun): string {
  const file = lastRunFile(testDataDir)
  const current = readFile(file)
  const before = current?.runs[dagFile]
  const merged: LastRun = before
    ? {
        ...run,
        nodes: { ...before.nodes, ...run.nodes },
        edges: { ...before.edges, ...run.edges },
        flow: run.flow ?? before.flow,
      }
    : run
  const next: LastRunFile = { tool: 'pipetest', runs: { ...current?.runs, [dagFile]: merged } }
  mkdirSync(pipetestDirOf(testDataDir), { recursive: true })
  writeFileAtomic(file, `${JSON.stringify(next, null, 2)}\n`, { durable: false })
  return file
}

/** What is known of `dagFile`'s runs, or undefined when it was never run with this test data dir. */
export function readLastRun(testDataDir: string, dagFile: string): LastRun | undefined {
  return readFile(lastRunFile(testDataDir))?.runs[dagFile]
}

function readFile(file: string): LastRunFile | undefined {
  if (!existsSync(file)) return undefined
  try {
    const json = JSON.parse(readFileSync(file, 'utf8')) as Partial<LastRunFile>
    if (json.tool !== 'pipetest' || !json.runs || typeof json.runs !== 'object') return undefined
    const runs: Record<string, LastRun> = {}
    for (const [dag, run] of Object.entries(json.runs)) runs[dag] = upgrade(run)
    return { tool: 'pipetest', runs }
  } catch {
    // A torn or hand-edited file only loses the colouring; the next run rewrites it.
    return undefined
  }
}

/** Files written before results were merged per node held bare statuses of one run. */
function upgrade(run: LastRun): LastRun {
  const known = (value: KnownStatus | TestStatus): KnownStatus =>
    typeof value === 'string' ? { status: value, runId: run.runId, at: run.finishedAt } : value
  const all = (record: Record<string, KnownStatus | TestStatus>) =>
    Object.fromEntries(Object.entries(record).map(([key, value]) => [key, known(value)]))
  return {
    ...run,
    nodes: all(run.nodes),
    edges: all(run.edges),
    flow: run.flow === null ? null : known(run.flow),
  }
}
