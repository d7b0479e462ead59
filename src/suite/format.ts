import type {
  DataCompatibilityResult,
  ExecutionResult,
  PipelineFlowResult,
} from '../engine/results.js'
import { displayPath, formatDuration } from '../text.js'

/**
 * Failure messages of generated tests and matchers, written once for both adapters. Layout:
 * first line says what failed and why, then the evidence (exit code, outputs, the tail of
 * stderr with the traceback), then where the run's files are kept.
 */

/** Lines of stderr/stdout shown; the full logs stay in the run folder. */
const TAIL_LINES = 30

export interface FormatOptions {
  /** Project root: script and input paths under it are shown relative to it. */
  rootDir?: string
}

/** The one-line message of a test that did not run because an upstream node failed. */
export function formatBlocked(blockedBy: string | undefined): string {
  return blockedBy === undefined ? 'blocked by a failed upstream node' : `blocked by ${blockedBy}`
}

/** A failed script execution (scripts tier, one node of a flow, a matcher). */
export function formatExecutionFailure(
  result: ExecutionResult,
  options: FormatOptions = {},
): string {
  const [why = '', ...details] = messageLines(result.shortMessage)
  const lines = [`${result.node} failed (${result.outcome}): ${why}`, ...indent(details)]
  lines.push(...indent(executionEvidence(result, options)))
  return lines.join('\n')
}

/** A failed edge A → B: ports that cannot be wired, or B failing on A's real outputs. */
export function formatEdgeFailure(
  result: DataCompatibilityResult,
  options: FormatOptions = {},
): string {
  const subject = `${result.from} → ${result.to}`
  if (result.outcome === 'unresolved-ports') {
    return [
      `${subject}: cannot tell which outputs of ${result.from} feed which inputs of ${result.to}`,
      ...indent(result.message.trim().split('\n')),
    ].join('\n')
  }
  const downstream = result.downstream
  // A schema mismatch is the edge's own finding (the downstream did not run): its message.
  const mismatch = result.outcome === 'input-contract'
  const [why = '', ...details] = messageLines(
    mismatch ? result.message : (downstream?.shortMessage ?? result.message),
  )
  const lines = [
    mismatch
      ? `${subject}: ${why}`
      : `${subject}: ${result.to} failed on ${result.from}'s outputs (${result.outcome}): ${why}`,
    ...indent(details),
  ]
  if (result.wiring.length > 0) {
    lines.push('  wired:')
    for (const port of result.wiring) {
      const path = port.path === undefined ? '' : ` (${displayPath(port.path, options.rootDir)})`
      lines.push(
        `    ${result.from}.${port.output} → ${result.to}.${port.input} [by ${port.via}]${path}`,
      )
    }
  }
  if (!mismatch) {
    for (const issue of result.compatibilityIssues) {
      if (!result.message.includes(issue)) lines.push(`  issue: ${issue}`)
    }
  }
  if (downstream) lines.push(...indent(executionEvidence(downstream, options)))
  return lines.join('\n')
}

/**
 * A failure another test shows in full (the same execution): its first line, naming that
 * test, so one bug reads as one traceback.
 */
export function formatSharedFailure(firstLine: string, shownBy: string): string {
  return `${firstLine} — same execution as ${shownBy}, see its failure`
}

/** An edge whose downstream execution failed and is shown by another test. */
export function formatSharedEdgeFailure(result: DataCompatibilityResult, shownBy: string): string {
  const [why = ''] = messageLines(result.downstream?.shortMessage ?? result.message)
  return formatSharedFailure(
    `${result.from} → ${result.to}: ${result.to} failed on ${result.from}'s outputs (${result.outcome}): ${why}`,
    shownBy,
  )
}

/**
 * A failed flow: which nodes failed and which were blocked; a failed node's evidence unless
 * `shownBy` names the test that shows it.
 */
