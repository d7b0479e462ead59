import { join } from 'node:path'
import type { ScriptExecutionSpec } from '../spec/index.js'
import { describeViolations, dominantFormat } from '../data/index.js'
import { brokenChecks, describeDataChecks } from './data-checks.js'
import { messages, notRunResult } from './execution-result.js'
import type { PortResolution } from './ports.js'
import type {
  DataCheck,
  DataCompatibilityResult,
  ExecutionResult,
  Outcome,
  PipelineFlowResult,
  PortWiring,
  ScriptTestResult,
  TestStatus,
} from './results.js'

/** Turns executions into the three tiers' results (plain objects, cursus' fields included). */

/** Outcomes after which cursus reported `has_main_function: false`. */
const NO_MAIN: ReadonlySet<Outcome> = new Set([
  'no-main',
  'import-error',
  'script-not-found',
  'invalid-spec',
])

/** What every result of an edge names, known before it is judged. */
type EdgeFields = Pick<
  DataCompatibilityResult,
  'from' | 'to' | 'scriptA' | 'scriptB' | 'upstream' | 'downstream'
>

export function toScriptTestResult(result: ExecutionResult): ScriptTestResult {
  const success = result.status === 'passed'
  return {
    ...result,
    kind: 'script',
    success,
    hasMainFunction: !NO_MAIN.has(result.outcome) && result.status !== 'skipped',
    ...(success || result.status === 'skipped' ? {} : { errorMessage: result.message }),
    executionTime: result.durationMs / 1000,
  }
}

export function skippedScriptResult(
  node: string,
  spec: ScriptExecutionSpec | undefined,
  reason: string,
  runFolder: string,
): ScriptTestResult {
  const { scriptName = node, scriptPath, runner } = spec ?? {}
  const identity = { id: `skipped:${node}`, node, scriptName, scriptPath, runner }
  const planned = { ...identity, runDir: runFolder, inputs: {}, wiredFrom: {} }
  return toScriptTestResult(notRunResult(planned, 'skipped', 'skipped', `Skipped: ${reason}`))
}

export interface EdgeEvidence extends EdgeFields {
  ports: PortResolution
  /**
   * A's real outputs checked against B's input contract by the edge itself: done when A failed
   * only its own output contract, so B is blocked, yet the edge can still tell whether B
   * accepts what A wrote.
   */
  inputChecks?: DataCheck[]
}

/**
 * A → B is compatible when B, fed A's real outputs, passed: it succeeded, wrote every
 * declared output and left its inputs alone. "A ran without crashing" is never enough.
 */
export function toEdgeResult(evidence: EdgeEvidence): DataCompatibilityResult {
  const { ports, inputChecks = [], ...fields } = evidence
  const { from, to, upstream, downstream } = fields
  const wiring = !ports.ok ? [] : upstream ? wiredPaths(ports.wiring, upstream) : ports.wiring
  const edge = (
    status: TestStatus,
    outcome: Outcome,
    message: string,
    more: Partial<DataCompatibilityResult> = {},
  ) => edgeResult({ ...fields, wiring }, status, outcome, message, more)
  if (!ports.ok) return edge('failed', 'unresolved-ports', ports.message)
  const edgeMismatch = schemaMismatch(from, to, fields.scriptB, inputChecks)
  if (edgeMismatch !== undefined) {
    const { message, issues } = edgeMismatch
    return edge('failed', 'input-contract', message, { compatibilityIssues: issues })
  }
  if (!upstream || upstream.status !== 'passed') {
    const blockedBy = upstream?.status === 'blocked' ? (upstream.blockedBy ?? from) : from
    const message = `Not run: ${from} ${upstream?.status === 'blocked' ? `was blocked by ${blockedBy}` : 'failed'}, so ${to} cannot be fed its outputs; blocked by ${blockedBy}.`
    return edge('blocked', 'blocked', message, { blockedBy })
  }
  const format = dominantFormat(wiring.flatMap((wire) => (wire.path ? [wire.path] : [])))
  const formats = format ? { dataFormatA: format, dataFormatB: format } : {}
  if (!downstream) {
    return edge('blocked', 'blocked', `Not run: ${to} has no execution.`, { blockedBy: from })
  }
  if (downstream.status === 'blocked') {
    const by = downstream.blockedBy ?? from
    const message = `Not run: another input of ${to} comes from a failed node; blocked by ${by}.`
    return edge('blocked', 'blocked', message, { blockedBy: by })
  }
  const mismatch =
    downstream.outcome === 'input-contract'
      ? schemaMismatch(from, to, downstream.scriptName, downstream.dataChecks ?? [])
      : undefined
  if (mismatch !== undefined) {
    const { message, issues } = mismatch
    return edge('failed', 'input-contract', message, { ...formats, compatibilityIssues: issues })
  }
  const { durationMs } = downstream
  if (downstream.status !== 'passed') {
    const [why = '', ...details] = downstream.message.split('\n')
    const failed = `${to} failed on ${from}'s outputs: ${why}`
    return edge('failed', downstream.outcome, [failed, ...details].join('\n'), {
      ...formats,
      compatibilityIssues: [failed],
      durationMs,
    })
  }
  const wired = wiring.map((wire) => `${wire.output} → ${wire.input} (${wire.via})`).join(', ')
  const message = `${to} ran on ${from}'s outputs (${wired}) and wrote all its outputs.`
  return edge('passed', 'success', message, { ...formats, durationMs })
}

