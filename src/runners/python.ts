import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { harnessCacheDir } from './harness-cache.js'
import { runThroughHarness } from './harness-runner.js'
import {
  evidentExecutable,
  InterpreterNotFoundError,
  recalledPythonFiles,
  resolvePythonInstallation,
  type PythonInstallation,
} from './interpreter.js'
import { chooseLaunch, closePythonWorker, prewarmPythonWorker } from './python-worker.js'
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
  const runnerEnv = bytecodeEnvironment(request.environVars)
  const choice = chooseLaunch({
    ...python,
    scriptPath: request.scriptPath,
    environVars: { ...runnerEnv, ...request.environVars },
    runnerEnv: bytecodeEnvironment({}),
    enabled: request.pythonWorker !== false,
    onlyIfRunning: request.pythonWorker === 'if-running',
    isolation: request.isolation,
  })
  const report = await runThroughHarness(
    request,
    { file: python.executable, label: `Python interpreter ${JSON.stringify(python.executable)}` },
    python.harness,
    runnerEnv,
    // The harness registers faulthandler for it (see python_harness.py).
    'SIGUSR1',
    choice.launcher,
  )
  return { ...report, launch: choice.note }
}

/**
 * Starts the preloading worker of `python` importing what these Python scripts import (see
 * python-worker.ts), without waiting: a run calls it when it starts. Never fails; an
 * interpreter that cannot be used is reported by the executions themselves.
 */
export async function prewarmPython(
  python: string,
  scriptPaths: string[],
  enabled = true,
): Promise<void> {
  if (scriptPaths.length === 0 || !enabled) return
  const prewarm = {
    runnerEnv: bytecodeEnvironment({}),
    scriptPaths: scriptPaths.filter((path) => existsSync(path)),
    enabled,
  }
  // Where the executable is plain to see, the worker starts beside the probe, not after it
  // (compiled when an earlier probe has recorded the files, else from the shipped sources).
  const evident = evidentExecutable(python)
  if (evident) {
    prewarmPythonWorker({ ...prewarm, ...recalledPythonFiles(evident), executable: evident })
  }
  let installation: PythonInstallation
  try {
    installation = await resolvePythonInstallation(python)
  } catch {
    if (evident) closePythonWorker(evident)
    return
  }
  if (installation.executable === evident) return
  // The probe knew better: the worker the executions will use is that executable's.
  if (evident) closePythonWorker(evident)
  prewarmPythonWorker({ ...prewarm, ...installation })
}

/**
 * Where Python may cache the bytecode of what the script imports: never beside the source.
 * A module imported from an input folder (or the project) would otherwise leave a
 * `__pycache__/` in the user's data — which the input guard rightly reports — and in the
 * repository. The private cache folder keeps the caching (and its speed); a user's own
 * PYTHONPYCACHEPREFIX or PYTHONDONTWRITEBYTECODE is left alone.
 */
function bytecodeEnvironment(environVars: Record<string, string>): Record<string, string> {
  // Python reads both only when non-empty; the spec's value (even '') wins over ours.
  const effective = (name: string) => environVars[name] ?? process.env[name] ?? ''
  if (effective('PYTHONPYCACHEPREFIX') !== '' || effective('PYTHONDONTWRITEBYTECODE') !== '') {
    return {}
  }
  const cacheDir = harnessCacheDir()
  return cacheDir
    ? { PYTHONPYCACHEPREFIX: join(cacheDir, 'pycache') }
    : { PYTHONDONTWRITEBYTECODE: '1' }
}
