import { runThroughHarness } from './harness-runner.js'
import { InterpreterNotFoundError, resolvePython } from './interpreter.js'
import { notStarted } from './report.js'
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
  return runThroughHarness(
    request,
    { file: python, label: `Python interpreter ${JSON.stringify(python)}` },
    'python_harness.py',
  )
}
