import type {
  DataCompatibilityResult,
  ExecutionResult,
  PipelineFlowResult,
  ScriptTestResult,
  TestStatus,
} from '../engine/results.js'
import { selectRunner } from '../engine/runner-facts.js'
import { displayPath } from '../text.js'
import {
  formatBlocked,
  formatEdgeFailure,
  formatExecutionFailure,
  formatFlowFailure,
  type FormatOptions,
} from './format.js'
import type { CaseVerdict } from './types.js'

/** Turns engine results into what a generated test reports: status, message and properties. */

export function scriptVerdict(result: ScriptTestResult, options: FormatOptions = {}): CaseVerdict {
  return verdict(
    result.status,
    result.blockedBy,
    () => formatExecutionFailure(result, options),
    executionProperties(result, options),
  )
}

export function edgeVerdict(
  result: DataCompatibilityResult,
  options: FormatOptions = {},
): CaseVerdict {
  const properties: Record<string, string> = {
    edge: `${result.from} → ${result.to}`,
    ...(result.downstream
      ? executionProperties(result.downstream, options)
      : { node: result.to, outcome: result.outcome }),
  }
  if (result.wiring.length > 0) {
    properties.ports = result.wiring.map((port) => `${port.output}→${port.input}`).join(', ')
  }
  if (result.blockedBy !== undefined) properties.blockedBy = result.blockedBy
  return verdict(
    result.status,
    result.blockedBy,
    () => formatEdgeFailure(result, options),
    properties,
  )
}

export function flowVerdict(
  result: PipelineFlowResult,
  pipelineName: string,
  options: FormatOptions = {},
  shownBy?: (node: string) => string | undefined,
): CaseVerdict {
  const properties: Record<string, string> = {
    pipeline: pipelineName,
    outcome: result.outcome,
    nodes: String(result.executionOrder.length),
    durationMs: String(Math.round(result.durationMs)),
    runDir: result.runDir,
  }
  if (result.failedNodes.length > 0) properties.failedNodes = result.failedNodes.join(', ')
  if (result.blockedNodes.length > 0) properties.blockedNodes = result.blockedNodes.join(', ')
  const executions = Object.values(result.scriptResults)
  const cached = executions.filter((execution) => execution.cached).length
  if (cached > 0) {
    properties.cachedNodes = String(cached)
    if (cached === executions.length) properties.cached = 'true'
  }
  return verdict(
    result.status,
    undefined,
    () => formatFlowFailure(result, pipelineName, options, shownBy),
    properties,
  )
}

/** node, script, runner, exitCode, durationMs, runDir (+ outcome, blockedBy, cached, launch) as strings. */
export function executionProperties(
  result: ExecutionResult,
  options: FormatOptions = {},
): Record<string, string> {
  const properties: Record<string, string> = { node: result.node }
  properties.script =
    result.scriptPath === undefined
      ? result.scriptName
      : displayPath(result.scriptPath, options.rootDir)
  // A node that never ran has no runner in its result; say which one it would have used.
  const runner =
    result.runner ??
    (result.scriptPath === undefined ? undefined : selectRunner({ scriptPath: result.scriptPath }))
  if (runner !== undefined) properties.runner = runner
  properties.outcome = result.outcome
  if (result.exitCode !== null) properties.exitCode = String(result.exitCode)
  if (result.status !== 'blocked') {
    properties.durationMs = String(Math.round(result.durationMs))
    properties.runDir = result.runDir
  }
  if (result.blockedBy !== undefined) properties.blockedBy = result.blockedBy
  // The outputs came from the execution cache: the run that executed the script.
  if (result.cached) {
    properties.cached = 'true'
    properties.cachedFrom = result.cached.runId
  }
  if (result.launch !== undefined) {
    // Python: a fork of the preloading worker, or a fresh interpreter and why (README "Performance").
    const { mode, reason } = result.launch
    properties.launch = reason === undefined ? mode : `${mode}: ${reason}`
  }
  return properties
}

function verdict(
  status: TestStatus,
  blockedBy: string | undefined,
  failure: () => string,
  properties: Record<string, string>,
): CaseVerdict {
  if (status === 'passed') return { status: 'passed', message: '', properties }
  if (status === 'blocked') {
    return {
      status: 'blocked',
      message: formatBlocked(blockedBy),
      ...(blockedBy === undefined ? {} : { blockedBy }),
      properties,
    }
  }
  // `skipped` comes back only for a tier or node the engine was told to leave out, which
  // generated tests never ask for: report it loudly rather than pass silently.
  return { status: 'failed', message: failure(), properties }
}
