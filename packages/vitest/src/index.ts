/**
 * @pipetest/vitest — every node, edge and the whole flow of a data/ML pipeline as Vitest
 * tests, plus matchers for hand-written ones. A facade: planning, running and failure
 * messages live in the core (`pipetest`); this file maps them onto describe/test.
 */
import { afterAll, createExpect, describe, expect, inject, test } from 'vitest'
import type { RunnerTestSuite } from 'vitest'
import {
  closeSharedRuns,
  isPipetestError,
  outputSnapshotMatcher,
  pipetestMatchers,
  planPipelineSuite,
  verdictError,
  type DagSource,
  type PipelineSuiteOptions,
  type PipelineSuitePlan,
  type PipetestMatchers,
  type SuiteCase,
} from 'pipetest'
import { recordWatchedFiles, WATCH_DIR_KEY } from './watch-manifest.js'

expect.extend({
  ...pipetestMatchers,
  // Vitest's own snapshot assertion, bound to the test the matcher runs in (its state carries
  // the task; concurrent tests too), so `-u`, obsolete snapshots and CI behave as usual.
  toMatchOutputSnapshot: outputSnapshotMatcher((state, snapshot, hint) => {
    const task = (state as { task?: Parameters<typeof createExpect>[0] }).task
    ;(task ? createExpect(task) : expect)(snapshot).toMatchSnapshot(hint)
  }),
})

declare module 'vitest' {
  // Vitest ≥ 3.2 types `expect(…)`, `expect.*` and `expect.extend` from this one interface.
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type, @typescript-eslint/no-explicit-any
  interface Matchers<T = any> extends PipetestMatchers<T> {}
}

export { outputSnapshot, readOutput, runPipeline, runScript, pipetestMatchers } from 'pipetest'
export type {
  CaseVerdict,
  PipelineSuiteOptions,
  PipelineSuitePlan,
  PipetestMatchers,
  RunHelperOptions,
  ScriptOverrides,
  OutputData,
  OutputSnapshot,
  SnapshotOptions,
  DataRow,
} from 'pipetest'

/**
 * Declares the tests of one pipeline: `specs` (one per node: spec complete, script found),
 * `scripts` (one per node: runs and writes its outputs), `compatibility` (one per edge: the
 * downstream runs on the upstream's real outputs) and `flow` (the whole DAG). Tests whose
 * upstream failed are skipped with "blocked by <node>"; each test records node, script,
 * runner, exit code, duration and run folder as annotations (JUnit `<property>` elements).
 * Call it several times for several pipelines.
 *
 * @example
 * import { describePipeline } from '@pipetest/vitest'
 * describePipeline('pipelines/fraud.dag.json', { testDataDir: 'test/integration/runtime' })
 */
export function describePipeline(
  dag: DagSource,
  options: PipelineSuiteOptions = {},
): PipelineSuitePlan {
  const plan = planWithoutOurStack(dag, options)
  recordWatchManifest(plan)
  let prefetched = false
  // Closed at the end of the enclosing block (the file, usually) rather than of the pipeline's
  // own: a second describePipeline or hand-written tests on the same pipeline share the run.
  afterAll(() => plan.close())
  describe(plan.name, () => {
    if (plan.emptyBecause !== undefined) test.skip(plan.emptyBecause)
    for (const group of plan.groups) {
      describe(group.title, () => {
        for (const testCase of group.cases) {
          test(
            testCase.name,
            (context) => {
              // At the first test, start every selected execution at once (bounded by
              // `concurrency`); the tests then report one by one as results arrive. Tests
              // filtered out (-t, .only elsewhere) are not run.
              if (!prefetched) {
                prefetched = true
                plan.prefetch(selectedCases(plan, context.task.suite?.suite))
              }
              return runCase(plan, testCase, context)
            },
            testCase.timeoutMs,
          )
        }
      })
    }
  })
  return plan
}

// Hand-written `runScript`/`runPipeline` calls share runs with the generated tests; close
// them when the file is done. Registered when the module is evaluated, i.e. once per test file
// under Vitest's default isolation. Outside a Vitest collection there is nothing to close.
try {
  afterAll(() => closeSharedRuns())
} catch {
  // not collecting a test file
}

