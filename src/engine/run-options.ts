import { availableParallelism } from 'node:os'
import type { CacheSetting } from '../cache/index.js'
import { PipetestError } from '../errors.js'
import type { PipelineEvent } from './events.js'
import { DEFAULT_KEEP_RUNS } from './workspace.js'

export interface RunOptions {
  /** Executions running at once; default: the machine's cores (`os.availableParallelism()`). */
  concurrency?: number
  /** Python interpreter; default `python3`. A spec's `python` wins. */
  python?: string
  /**
   * Python scripts are forked from a worker that has imported their libraries once (see
   * README "Performance"). Unset: so they are, except in a run with a single Python script,
   * which a worker's start cannot pay for (unless one is running already); true: always
   * (where a fork is equivalent); false, or PIPETEST_PYTHON_WORKER=0: a fresh interpreter
   * for every execution.
   */
  pythonWorker?: boolean
  /** Per-execution timeout; default 300 s. A spec's `timeoutSeconds` wins. */
  timeoutSeconds?: number
  /** Aborting it kills every running process tree. */
  signal?: AbortSignal
  /** Run folders kept under `<testDataDir>/.pipetest/runs`; default 5. */
  keepRuns?: number
  /**
   * Runs that ended less than this long ago are never pruned, whatever `keepRuns` says, so
   * the folders named by one test session's failure messages survive that session's other
   * runs. Default: 15 minutes; 0 turns it off.
   */
  keepRecentRunsMs?: number
  /** Name of this run's folder; default: a sortable timestamp + pid + random suffix. */
  runId?: string
  onEvent?: (event: PipelineEvent) => void
  /**
   * The execution cache (src/cache): on by default; `false` turns it off, an object sets its
   * folder and size. PIPETEST_CACHE=0 in the environment turns it off whatever this says.
   */
  cache?: CacheSetting
}

export const DEFAULT_PYTHON = 'python3'
export const DEFAULT_TIMEOUT_SECONDS = 300
export const DEFAULT_KEEP_RECENT_RUNS_MS = 15 * 60_000

export interface ResolvedRunOptions extends Required<
  Pick<RunOptions, 'concurrency' | 'python' | 'timeoutSeconds' | 'keepRuns' | 'keepRecentRunsMs'>
> {
  /** 'if-running': unset, in a run with a single Python execution (see PipelineRun). */
  pythonWorker: boolean | 'if-running'
}

/** Defaults applied and numbers checked once, so a typo fails at construction, not mid-run. */
export function resolveRunOptions(options: RunOptions): ResolvedRunOptions {
  const concurrency = options.concurrency ?? availableParallelism()
  if (!Number.isInteger(concurrency) || concurrency < 1)
    throw usage('concurrency', concurrency, 'a positive integer')
  const timeoutSeconds = options.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS
  if (!(timeoutSeconds > 0)) throw usage('timeoutSeconds', timeoutSeconds, 'a positive number')
  const keepRuns = options.keepRuns ?? DEFAULT_KEEP_RUNS
  if (!Number.isInteger(keepRuns) || keepRuns < 1)
    throw usage('keepRuns', keepRuns, 'a positive integer')
  const keepRecentRunsMs = options.keepRecentRunsMs ?? DEFAULT_KEEP_RECENT_RUNS_MS
  if (!(keepRecentRunsMs >= 0))
    throw usage('keepRecentRunsMs', keepRecentRunsMs, 'zero or a positive number of milliseconds')
  return {
    concurrency,
    python: options.python ?? DEFAULT_PYTHON,
    pythonWorker: options.pythonWorker ?? true,
    timeoutSeconds,
    keepRuns,
    keepRecentRunsMs,
  }
}

function usage(field: string, value: unknown, expected: string): PipetestError {
  return new PipetestError('USAGE', `Invalid run option ${field}: ${JSON.stringify(value)}`, {
    field,
    hint: `Set ${field} to ${expected}, or leave it out for the default.`,
  })
}
