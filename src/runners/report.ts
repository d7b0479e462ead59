import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { HarnessResult } from './harness.js'
import type { ProcessExit } from './process.js'
import type { ProcessOutcome, ProcessReport } from './types.js'

/**
 * Turns what happened to the process (and, for Python/Node, what the harness reported) into
 * one outcome and a sentence for a human. Precedence: a failed start, then our own kill
 * (timeout/abort, whatever the harness said before), then the harness's verdict, then the
 * process's exit status.
 */
export function describeExit(
  exit: ProcessExit,
  harness: HarnessResult | undefined,
  describeSpawnError: (spawnError: NonNullable<ProcessExit['spawnError']>) => {
    outcome: ProcessOutcome
    message: string
  },
): ProcessReport {
  const { termination, spawnError, escaped, ...evidence } = exit
  const base = { ...evidence, ...(escaped ? { escapedProcesses: escaped } : {}) }
  const report = (outcome: ProcessOutcome, message: string, traceback?: string): ProcessReport => ({
    outcome,
    message,
    ...base,
    ...(traceback ? { traceback } : {}),
  })

  if (spawnError?.code === 'BAD_CWD') return report('spawn-error', spawnError.message)
  if (spawnError?.code === 'BAD_ARGUMENT') {
    return report('invalid-spec', `cannot be started: ${spawnError.message}`)
  }
  if (spawnError) {
    const { outcome, message } = describeSpawnError(spawnError)
    return report(outcome, message)
  }
  if (termination?.kind === 'timeout') {
    const lingering =
      harness?.outcome === 'success'
        ? ' main() had returned, but something kept the process alive (a non-daemon thread, an open handle, a child process).'
        : ''
    return report(
      'timeout',
      `timed out after ${formatSeconds(termination.timeoutMs)} s and was killed with its child processes.${lingering} Raise "timeout_seconds" in the spec if it needs longer.`,
    )
  }
  if (termination?.kind === 'aborted') {
    return report('aborted', `aborted (${termination.reason}); its process group was killed.`)
  }
  if (termination?.kind === 'launcher-lost') {
    // Its exit status died with the worker: ended rather than judged on half the evidence.
    return report(
      'killed',
      `was ended by pipetest: ${termination.reason}, so its exit status cannot be known. Run it again; ${termination.fix ?? 'PIPETEST_PYTHON_WORKER=0 runs every script in a fresh interpreter.'}`,
    )
  }
  if (harness && harness.outcome !== 'success' && harness.outcome !== 'exit') {
    return report(harness.outcome, harness.message, harness.traceback)
  }
  // main() returned, or ended the process itself (sys.exit): judged by the exit status.
  if (harness && exit.exitCode === 0) return report('success', harness.message)
  if (harness?.outcome === 'exit' && exit.exitCode !== null) {
    return report('exit-code', harness.message)
  }
  if (exit.signal !== null) {
    const hint =
      exit.signal === 'SIGKILL' ? ' pipetest did not send it: out of memory, or a kill -9?' : ''
    return report('killed', `was killed by ${exit.signal}.${hint}`)
  }
  if (exit.exitCode !== 0) {
    const after = harness?.outcome === 'success' ? `${harness.message}, but the process then ` : ''
    return report('exit-code', `${after}exited with code ${String(exit.exitCode)}`)
  }
  return report('success', harness?.message ?? 'exited with code 0')
}

/**
 * A report for an execution that never started (interpreter missing, bad template…). The
 * message also goes to `stderr.log` so the log folder explains itself.
 */
export async function notStarted(
  logDir: string,
  outcome: ProcessOutcome,
  message: string,
): Promise<ProcessReport> {
  await mkdir(logDir, { recursive: true })
  const stdoutLog = join(logDir, 'stdout.log')
  const stderrLog = join(logDir, 'stderr.log')
  await writeFile(stdoutLog, '')
  await writeFile(stderrLog, `pipetest: ${message}\n`)
  return {
    outcome,
    message,
    exitCode: null,
    signal: null,
    durationMs: 0,
    stdoutTail: '',
    stderrTail: '',
    stdoutLog,
    stderrLog,
  }
}

function formatSeconds(ms: number): string {
  return String(Number((ms / 1000).toFixed(3)))
}