export function formatFlowFailure(
  result: PipelineFlowResult,
  pipelineName: string,
  options: FormatOptions = {},
  shownBy: (node: string) => string | undefined = () => undefined,
): string {
  const failed = result.failedNodes
  const lines = [
    failed.length > 0
      ? `${pipelineName}: ${failed.length} of ${result.executionOrder.length} nodes failed (${failed.join(', ')})`
      : `${pipelineName}: ${result.message.trim().split('\n')[0] ?? 'the flow failed'}`,
  ]
  if (result.blockedNodes.length > 0) {
    const blocked = result.blockedNodes.map((node) => {
      const by = result.scriptResults[node]?.blockedBy
      return by === undefined ? node : `${node} (blocked by ${by})`
    })
    lines.push(`  not run: ${blocked.join(', ')}`)
  }
  for (const node of failed) {
    const execution = result.scriptResults[node]
    if (!execution) continue
    const owner = shownBy(node)
    if (owner === undefined) {
      lines.push('', ...indent(formatExecutionFailure(execution, options).split('\n')))
    } else {
      const [why = ''] = messageLines(execution.shortMessage)
      lines.push(
        '',
        `  ${formatSharedFailure(`${node} failed (${execution.outcome}): ${why}`, owner)}`,
      )
    }
  }
  lines.push('', `  run folder: ${result.runDir}`)
  return lines.join('\n')
}

/** Exit code, inputs and outputs, the tail of stderr and the run folder of one execution. */
function executionEvidence(result: ExecutionResult, options: FormatOptions): string[] {
  const lines: string[] = []
  // Failures found before starting (missing inputs, no script, unwired ports) have no process.
  const ran = result.exitCode !== null || result.signal !== null || result.durationMs > 0
  if (ran) {
    const exit = [
      result.exitCode === null ? undefined : `exit code ${result.exitCode}`,
      result.signal === null ? undefined : `signal ${result.signal}`,
      formatDuration(result.durationMs),
    ].filter((part) => part !== undefined)
    lines.push(exit.join(', '))
  }
  if (result.scriptPath !== undefined) {
    const runner = result.runner === undefined ? '' : ` (${result.runner})`
    lines.push(`script: ${displayPath(result.scriptPath, options.rootDir)}${runner}`)
  }
  // The engine's message already lists missing inputs and outputs for those outcomes.
  if (result.missingInputs.length > 0 && result.outcome !== 'missing-inputs') {
    lines.push('missing inputs:')
    for (const input of result.missingInputs)
      lines.push(`  ${input.name}: ${displayPath(input.path, options.rootDir)}`)
  }
  for (const [name, source] of Object.entries(result.wiredFrom)) {
    lines.push(`input ${name} ← ${source.node}.${source.output}`)
  }
  if (result.outputs.length > 0 && result.outcome !== 'missing-outputs') {
    const produced = result.producedOutputs
    const missing = result.outputs.filter((output) => !output.produced).map((output) => output.name)
    lines.push(
      `outputs: produced ${produced.length > 0 ? produced.join(', ') : 'none'}; missing ${missing.length > 0 ? missing.join(', ') : 'none'}`,
    )
  }
  const { title, text } = tailToShow(result)
  if (text !== '') lines.push(`${title}:`, ...indent(text.split('\n')))
  if (ran) lines.push(`run folder: ${result.runDir}`)
  return lines
}

/** The traceback when the harness extracted one, else the tail of stderr, else of stdout. */
function tailToShow(result: ExecutionResult): { title: string; text: string } {
  const stderr = lastLines(result.stderrTail)
  const traceback = result.traceback?.trim() ?? ''
  if (traceback !== '' && !stderr.includes(traceback)) {
    return { title: 'traceback', text: traceback }
  }
  if (stderr !== '') return { title: `stderr (last ${TAIL_LINES} lines)`, text: stderr }
  const stdout = lastLines(result.stdoutTail)
  return { title: `stdout (last ${TAIL_LINES} lines)`, text: stdout }
}

/** What happened, without the run folder: the evidence ends with it. */
function messageLines(shortMessage: string): string[] {
  return shortMessage.trim().split('\n')
}

function lastLines(text: string): string {
  return text.trimEnd().split('\n').slice(-TAIL_LINES).join('\n').replace(/^\n+/, '')
}

function indent(lines: string[]): string[] {
  return lines.map((line) => (line === '' ? line : `  ${line}`))
}
