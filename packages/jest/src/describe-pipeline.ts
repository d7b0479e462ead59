import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import type { DagSource, PipelineSuiteOptions, PipelineSuitePlan } from 'pipetest'
import {
  declarePipelineTests,
  planPipelineTests,
  verdictError,
  type SuiteCase,
} from 'pipetest/internal'
import { environmentHookOf } from './environment-hook.js'

/** Time for `afterAll` to kill what is left of a run and mark its folder. */
export const CLOSE_TIMEOUT_MS = 60_000

/**
 * Declares the tests of one pipeline: `specs` (one per node: spec complete, script found),
 * `scripts` (one per node: runs and writes its outputs), `compatibility` (one per edge: the
 * downstream runs on the upstream's real outputs) and `flow` (the whole DAG). The DAG and the
 * specs are read synchronously, as Jest requires of `describe`; scripts run only inside tests.
 *
 * With `testEnvironment: '@pipetest/jest/environment'` a test whose upstream failed is skipped
 * (the environment decides before it starts; Jest cannot skip from inside a test), and each
 * test's node, script, runner, exit code, duration and run folder reach jest-junit; every
 * script still running when the file ends is killed. Without it a blocked test fails with one
 * line, `blocked by <node> (see its own test)`.
 *
 * @example
 * import { describePipeline } from '@pipetest/jest'
 * describePipeline('pipelines/fraud.dag.json', { testDataDir: 'test/integration/runtime' })
 */
export function describePipeline(
  dag: DagSource,
  options: PipelineSuiteOptions = {},
): PipelineSuitePlan {
  const plan = planPipelineTests(dag, options)
  const hook = environmentHookOf(globalThis)
  hook?.registerRun(plan)
  const testFns = new Map<SuiteCase, () => Promise<void>>()
  declarePipelineTests<undefined>(plan, {
    describe,
    afterAll: (finish) => afterAll(finish, CLOSE_TIMEOUT_MS),
    // Before the environment awaits the first test's verdict at `test_start`.
    beforeFirstTest: (prefetch) =>
      beforeAll(() => prefetch((testCase) => hook?.willRun(testFns.get(testCase)) ?? true)),
    test: (testCase, body, verdict) => {
      // No parameter: Jest would take one for a `done` callback.
      const fn = () => body(undefined)
      testFns.set(testCase, fn)
      // The environment awaits it at `test_start` and skips a blocked test before it runs.
      hook?.registerVerdict(fn, verdict)
      test(testCase.name, fn, testCase.timeoutMs)
    },
    recorder: () => hook?.propertiesRecorder() ?? (() => undefined),
    // Without pipetest's environment nothing can skip it now: fail in one line that points at
    // the cause without repeating it.
    skip: (_context, message) => {
      throw verdictError(`${message} (see its own test)`)
    },
    skipped: (title) => test.skip(title, () => undefined),
    // The first difference fails the test with Jest's own diff.
    matchSnapshots: (_context, snapshots) => {
      let first: unknown
      for (const { hint, snapshot } of snapshots) {
        try {
          expect(snapshot).toMatchSnapshot(hint)
        } catch (error) {
          first ??= error
        }
      }
      if (first !== undefined) throw first
    },
  })
  return plan
}
