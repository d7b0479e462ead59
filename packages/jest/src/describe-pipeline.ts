import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import {
  isPipetestError,
  planPipelineSuite,
  verdictError,
  type CaseVerdict,
  type DagSource,
  type PipelineSuiteOptions,
  type PipelineSuitePlan,
  type SuiteCase,
} from 'pipetest'
import { environmentHookOf, type EnvironmentHook } from './environment-hook.js'

/** Time for `afterAll` to kill what is left of a run and mark its folder. */
export const CLOSE_TIMEOUT_MS = 60_000

/**
 * Declares the tests of one pipeline: `specs` (one per node: spec complete, script found),
 * `scripts` (one per node: runs and writes its outputs), `compatibility` (one per edge: the
 * downstream runs on the upstream's real outputs) and `flow` (the whole DAG). The DAG and the
 * specs are read synchronously, as Jest requires of `describe`; scripts run only inside tests.
 *
 * Jest cannot skip a test once it runs, so a test whose upstream failed fails with one line,
 * `blocked by <node> (see its own test)`. With `testEnvironment: '@pipetest/jest/environment'`
 * each test's node, script, runner, exit code, duration and run folder reach jest-junit, and
 * every script still running when the file ends is killed.
 *
 * @example
 * import { describePipeline } from '@pipetest/jest'
 * describePipeline('pipelines/fraud.dag.json', { testDataDir: 'test/integration/runtime' })
 */
export function describePipeline(
  dag: DagSource,
  options: PipelineSuiteOptions = {},
): PipelineSuitePlan {
  const plan = planWithoutOurStack(dag, options)
  const hook = environmentHookOf(globalThis)
  hook?.registerRun(plan)
  describe(plan.name, () => {
    const testFns = new Map<SuiteCase, () => Promise<void>>()
    // Start the executions of every test that will run at once (bounded by `concurrency`);
    // the tests then report one by one as their results arrive.
    beforeAll(() => {
      plan.prefetch([...testFns].filter(([, fn]) => hook?.willRun(fn) ?? true).map(([c]) => c))
    })
    // Whatever still runs now belongs to no test (one that timed out): stop it, keep the folder.
    afterAll(async () => {
      plan.abort(`the tests of ${plan.name} finished`)
      await plan.close()
    }, CLOSE_TIMEOUT_MS)
    if (plan.emptyBecause !== undefined) test.skip(plan.emptyBecause, () => undefined)
    for (const group of plan.groups) {
      describe(group.title, () => {
        for (const testCase of group.cases) {
          // One verdict per test, shared by the environment (which skips a blocked test
          // before it starts) and the test body.
          let verdict: Promise<CaseVerdict> | undefined
          const verdictOf = () => (verdict ??= plan.runCase(testCase))
          const fn = () => runCase(verdictOf, hook)
          testFns.set(testCase, fn)
          hook?.registerVerdict(fn, verdictOf)
          test(testCase.name, fn, testCase.timeoutMs)
        }
      })
    }
  })
  return plan
}

async function runCase(
  verdictOf: () => Promise<CaseVerdict>,
  hook: EnvironmentHook | undefined,
): Promise<void> {
  const record = hook?.propertiesRecorder()
  const verdict = await verdictOf()
  record?.(verdict.properties)
  if (verdict.status === 'failed') throw verdictError(verdict.message)
  matchSnapshots(verdict)
  // Without pipetest's environment nothing can skip it now: fail in one line that points at
  // the cause without repeating it.
  if (verdict.status === 'blocked') throw verdictError(`${verdict.message} (see its own test)`)
}

/**
 * Every output is compared (and written by -u) even when an earlier one differs; the first
 * difference fails the test with Jest's own diff.
 */
function matchSnapshots(verdict: CaseVerdict): void {
  let first: unknown
  for (const { hint, snapshot } of verdict.snapshots ?? []) {
    try {
      expect(snapshot).toMatchSnapshot(hint)
    } catch (error) {
      first ??= error
    }
  }
  if (first !== undefined) throw first
}

/**
 * A DAG that cannot be loaded fails the file with the PipetestError's message, not our frames.
 * An empty stack is how Jest itself marks such errors: it then prints the message once.
 */
function planWithoutOurStack(dag: DagSource, options: PipelineSuiteOptions): PipelineSuitePlan {
  try {
    return planPipelineSuite(dag, options)
  } catch (error) {
    if (isPipetestError(error)) error.stack = ''
    throw error
  }
}
