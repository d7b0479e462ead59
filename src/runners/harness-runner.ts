import { existsSync } from 'node:fs'
import { harnessPath, readHarnessResult, writeHarnessRequest, type HarnessFile } from './harness.js'
import { runProcess } from './process.js'
import { describeExit, notStarted } from './report.js'
import type { ExecutionRequest, ProcessReport } from './types.js'

/**
 * Runs `interpreter <harness> <request file>` for a script that exists, and turns the exit
 * and the harness' verdict into a report. Shared by the Python and Node runners, which differ
 * only in the interpreter and the harness they ship.
 */
export async function runThroughHarness(
  request: ExecutionRequest,
  interpreter: { file: string; label: string },
  harness: Exclude<HarnessFile, 'group_watchdog.mjs'>,
): Promise<ProcessReport> {
  if (!existsSync(request.scriptPath)) {
    return notStarted(request.logDir, 'script-not-found', `script not found: ${request.scriptPath}`)
  }
  const { requestFile, resultFile } = await writeHarnessRequest(request)
  const exit = await runProcess({
    file: interpreter.file,
    args: [harnessPath(harness), requestFile],
    cwd: request.cwd,
    env: request.environVars,
    timeoutMs: request.timeoutMs,
    logDir: request.logDir,
    ...(request.signal ? { signal: request.signal } : {}),
  })
  return describeExit(exit, await readHarnessResult(resultFile), (spawnError) => ({
    // The interpreter was there a moment ago; losing it now is still its absence.
    outcome: 'interpreter-not-found',
    message: `${interpreter.label} could not be started (${spawnError.code}).`,
  }))
}
