import { rmSync } from 'node:fs'
import { join } from 'node:path'
import { cacheKeyOf, type ExecutionCache } from '../cache/index.js'
import { formatDuration } from '../text.js'
import { effectiveJobArgs, type RunnerKind } from '../spec/index.js'
import {
  describeOutput,
  messages,
  ranResult,
  type ExecutionIdentity,
  type RunnableExecution,
} from './execution-result.js'
import { readLogTail } from '../runners/log-tail.js'
import { discoverOutputs } from './outputs.js'
import type { ExecutionResult } from './results.js'
import { pipetestDirOf, prepareOutputPaths, type RunWorkspace } from './workspace.js'

/**
 * The engine's side of the execution cache (src/cache): the key of an execution about to run,
 * a hit restored into a fresh execution folder as if the script had just written it, and a
 * passed execution stored. The cache never decides whether a test passes: a restored
 * execution's outputs are discovered and checked exactly like a fresh one's.
 */

/** The key, or undefined when the node opts out or an input cannot be fingerprinted. */
export async function executionCacheKey(
  execution: RunnableExecution,
  runner: RunnerKind,
  python: string,
  cache: ExecutionCache,
  testDataDir: string,
): Promise<string | undefined> {
  const { spec } = execution
  if (spec.cache === false) return undefined
  const declared = typeof spec.cache === 'object' ? spec.cache : {}
  try {
    const { key } = await cacheKeyOf({
      rootDir: execution.cwd,
      runner,
      scriptPath: execution.scriptPath,
      python,
      command: spec.command,
      environVars: spec.environVars,
      jobArgs: effectiveJobArgs(spec, execution.node),
      workingDir: spec.workingDir,
      outputPaths: spec.outputPaths,
      inputs: execution.keyInputs,
      declared,
      exclude: [pipetestDirOf(testDataDir)],
      memoDir: cache.modulesDir,
    })
    return key
  } catch {
    // Unreadable or too large to fingerprint: run it, uncached, rather than fail the test.
    return undefined
  }
}

/**
 * The stored execution for `key` restored into a new execution folder, or undefined (no
 * entry, or a damaged one: the folder is then emptied again and the script runs).
 */
export async function restoreCached(
  execution: RunnableExecution,
  identity: ExecutionIdentity,
  key: string,
  cache: ExecutionCache,
  workspace: RunWorkspace,
): Promise<ExecutionResult | undefined> {
  const entry = cache.lookup(key)
  if (!entry) return undefined
  const began = performance.now()
  const startedAt = new Date().toISOString()
  const executionDir = workspace.createExecutionDir(execution.node, execution.purpose)
  if (!(await cache.restore(entry, executionDir))) {
    // The script runs in a folder of its own; this half-restored one must not look like a run.
    rmSync(executionDir, { recursive: true, force: true })
    return undefined
  }
  // Created after the restore, so a spec output the stored run did not have is still fresh.
  const outputPaths = prepareOutputPaths(executionDir, execution.spec.outputPaths)
  const outputs = discoverOutputs(outputPaths)
  const stdout = join(executionDir, 'stdout.log')
  const stderr = join(executionDir, 'stderr.log')
  const wrote = outputs.map(describeOutput).join(', ')
  const { runId, storedAt, durationMs } = entry
  return ranResult(identity, executionDir, outputs, {
    outcome: 'success',
    ...messages(
      `Restored from the cache (ran in ${formatDuration(durationMs)} in run ${runId})${wrote ? ` and wrote ${wrote}` : ''}.`,
      executionDir,
    ),
    exitCode: entry.exitCode,
    signal: null,
    durationMs: performance.now() - began,
    stdoutTail: await readLogTail(stdout),
    stderrTail: await readLogTail(stderr),
    logs: { stdout, stderr },
    startedAt,
    cacheKey: key,
    cached: { runId, executionDir: entry.executionDir, storedAt, durationMs },
  })
}

/** Stores a passed execution; a cache that cannot be written never fails the test. */
export async function storeExecution(
  result: ExecutionResult,
  key: string,
  cache: ExecutionCache,
  runId: string,
): Promise<boolean> {
  if (result.status !== 'passed') return false
  const { node, scriptName, runDir: executionDir, durationMs, exitCode } = result
  try {
    cache.ensure()
    const facts = { node, scriptName, runId, executionDir, durationMs, exitCode }
    return await cache.store(key, facts, executionDir)
  } catch {
    return false
  }
}
