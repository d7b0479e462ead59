import { PipelineRun } from '../engine/pipeline-run.js'
import type { RunOptions } from '../engine/run-options.js'
import { parentGone } from '../engine/runner-facts.js'
import type { PipelineTestingSpec } from '../spec/index.js'

/**
 * One PipelineRun per pipeline (DAG, project root, test data dir, interpreter, timeout) per
 * process — per test file under Vitest's and Jest's module isolation — so generated tests and
 * hand-written `runScript` calls on the same pipeline share executions instead of running a
 * script twice.
 */
export interface SharedPipeline {
  key: string
  pipelineName: string
  pipelineSpec: PipelineTestingSpec
  runOptions: RunOptions
  run: PipelineRun | undefined
  /** The current run was cut short: its folder is marked interrupted when it is closed. */
  interrupted: boolean
}

const pipelines = new Map<string, SharedPipeline>()

/** The run options a plan or helper was given. */
type GivenRunOptions = Pick<
  RunOptions,
  'concurrency' | 'python' | 'timeoutSeconds' | 'cache' | 'pythonWorker'
>

/**
 * The registered pipeline of `pipelineSpec` run with `options`, registered on first use. It is
 * keyed by what changes what an execution does (the DAG, the folders, the interpreter, the
 * timeout); concurrency, the cache and the worker only change speed, so the first one's win.
 */
export function registerPipeline(
  pipelineSpec: PipelineTestingSpec,
  options: GivenRunOptions,
  pipelineName = pipelineSpec.dag.name ?? 'pipeline',
): SharedPipeline {
  const { dag, rootDir, testWorkspaceRoot, scriptSpecs } = pipelineSpec
  // A DAG given as an object (or built around a spec object by runScript) has no file to
  // name it: its content and its specs do.
  const dagIdentity = dag.file ?? JSON.stringify([dag.baseDir, dag.toJSON(), scriptSpecs])
  const identity = [dagIdentity, rootDir, testWorkspaceRoot, options.python, options.timeoutSeconds]
  const key = JSON.stringify(identity.map((part) => part ?? null))
  let entry = pipelines.get(key)
  if (!entry) {
    // Unset options are undefined here: the engine reads each with its default.
    const { cache, pythonWorker, concurrency, python, timeoutSeconds } = options
    const runOptions = { cache, pythonWorker, concurrency, python, timeoutSeconds }
    entry = { key, pipelineName, pipelineSpec, runOptions, run: undefined, interrupted: false }
    pipelines.set(key, entry)
  }
  return entry
}

/** The pipeline's run, started on first use. */
export function sharedRunOf(entry: SharedPipeline): PipelineRun {
  entry.run ??= new PipelineRun(entry.pipelineSpec, entry.runOptions)
  return entry.run
}

/** Kills what the pipeline's run has running and remembers that the run was cut short. */
export function interruptSharedRun(entry: SharedPipeline, reason?: string): void {
  if (!entry.run) return
  entry.interrupted = true
  entry.run.abort(reason)
}

/**
 * Closes the pipeline's run (old runs pruned); the next use starts a new one. Its folder is
 * marked complete, or interrupted when the run was cut short — interrupted by the adapter, or
 * its executions aborted because the process that started this worker has gone.
 */
export async function closeSharedRun(entry: SharedPipeline): Promise<void> {
  const run = entry.run
  const interrupted = entry.interrupted || parentGone().aborted
  entry.run = undefined
  entry.interrupted = false
  await run?.close(interrupted ? 'interrupted' : 'complete')
}

/** Closes every shared run of this process (adapters call it after a test file). */
export async function closeSharedRuns(): Promise<void> {
  await Promise.all([...pipelines.values()].map((entry) => closeSharedRun(entry)))
}

/** Pipelines registered so far, most recent last. */
export function registeredPipelines(): SharedPipeline[] {
  return [...pipelines.values()]
}
