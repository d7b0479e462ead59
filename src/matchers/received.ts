import type {
  DataCompatibilityResult,
  ExecutionResult,
  PipelineFlowResult,
  TestResult,
} from '../engine/results.js'

/** Recognising pipetest results among whatever a user passes to `expect`. */

export function isExecutionResult(value: unknown): value is ExecutionResult {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as ExecutionResult).node === 'string' &&
    Array.isArray((value as ExecutionResult).outputs) &&
    typeof (value as ExecutionResult).status === 'string'
  )
}

export function isEdgeResult(value: unknown): value is DataCompatibilityResult {
  return (
    typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'edge'
  )
}

export function isFlowResult(value: unknown): value is PipelineFlowResult {
  return (
    typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'flow'
  )
}

export function isTestResult(value: unknown): value is TestResult | ExecutionResult {
  return isEdgeResult(value) || isFlowResult(value) || isExecutionResult(value)
}

/** The failure of a matcher given something that is not a result it can judge. */
export function notAResult(matcher: string, expected: string, received: unknown) {
  return {
    pass: false,
    message: () =>
      `${matcher}: expected ${expected}, got ${describe(received)}.\n` +
      'Pass what runScript()/runPipeline() (or a PipelineRun/RuntimeTester method) resolved to; did you forget `await`?',
  }
}

function describe(value: unknown): string {
  if (value === null) return 'null'
  if (value instanceof Promise) return 'a Promise'
  if (Array.isArray(value)) return 'an array'
  if (typeof value === 'object')
    return `an object with keys ${Object.keys(value).slice(0, 6).join(', ') || '(none)'}`
  return `${typeof value} ${JSON.stringify(value)}`
}
