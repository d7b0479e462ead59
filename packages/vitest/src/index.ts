/**
 * @pipetest/vitest — every node, edge and the whole flow of a data/ML pipeline as Vitest
 * tests, plus matchers for hand-written ones. A facade: planning, running and failure
 * messages live in the core (`pipetest`); this file maps them onto describe/test.
 */
import { afterAll, createExpect, describe, expect, inject, test } from 'vitest'
import type { RunnerTestSuite, TestContext } from 'vitest'
import {
  pipetestMatchers,
  type DagSource,
  type PipelineSuiteOptions,
  type PipelineSuitePlan,
  type PipetestMatchers,
} from 'pipetest'
import {
  closeSharedRuns,
  declarePipelineTests,
  outputSnapshotMatcher,
  planPipelineTests,
  type SuiteCase,
} from 'pipetest/internal'
import { recordProperties } from './junit-properties.js'
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
  DataRow,
  OutputSnapshot,
  SnapshotOptions,
} from 'pipetest'

/**
 * Declares the tests of one pipeline: `specs` (one per node: spec complete, script found),
 * `scripts` (one per node: runs and writes its outputs), `compatibility` (one per edge: the
 * downstream runs on the upstream's real outputs) and `flow` (the whole DAG). Tests whose
 * upstream failed are skipped with "blocked by <node>"; each test records node, script,
 * runner, exit code, duration and run folder as JUnit `<property>` elements (written by the
 * `@pipetest/vitest/junit` reporter).
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
  const plan = planPipelineTests(dag, options)
  recordWatchManifest(plan)
  // Closed at the end of the enclosing block (the file, usually) rather than of the pipeline's
  // own: a second describePipeline or hand-written tests on the same pipeline share the run.
  afterAll(() => plan.close())
  // At the first test, whose context knows which tests will run (a `beforeAll` is handed the
  // suite as its first argument by Vitest 3 and its second by Vitest 4).
  let prefetch: ((willRun: (testCase: SuiteCase) => boolean) => void) | undefined
  declarePipelineTests<TestContext>(plan, {
    describe,
    beforeFirstTest: (start) => {
      prefetch = start
    },
    test: (testCase, body) =>
      test(
        testCase.name,
        (context) => {
          const start = prefetch
          prefetch = undefined
          if (start) {
            const willRun = casesThatWillRun(plan, context.task.suite?.suite)
            start((candidate) => willRun?.has(candidate) ?? true)
          }
          return body(context)
        },
        testCase.timeoutMs,
      ),
    // Read by @pipetest/vitest/junit; annotations would flood the default reporter's failures.
    recorder: (context) => (properties) => recordProperties(context.task, properties),
    skip: (context, message) => context.skip(message),
    skipped: (title) => test.skip(title),
    // Soft: every output is compared (and updated by -u) even when an earlier one differs.
    matchSnapshots: (context, snapshots) => {
      for (const { hint, snapshot } of snapshots)
        context.expect.soft(snapshot).toMatchSnapshot(hint)
    },
    signal: (context) => context.signal,
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

/** The cases whose tests will run: `-t` filters and `.only` elsewhere mark the others skipped. */
function casesThatWillRun(
  plan: PipelineSuitePlan,
  suite: RunnerTestSuite | undefined,
): Set<SuiteCase> | undefined {
  if (suite === undefined) return undefined
  const selected = new Set<SuiteCase>()
  for (const group of plan.groups) {
    const groupSuite = suite.tasks.find(
      (task) => task.type === 'suite' && task.name === group.title,
    )
    if (groupSuite?.type !== 'suite') continue
    for (const testCase of group.cases) {
      const task = groupSuite.tasks.find((candidate) => candidate.name === testCase.name)
      if (task && task.mode !== 'skip' && task.mode !== 'todo') selected.add(testCase)
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
