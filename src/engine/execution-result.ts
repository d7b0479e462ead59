import type { KeyInput } from '../cache/index.js'
import type { ScriptExecutionSpec } from '../spec/index.js'
import type { ExecutionPlan } from './planner.js'
import type { ExecutionResult, Outcome, OutputReport, TestStatus } from './results.js'

/** What is known about an execution before it runs (`runDir`: the run folder); every result starts from it. */
export type ExecutionIdentity = Pick<
  ExecutionResult,
  'id' | 'node' | 'scriptName' | 'scriptPath' | 'runner' | 'runDir' | 'inputs' | 'wiredFrom'
>

/** A plan with everything resolved: its spec, and absolute input paths. */
export interface RunnableExecution extends ExecutionPlan {
  spec: ScriptExecutionSpec
  inputs: Record<string, string>
  /** What the cache key reads for each input. */
  keyInputs: Record<string, KeyInput>
}

/** A result for an execution that never started a process (blocked, missing inputs, …). */
export function notRunResult(
  identity: ExecutionIdentity,
  status: TestStatus,
  outcome: Outcome,
  message: string,
  extra: Partial<ExecutionResult> = {},
): ExecutionResult {
  return {
    ...identity,
    status,
    outcome,
    ...messages(message, undefined),
    exitCode: null,
    signal: null,
    durationMs: 0,
    stdoutTail: '',
    stderrTail: '',
    logs: {},
    missingInputs: [],
    outputs: [],
    producedOutputs: [],
    missingOutputs: [],
    startedAt: new Date().toISOString(),
    ...extra,
  }
}

/**
 * A result for an execution that ran in `executionDir` (or was restored there from the cache),
 * with what its outputs hold; passed until its caller judges it.
 */
export function ranResult(
  identity: ExecutionIdentity,
  executionDir: string,
  outputs: OutputReport[],
  run: Pick<ExecutionResult, 'outcome' | 'exitCode' | 'signal' | 'durationMs' | 'logs'> &
    Pick<ExecutionResult, 'stdoutTail' | 'stderrTail' | 'startedAt'> &
    Partial<ExecutionResult>,
): ExecutionResult {
  return {
    ...identity,
    runDir: executionDir,
    status: 'passed',
    shortMessage: '',
    message: '',
    missingInputs: [],
    outputs,
    producedOutputs: outputs.filter((o) => o.produced).map((o) => o.name),
    missingOutputs: outputs.filter((o) => !o.produced).map((o) => o.name),
    ...run,
  }
}

/**
 * A result's two messages, built from its fields as execa builds its errors': the short one
 * says what happened, the long one adds where the evidence is. Renderers take the short one
 * and show the evidence their own way; nothing parses the long one.
 */
export function messages(
  what: string,
  runFolder: string | undefined,
): { shortMessage: string; message: string } {
  const message = runFolder === undefined ? what : `${what}\nRun folder: ${runFolder}`
  return { shortMessage: what, message }
}

/** `data_output (3 files, 1.2 kB)`. */
export function describeOutput(output: OutputReport): string {
  if (!output.produced) return `${output.name} (${outputState(output)}: ${output.path})`
  const files =
    output.kind === 'file' ? 'file' : `${output.files} file${output.files === 1 ? '' : 's'}`
  return `${output.name} (${files}, ${formatBytes(output.bytes)})`
}

/**
 * Why an output does not count as written, in words: `not written`, `0-byte file`,
 * `empty folder`, or what a folder holds instead of data.
 */
export function outputState(output: OutputReport): string {
  if (output.kind === 'missing') return 'not written'
  if (output.kind === 'file') return output.bytes === 0 ? '0-byte file' : 'file'
  if (output.nonData === undefined) return 'empty folder'
  const { count, examples } = output.nonData
  const more = count > examples.length ? `, … ${count - examples.length} more` : ''
  return `folder holding no data file, only ${count === 1 ? 'a temporary, hidden or 0-byte file' : `${count} temporary, hidden or 0-byte files`} (${examples.join(', ')}${more})`
}

export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`
  const units = ['kB', 'MB', 'GB', 'TB']
  let value = bytes
  let unit = -1
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000
    unit++
  }
  return `${value.toFixed(1)} ${units[unit]}`
}