/**
 * An edge's result: compatible only when passed; a failed or blocked edge's issue is its
 * message unless `more` says otherwise.
 */
function edgeResult(
  edge: EdgeFields & Pick<DataCompatibilityResult, 'wiring'>,
  status: TestStatus,
  outcome: Outcome,
  message: string,
  more: Partial<DataCompatibilityResult> = {},
): DataCompatibilityResult {
  return {
    kind: 'edge',
    ...edge,
    status,
    outcome,
    message,
    compatible: status === 'passed',
    compatibilityIssues: status === 'failed' || status === 'blocked' ? [message] : [],
    durationMs: 0,
    ...more,
  }
}

/**
 * The downstream step refused `from`'s outputs because they break its input contract: a
 * schema mismatch on this edge, told with both steps and the columns.
 */
function schemaMismatch(
  from: string,
  to: string,
  scriptB: string,
  inputChecks: DataCheck[],
): { message: string; issues: string[] } | undefined {
  const checks = brokenChecks(inputChecks).filter((check) => check.from?.node === from)
  if (checks.length === 0) return undefined
  const issues = checks.flatMap((check) =>
    describeViolations(check.violations).map(
      (line) => `${from}.${check.from!.output} → ${to}.${check.port}: ${line}`,
    ),
  )
  const ports = checks.map((check) => `${check.from!.output} → ${check.port}`).join(', ')
  return {
    message: [
      `Schema mismatch: ${from}'s output does not match ${to}'s input contract (${ports}); ${to} was not run.`,
      ...describeDataChecks(checks),
      `Fix ${from}, or update "input_contracts" in ${scriptB}'s spec if ${to} should accept this data.`,
    ].join('\n'),
    issues,
  }
}

/** The wiring with the absolute upstream paths actually fed to the downstream script. */
export function wiredPaths(wiring: PortWiring[], upstream: ExecutionResult): PortWiring[] {
  return wiring.map((wire) => {
    const output = upstream.outputs.find((report) => report.name === wire.output)
    if (!output) return wire
    return { ...wire, path: wire.subpath ? join(output.path, wire.subpath) : output.path }
  })
}

export function skippedEdgeResult(
  from: string,
  to: string,
  scriptA: string,
  scriptB: string,
  reason: string,
): DataCompatibilityResult {
  const edge = { from, to, scriptA, scriptB, wiring: [] }
  return edgeResult(edge, 'skipped', 'skipped', `Skipped: ${reason}`)
}

export interface FlowEvidence {
  order: string[]
  results: Record<string, ExecutionResult>
  edges: Record<string, DataCompatibilityResult>
  runFolder: string
}

/** Failed when any node failed; the message names the failed nodes and what they blocked. */
export function toFlowResult(evidence: FlowEvidence): PipelineFlowResult {
  const { order, results } = evidence
  const failedNodes = order.filter((node) => results[node]?.status === 'failed')
  const blockedNodes = order.filter((node) => results[node]?.status === 'blocked')
  const errors: string[] = []
  for (const node of order) {
    const result = results[node]!
    if (result.status === 'failed')
      errors.push(`Script ${node} failed: ${result.message.split('\n')[0] ?? ''}`)
    if (result.status === 'blocked') errors.push(`${node} blocked by ${result.blockedBy ?? '?'}`)
  }
  const passed = failedNodes.length === 0 && blockedNodes.length === 0
  const firstFailure = failedNodes[0] === undefined ? undefined : results[failedNodes[0]]
  let message = `All ${order.length} nodes ran in topological order and wrote their outputs.`
  if (!passed) {
    const failed = failedNodes.map((node) => `${node} (${results[node]!.outcome})`).join(', ')
    const parts = [`${failedNodes.length} of ${order.length} nodes failed: ${failed}`]
    if (blockedNodes.length > 0) {
      const byNode = blockedNodes.map((node) => `${node} (by ${results[node]!.blockedBy ?? '?'})`)
      parts.push(`${blockedNodes.length} blocked: ${byNode.join(', ')}`)
    }
    message = `${parts.join('; ')}.\n${errors.join('\n')}`
  }
  const spans = order.map((node) => results[node]!).filter((result) => result.durationMs > 0)
  const start = Math.min(...spans.map((result) => Date.parse(result.startedAt)))
  const end = Math.max(...spans.map((result) => Date.parse(result.startedAt) + result.durationMs))
  return {
    kind: 'flow',
    status: passed ? 'passed' : 'failed',
    outcome: passed ? 'success' : (firstFailure?.outcome ?? 'blocked'),
    ...messages(message, passed ? undefined : evidence.runFolder),
    pipelineSuccess: passed,
    executionOrder: order,
    scriptResults: results,
    dataFlowResults: evidence.edges,
    errors,
    failedNodes,
    blockedNodes,
    durationMs: spans.length > 0 ? Math.max(0, end - start) : 0,
    runDir: evidence.runFolder,
  }
}

/** A flow that did not run: an empty one, skipped, in the order it would have run. */
export function skippedFlowResult(
  order: string[],
  reason: string,
  runFolder: string,
): PipelineFlowResult {
  return {
    ...toFlowResult({ order: [], results: {}, edges: {}, runFolder }),
    status: 'skipped',
    outcome: 'skipped',
    ...messages(`Skipped: ${reason}`, undefined),
    pipelineSuccess: false,
    executionOrder: order,
  }
}
