import { existsSync, mkdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { pipetestDirOf } from '../engine/workspace.js'
import type { TestStatus } from '../engine/index.js'
import type { TierResults } from '../engine/index.js'
import { writeFileAtomic } from '../files/atomic-write.js'

/** What `pipetest graph --status` needs from the last `pipetest run` of one DAG. */
export interface LastRun {
  pipeline: string | null
  runId: string
  runDir: string
  state: 'complete' | 'interrupted'
  finishedAt: string
  /** Per node, the worst status of its executions: failed > blocked > passed > skipped. */
  nodes: Record<string, TestStatus>
  /** Keyed `"A->B"`. */
  edges: Record<string, TestStatus>
  flow: TestStatus | null
}

/** Several pipelines often share one test data dir: the file keeps one entry per DAG file. */
interface LastRunFile {
  tool: 'pipetest'
  runs: Record<string, LastRun>
}

export function lastRunFile(testDataDir: string): string {
  return join(pipetestDirOf(testDataDir), 'last-run.json')
}

const SEVERITY: TestStatus[] = ['skipped', 'passed', 'blocked', 'failed']

function worst(statuses: TestStatus[]): TestStatus | undefined {
  return statuses.reduce<TestStatus | undefined>(
    (acc, status) =>
      acc === undefined || SEVERITY.indexOf(status) > SEVERITY.indexOf(acc) ? status : acc,
    undefined,
  )
}

/** Condenses tier results into a status per node and edge. */
export function summarizeRun(
  results: TierResults,
  meta: Pick<LastRun, 'pipeline' | 'runId' | 'runDir' | 'state'>,
): LastRun {
  const perNode = new Map<string, TestStatus[]>()
  const add = (node: string, status: TestStatus) =>
    perNode.set(node, [...(perNode.get(node) ?? []), status])
  for (const [node, result] of Object.entries(results.scripts)) add(node, result.status)
  for (const [node, result] of Object.entries(results.flow?.scriptResults ?? {}))
    add(node, result.status)
  const nodes: Record<string, TestStatus> = {}
  for (const [node, statuses] of perNode) nodes[node] = worst(statuses) ?? 'skipped'
  const edges: Record<string, TestStatus> = {}
  for (const [key, result] of Object.entries(results.edges)) edges[key] = result.status
  for (const [key, result] of Object.entries(results.flow?.dataFlowResults ?? {}))
    edges[key] = worst([edges[key] ?? 'skipped', result.status]) ?? result.status
  return {
    ...meta,
    finishedAt: new Date().toISOString(),
    nodes,
    edges,
    flow: results.flow?.status ?? null,
  }
}

/**
 * Records the run for `dagFile` (absolute), keeping the other DAGs' entries. Written
 * atomically: a reader never sees half a file. A file that is not ours is replaced, since it
 * lives in pipetest's own folder.
 */
export function writeLastRun(testDataDir: string, dagFile: string, run: LastRun): string {
  const file = lastRunFile(testDataDir)
  const current = readFile(file)
  const next: LastRunFile = { tool: 'pipetest', runs: { ...current?.runs, [dagFile]: run } }
  mkdirSync(pipetestDirOf(testDataDir), { recursive: true })
  writeFileAtomic(file, `${JSON.stringify(next, null, 2)}\n`)
  return file
}

/** The last run of `dagFile`, or undefined when it was never run with this test data dir. */
export function readLastRun(testDataDir: string, dagFile: string): LastRun | undefined {
  return readFile(lastRunFile(testDataDir))?.runs[dagFile]
}

function readFile(file: string): LastRunFile | undefined {
  if (!existsSync(file)) return undefined
  try {
    const json = JSON.parse(readFileSync(file, 'utf8')) as Partial<LastRunFile>
    return json.tool === 'pipetest' && json.runs && typeof json.runs === 'object'
      ? (json as LastRunFile)
      : undefined
  } catch {
    // A torn or hand-edited file only loses the colouring; the next run rewrites it.
    return undefined
  }
}
