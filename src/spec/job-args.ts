import { isJsonNumber, parseJson, stringifyJson } from '../files/json.js'
import type { ScriptExecutionSpec } from './script-execution-spec.js'

/**
 * A job argument typed from the command line or a prompt: JSON when it parses (`3`, `true`,
 * `[1,2]`, and `1.0` or `NaN` kept as written, as in a spec file), else the string itself.
 */
export function parseJobArg(value: string): unknown {
  try {
    return parseJson(value, 'argument', 'USAGE', 'Argument', { lossless: true })
  } catch {
    return value
  }
}

/** The inverse of {@link parseJobArg}: a string that would parse as JSON is shown quoted. */
export function showJobArg(value: unknown): string {
  if (typeof value === 'string') return parseJobArg(value) === value ? value : JSON.stringify(value)
  return isJsonNumber(value) ? value.jsonNumber : stringifyJson(value)
}

/** The job types cursus appends to a node name, which become `job_type` when a spec sets none. */
const NODE_JOB_TYPES = ['training', 'validation', 'testing', 'calibration'] as const

/** cursus' `job_type` when a spec's `job_args` are empty. */
const DEFAULT_JOB_TYPE = 'testing'

/**
 * The job arguments `main()` receives. cursus passes `Namespace(job_type="testing")` when a
 * spec's `job_args` are empty, and scripts rely on it; we do the same, taking the job type
 * from the node's suffix when it has one (`XGBoostTraining_calibration` → `calibration`).
 */
export function effectiveJobArgs(
  spec: Pick<ScriptExecutionSpec, 'jobArgs'>,
  node: string,
): Record<string, unknown> {
  if (Object.keys(spec.jobArgs).length > 0) return spec.jobArgs
  const suffix = NODE_JOB_TYPES.find((jobType) => node.endsWith(`_${jobType}`))
  return { job_type: suffix ?? DEFAULT_JOB_TYPE }
}
