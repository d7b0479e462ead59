import { toPlainJson } from '../files/json.js'
import { runThroughHarness } from './harness-runner.js'
import { harnessPath } from './harness.js'
import type { ExecutionRequest, ProcessReport } from './types.js'

/**
 * Runs a Node module's exported `main({ inputPaths, outputPaths, environVars, jobArgs })`
 * through the shipped harness (see `harness/node_harness.mjs`), in a child process of the
 * same Node binary that runs pipetest.
 */
export async function runNode(request: ExecutionRequest): Promise<ProcessReport> {
  // A Node script gets JavaScript numbers (the request is read with JSON.parse).
  return runThroughHarness(
    { ...request, jobArgs: toPlainJson(request.jobArgs) as Record<string, unknown> },
    { file: process.execPath, label: `Node.js (${process.execPath})` },
    harnessPath('node_harness.mjs'),
  )
}
