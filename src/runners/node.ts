import { existsSync } from 'node:fs'
import { harnessPath, readHarnessResult, writeHarnessRequest } from './harness.js'
import { runProcess } from './process.js'
import { describeExit, notStarted } from './report.js'
import type { ExecutionRequest, ProcessReport } from './types.js'

/**
 * Runs a Node module's exported `main({ inputPaths, outputPaths, environVars, jobArgs })`
 * through the shipped harness (see `harness/node_harness.mjs`), in a child process of the
 * same Node binary that runs pipetest.
 */
export async function runNode(request: ExecutionRequest): Promise<ProcessReport> {
  if (!existsSync(request.scriptPath)) {
    return notStarted(request.logDir, 'script-not-found', `script not found: ${request.scriptPath}`)
  }
  const { requestFile, resultFile } = await writeHarnessRequest(request)
  const exit = await runProcess({
    file: process.execPath,
    args: [harnessPath('node_harness.mjs'), requestFile],
    cwd: request.cwd,
    env: request.environVars,
    timeoutMs: request.timeoutMs,
    logDir: request.logDir,
    ...(request.signal ? { signal: request.signal } : {}),
  })
  return describeExit(exit, await readHarnessResult(resultFile), (spawnError) => ({
    outcome: 'interpreter-not-found',
    message: `Node.js (${process.execPath}) could not be started (${spawnError.code}).`,
  }))
}