interface CaseContext {
  expect: typeof expect
  signal: AbortSignal
  annotate(message: string, type?: string): Promise<unknown>
  skip(note?: string): never
}

async function runCase(plan: PipelineSuitePlan, testCase: SuiteCase, context: CaseContext) {
  // Vitest aborts the signal on timeout or when the run is cancelled: stop the scripts too,
  // and have the run folder say it was interrupted.
  const abort = () => plan.interrupt(`test "${testCase.name}" was aborted`)
  context.signal.addEventListener('abort', abort, { once: true })
  let verdict
  try {
    verdict = await plan.runCase(testCase)
  } finally {
    context.signal.removeEventListener('abort', abort)
  }
  // Vitest's junit reporter writes each annotation as <property name=type value=message>.
  for (const [name, value] of Object.entries(verdict.properties)) {
    await annotateWithoutLocation(context, name, value)
  }
  if (verdict.status === 'blocked') context.skip(verdict.message)
  if (verdict.status === 'failed') throw verdictError(verdict.message)
  // Soft: every output is compared (and updated by -u) even when an earlier one differs.
  for (const { hint, snapshot } of verdict.snapshots ?? []) {
    context.expect.soft(snapshot).toMatchSnapshot(hint)
  }
}

/**
 * `context.annotate`, without the stack trace it captures to locate the call in the test file.
 * Here that stack never has a frame of the test file (we annotate after awaiting the run), so
 * the location is always empty, and parsing it — source-mapped, in Vitest's worker — was most
 * of what ~7 annotations per test cost: 10–15 % of a 20-node pipeline's test time (measured
 * on Vitest 4; even two frames cost as much as the full stack). The stack is taken
 * synchronously inside `annotate`, so the limit is back before anything else runs.
 * Vitest 3.2 reads a frame unconditionally and throws on an empty stack: from the first such
 * error on, it gets its frames.
 */
let annotationNeedsFrames = false

function annotateWithoutLocation(context: CaseContext, type: string, message: string) {
  if (annotationNeedsFrames) return context.annotate(message, type)
  const limit = Error.stackTraceLimit
  Error.stackTraceLimit = 0
  try {
    return context.annotate(message, type)
  } catch (error) {
    if (!(error instanceof TypeError)) throw error
    annotationNeedsFrames = true
    Error.stackTraceLimit = limit
    return context.annotate(message, type)
  } finally {
    Error.stackTraceLimit = limit
  }
}

/**
 * A DAG that cannot be loaded fails the file with the whole PipetestError message (what,
 * where, how to fix) and none of our frames. A plain Error carries it: Vitest serialises
 * errors through `toJSON`, and PipetestError's keeps only the first line.
 */
function planWithoutOurStack(dag: DagSource, options: PipelineSuiteOptions): PipelineSuitePlan {
  try {
    return planPipelineSuite(dag, options)
  } catch (error) {
    if (!isPipetestError(error)) throw error
    const failure = new Error(error.message)
    failure.name = error.name
    failure.stack = `${error.name}: ${error.message}`
    throw failure
  }
}

/** The cases whose tests will run: `-t` filters and `.only` elsewhere mark the others skipped. */
function selectedCases(plan: PipelineSuitePlan, suite: RunnerTestSuite | undefined): SuiteCase[] {
  const all = plan.groups.flatMap((group) => group.cases)
  if (suite === undefined) return all
  const selected: SuiteCase[] = []
  for (const group of plan.groups) {
    const groupSuite = suite.tasks.find(
      (task) => task.type === 'suite' && task.name === group.title,
    )
    if (groupSuite?.type !== 'suite') continue
    for (const testCase of group.cases) {
      const task = groupSuite.tasks.find((candidate) => candidate.name === testCase.name)
      if (task && task.mode !== 'skip' && task.mode !== 'todo') selected.push(testCase)
    }
  }
  return selected
}

function recordWatchManifest(plan: PipelineSuitePlan): void {
  // Provided by the pipetest() plugin; without it watch mode cannot help, so write nothing.
  const watchDir = (inject as (key: string) => unknown)(WATCH_DIR_KEY)
  const testFile = expect.getState().testPath
  if (typeof watchDir !== 'string' || testFile === undefined) return
  recordWatchedFiles(watchDir, testFile, plan.name, plan.watchFiles())
}
