import type { PipelineDAG } from '../dag/index.js'
import type { OutputSnapshot, SnapshotOptions } from '../data/index.js'
import type { PipelineRun } from '../engine/pipeline-run.js'
import type { ExecutionResult } from '../engine/results.js'
import type { PipelineTestingSpec } from '../spec/index.js'

/** The four tiers (ARCHITECTURE.md), in the order a pipeline's tests are listed. */
export type SuiteTier = 'specs' | 'scripts' | 'compatibility' | 'flow'

export interface PipelineSuiteOptions {
  /** Project root; relative spec paths and a relative DAG path are resolved against it. Default: `process.cwd()`. */
  rootDir?: string
  /** Test data dir (holds `.specs/` and `.pipetest/`), relative to `rootDir`. Default: `test/integration/runtime`. */
  testDataDir?: string
  /** Title of the pipeline's `describe` block. Default: `pipeline <DAG name>`. */
  name?: string
  /**
   * Which tiers get tests (RuntimeTestingConfiguration's flags). All default to true, except
   * `flow` when `nodes` leaves nodes out: the flow test runs the whole DAG, so a slice keeps
   * it only when asked for explicitly.
   */
  tiers?: { specs?: boolean; scripts?: boolean; compatibility?: boolean; flow?: boolean }
  /**
   * Only these nodes (and the edges between them) get specs, scripts and compatibility tests:
   * dbt-style selectors (`'+Train'`, `'Prep+'`, `'tag:nightly'`, a space unites, a comma
   * intersects; a list unites its entries) or a predicate.
   */
  nodes?: string | string[] | ((node: string) => boolean)
  /**
   * Only nodes whose script, imported local modules, spec file or input data changed since
   * this git ref (e.g. `'origin/main'`; `'HEAD'`: uncommitted changes), and everything
   * downstream; narrows `nodes`. Default: the `PIPETEST_CHANGED` environment variable.
   */
  changed?: string
  /** Scripts running at once. Default: `os.availableParallelism()`. */
  concurrency?: number
  /** Python interpreter. Default: `python3` (a spec's `python` wins). */
  python?: string
  /** Per-execution timeout when a spec sets none. Default: 300. */
  timeoutSeconds?: number
  /**
   * The execution cache: an unchanged script on unchanged inputs is restored, not run
   * (README, "Execution cache"). Default: on (PIPETEST_CACHE=0 turns it off); `false` turns it
   * off for this pipeline; `{ dir, maxSize }` places it (dir relative to the test data folder).
   */
  cache?: boolean | { dir?: string; maxSize?: number | string }
  /**
   * Fork Python scripts from a worker that has imported their libraries once. Default: true;
   * false (or PIPETEST_PYTHON_WORKER=0) starts a fresh interpreter for every execution.
   */
  pythonWorker?: boolean
  /** Write default specs for nodes that have none (as `pipetest init` does). Default: false. */
  persistDefaults?: boolean
  /**
   * Each `scripts` test also matches every output of its script against a snapshot, through
   * the framework's snapshot file (`-u` updates it); options normalise what would change from
   * run to run (see `toMatchOutputSnapshot`). Default: false.
   */
  snapshots?: boolean | SnapshotOptions
}

/**
 * What a generated test concluded. `blocked` means "not run because `blockedBy` failed":
 * Vitest reports it as skipped, Jest as a one-line failure.
 */
export interface CaseVerdict {
  status: 'passed' | 'failed' | 'blocked'
  /** Empty when passed; the whole failure report when failed; `blocked by <node>` when blocked. */
  message: string
  blockedBy?: string
  /** Reported per test (JUnit `<property>`): node, script, runner, exitCode, durationMs, runDir, … */
  properties: Record<string, string>
  /** Snapshots the test matches with the framework's `toMatchSnapshot(hint)` (passed scripts). */
  snapshots?: Array<{ hint: string; snapshot: OutputSnapshot }>
}

/** One generated test, framework-free: adapters map it to `test(name, fn, timeoutMs)`. */
export interface SuiteCase {
  name: string
  tier: SuiteTier
  node?: string
  edge?: { from: string; to: string }
  /**
   * A safe upper bound for the test (every execution it may wait on, at its timeout, plus a
   * margin): the engine enforces the real per-script timeouts, the framework's timeout only
   * stops a test that would otherwise hang forever.
   */
  timeoutMs: number
  /** False for the specs tier, which reads files and starts no process (nothing to prefetch). */
  usesRun: boolean
  run(run: PipelineRun): Promise<CaseVerdict>
  /**
   * The execution whose failure this case shows in full (a script's, an edge's downstream):
   * another case reporting the same failed execution names this one instead of repeating it.
   */
  execution?(run: PipelineRun): Promise<ExecutionResult | undefined>
}

export interface SuiteGroup {
  title: SuiteTier
  cases: SuiteCase[]
}

export interface PipelineSuitePlan {
  /** Title of the pipeline's `describe` block. */
  name: string
  /** The pipeline's own name (DAG name or file name), used in the flow test's name. */
  pipelineName: string
  dag: PipelineDAG
  pipelineSpec: PipelineTestingSpec
  /** Non-empty groups in tier order. */
  groups: SuiteGroup[]
  /**
   * Why there is no group at all when that is an answer, not a mistake (`changed`: no node
   * changed since the ref); adapters show it as one skipped test, since a test framework
   * fails a block without tests.
   */
  emptyBecause?: string
  /** The plan's shared run, created on first use; every case of the plan runs on it. */
  sharedRun(): PipelineRun
  /**
   * Starts the executions of `cases` (default: all) on the shared run without waiting, so
   * independent scripts run on every core while the framework reports tests one by one.
   * `cases` are the tests that will run: of those, the first to report a failed execution
   * shows its evidence, the others name it.
   */
  prefetch(cases?: SuiteCase[]): void
  /** Runs one case on the shared run. */
  runCase(testCase: SuiteCase): Promise<CaseVerdict>
  /** Kills every script the shared run still has running (leftovers of tests that ended). */
  abort(reason?: string): void
  /**
   * Aborts the shared run because the test run was cut short (cancelled, a test timed out):
   * closing it then marks its folder interrupted rather than complete.
   */
  interrupt(reason?: string): void
  /**
   * Marks the shared run's folder complete (interrupted after {@link interrupt}, or once the
   * worker's parent process has gone) and prunes old runs; a later case starts a new run.
   */
  close(): Promise<void>
  /** Absolute paths whose change should rerun the pipeline's tests: DAG, specs, scripts, inputs. */
  watchFiles(): string[]
}
