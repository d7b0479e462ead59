import { runThroughHarness } from './harness-runner.js'
import { harnessPath } from './harness.js'
import type { ExecutionRequest, ProcessReport } from './types.js'

/**
 * Runs a Node module's exported `main({ inputPaths, outputPaths, environVars, jobArgs })`
 * through the shipped harness (see `harness/node_harness.mjs`), in a child process of the
 * same Node binary that runs pipetest.
 */
export async function runNode(request: ExecutionRequest): Promise<ProcessReport> {
  return runThroughHarness(
    request,
    { file: process.execPath, label: `Node.js (${process.execPath})` },
    harnessPath('node_harness.mjs'),
  )
}
