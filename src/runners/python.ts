import { runThroughHarness } from './harness-runner.js'
import {
  InterpreterNotFoundError,
  resolvePythonInstallation,
  type PythonInstallation,
} from './interpreter.js'
import { notStarted } from './report.js'
import type { ExecutionRequest, ProcessReport } from './types.js'

/**
 * Runs a Python script's `main(input_paths, output_paths, environ_vars, job_args)` through
 * the shipped harness (see `harness/python_harness.py`; compiled once, see harness-cache.ts),
 * in a child process of the real interpreter behind `request.python`.
 */
export async function runPython(request: ExecutionRequest): Promise<ProcessReport> {
  let python: PythonInstallation
  try {
    python = await resolvePythonInstallation(request.python)
  } catch (error) {
    if (error instanceof InterpreterNotFoundError) {
      return notStarted(request.logDir, 'interpreter-not-found', error.message)
    }
    throw error
  }
  return runThroughHarness(
    request,
    { file: python.executable, label: `Python interpreter ${JSON.stringify(python.executable)}` },
    python.harness,
  )
}
