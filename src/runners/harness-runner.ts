import { readHarnessResult, readStackAtTimeout, writeHarnessRequest } from './harness.js'
import { spawnProcess } from './process.js'
import { describeExit } from './report.js'
import type { ExecutionRequest, Launcher, ProcessReport } from './types.js'

/**
 * Runs `interpreter <harness file> <request file>`, and turns the exit
 * and the harness' verdict into a report. Shared by the Python and Node runners, which differ
 * only in the interpreter and the harness they ship.
 */
export async function runThroughHarness(
  request: ExecutionRequest,
  interpreter: { file: string; label: string },
  /** The harness file the interpreter runs (shipped source, or Python's compiled copy). */
  harnessFile: string,
  /** Variables the runner sets for every script; the spec's `environ_vars` win. */
  runnerEnv: Record<string, string> = {},
  /** Sent to the script just before a timeout kills it, to make it dump its stack. */
  stackSignal?: NodeJS.Signals,
  /** Starts the interpreter another way than a spawn (the Python worker's fork). */
  launcher?: (requestFile: string) => Launcher,
): Promise<ProcessReport> {
  const { requestFile, resultFile, stackFile } = await writeHarnessRequest(request)
  const exit = await spawnProcess({
    file: interpreter.file,
    args: [harnessFile, requestFile],
    cwd: request.cwd,
    env: { ...runnerEnv, ...request.environVars },
    timeoutMs: request.timeoutMs,
    logDir: request.logDir,
    ...(request.signal ? { signal: request.signal } : {}),
    ...(stackSignal ? { stackSignal } : {}),
    ...(launcher ? { launch: launcher(requestFile) } : {}),
  })
  const report = describeExit(exit, await readHarnessResult(resultFile), (spawnError) => ({
    // The interpreter was there a moment ago; losing it now is still its absence.
    outcome: 'interpreter-not-found',
    message: `${interpreter.label} could not be started (${spawnError.code}).`,
  }))
  if (report.outcome !== 'timeout') return report
  // Where it was stuck: the stack faulthandler dumped when the timeout hit.
  const stack = await readStackAtTimeout(stackFile)
  // In the message, not as the traceback: the failure still shows what the script printed.
  return stack
    ? { ...report, message: `${report.message}\nStack when the timeout hit:\n${stack}` }
    : report
}
