import type {
  DataCompatibilityResult,
  ExecutionResult,
  PipelineFlowResult,
} from '../engine/results.js'
import type { PipetestError } from '../errors.js'
import { testUsageError } from '../suite/user-error.js'

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

/** `received` as a script result, or the error of a matcher that needs one. */
export function scriptResultOf(matcher: string, received: unknown): ExecutionResult {
  if (isExecutionResult(received)) return received
  throw notAResult(matcher, 'a script result (from runScript)', received)
}

export function isEdgeResult(value: unknown): value is DataCompatibilityResult {
  return (value as { kind?: unknown } | null)?.kind === 'edge'
}

export function isFlowResult(value: unknown): value is PipelineFlowResult {
  return (value as { kind?: unknown } | null)?.kind === 'flow'
}

/**
 * The error of a matcher given something that is not a result it can judge. Thrown, never
 * returned as `pass: false`: under `.not` that would pass, and a forgotten `await` would make
 * every negated assertion succeed.
 */
export function notAResult(matcher: string, expected: string, received: unknown): PipetestError {
  const hint =
    received instanceof Promise
      ? `Did you forget \`await\`? Write expect(await runScript(…)).${matcher}(…).`
      : 'Pass what runScript()/runPipeline() (or a PipelineRun/RuntimeTester method) resolved to.'
  return testUsageError('USAGE', `${matcher}: expected ${expected}, got ${describe(received)}`, {
    hint,
  })
}

function describe(value: unknown): string {
  if (value === null) return 'null'
  if (value === undefined) return 'undefined'
  if (value instanceof Promise) return 'a Promise'
  if (Array.isArray(value)) return `an array of ${value.length}`
  if (typeof value === 'object')
    return `an object with keys ${Object.keys(value).slice(0, 6).join(', ') || '(none)'}`
  if (typeof value === 'function') return 'a function'
  return `${typeof value} ${JSON.stringify(value)}`
}
