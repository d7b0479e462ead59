import { existsSync } from 'node:fs'
import { harnessPath, readHarnessResult, writeHarnessRequest } from './harness.js'
import { InterpreterNotFoundError, resolvePython } from './interpreter.js'
import { runProcess } from './process.js'
import { describeExit, notStarted } from './report.js'
import type { ExecutionRequest, ProcessReport } from './types.js'

/**
 * Runs a Python script's `main(input_paths, output_paths, environ_vars, job_args)` through
 * the shipped harness (see `harness/python_harness.py`), in a child process of the real
 * interpreter behind `request.python`.
 */
export async function runPython(request: ExecutionRequest): Promise<ProcessReport> {
  let python: string
  try {
    python = await resolvePython(request.python)
  } catch (error) {
    if (error instanceof InterpreterNotFoundError) {
      return notStarted(request.logDir, 'interpreter-not-found', error.message)
    }
    throw error
  }
  if (!existsSync(request.scriptPath)) {
    return notStarted(request.logDir, 'script-not-found', `script not found: ${request.scriptPath}`)
  }
  const { requestFile, resultFile } = await writeHarnessRequest(request)
  const exit = await runProcess({
    file: python,
    args: [harnessPath('python_harness.py'), requestFile],
    cwd: request.cwd,
    env: request.environVars,
    timeoutMs: request.timeoutMs,
    logDir: request.logDir,
    ...(request.signal ? { signal: request.signal } : {}),
  })
  return describeExit(exit, await readHarnessResult(resultFile), (spawnError) => ({
    // The interpreter answered the probe a moment ago; losing it now is still its absence.
    outcome: 'interpreter-not-found',
    message: `Python interpreter ${JSON.stringify(python)} could not be started (${spawnError.code}).`,
  }))
}
