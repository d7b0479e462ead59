import type { DagSource } from '../dag/index.js'
import { isPipetestError } from '../errors.js'
import { planPipelineSuite } from './plan.js'
import type { CaseVerdict, PipelineSuiteOptions, PipelineSuitePlan, SuiteCase } from './types.js'
import { verdictError } from './user-error.js'

/**
 * What an adapter maps: its framework's `describe`/`test`/`beforeAll`, and how a running test
 * records properties and skips. The loop over the plan, the verdict each test shares with its
 * framework, when the executions start and what a verdict throws are the core's, once.
 */
export interface TestFramework<Context> {
  describe(title: string, body: () => void): void
  /**
   * Arranges for `prefetch` to run once before the pipeline's first test body (a `beforeAll`,
   * or the first test), told which cases will run (`-t`, `.only` and `.skip` leave others
   * out), so their executions start together.
   */
  beforeFirstTest(prefetch: (willRun: (testCase: SuiteCase) => boolean) => void): void
  /**
   * Declares one test whose body is `body`, bounded by `testCase.timeoutMs`. `verdict` is the
   * case's verdict, shared with the body: a framework may look at it before the body runs.
   */
  test(
    testCase: SuiteCase,
    body: (context: Context) => Promise<void>,
    verdict: () => Promise<CaseVerdict>,
  ): void
  /**
   * Taken when the test starts (its verdict may arrive after the framework moved on):
   * records the verdict's properties on the test (annotations, JUnit `<property>`).
   */
  recorder(context: Context): (properties: Record<string, string>) => Promise<void> | void
  /** Skips a blocked test from inside it; a framework that cannot throws its own one-liner. */
  skip(context: Context, message: string): never
  /** Declares a test reported skipped, named `title` (why a pipeline has nothing to test). */
  skipped(title: string): void
  /**
   * Matches a passed test's snapshots with the framework's own `toMatchSnapshot(hint)`, every
   * one of them (and each written by `-u`) even when an earlier one differs.
   */
  matchSnapshots(context: Context, snapshots: NonNullable<CaseVerdict['snapshots']>): void
  /**
   * Registers `finish` to run when the pipeline's describe block ends: it kills what still runs
   * (scripts of tests that timed out belong to no test) and closes the run. An adapter that
   * closes the run later (at the end of the file, to share it with hand-written tests) omits it.
   */
  afterAll?(finish: () => Promise<void>): void
  /** Aborted when the framework gives up on the test (timeout, cancelled run). */
  signal?(context: Context): AbortSignal | undefined
}

/**
 * Plans a pipeline's tests for an adapter. A DAG that cannot be loaded fails the test file
 * with the PipetestError's whole message (what, where, how to fix) and none of our frames:
 * a plain Error carries it, since Vitest serialises errors through `toJSON` (PipetestError's
 * keeps the first line only), and an empty stack is how Jest marks errors whose message is
 * the whole story (Vitest then prints the message alone too).
 */
export function planPipelineTests(
  dag: DagSource,
  options: PipelineSuiteOptions = {},
): PipelineSuitePlan {
  try {
    return planPipelineSuite(dag, options)
  } catch (error) {
    if (!isPipetestError(error)) throw error
    const failure = new Error(error.message)
    failure.name = error.name
    failure.stack = ''
    throw failure
  }
}

/**
 * Declares the plan's tests with `framework`: a describe block for the pipeline, one per
 * tier, one test per case.
 */
export function declarePipelineTests<Context>(
  plan: PipelineSuitePlan,
  framework: TestFramework<Context>,
): void {
  framework.describe(plan.name, () => {
    // Start the executions of every test that will run at once (bounded by `concurrency`);
    // the tests then report one by one as their results arrive.
    framework.beforeFirstTest((willRun) =>
      plan.prefetch(plan.groups.flatMap((group) => group.cases).filter(willRun)),
    )
    framework.afterAll?.(async () => {
      plan.abort(`the tests of ${plan.name} finished`)
      await plan.close()
    })
    if (plan.emptyBecause !== undefined) framework.skipped(plan.emptyBecause)
    for (const group of plan.groups) {
      framework.describe(group.title, () => {
        for (const testCase of group.cases) {
          let verdict: Promise<CaseVerdict> | undefined
          const verdictOf = () => (verdict ??= plan.runCase(testCase))
          framework.test(testCase, (context) => runCase(context), verdictOf)

          async function runCase(context: Context): Promise<void> {
            const record = framework.recorder(context)
            // Stop the scripts too when the framework gives up on the test, and have the run
            // folder say it was interrupted.
            const signal = framework.signal?.(context)
            const abort = () => plan.interrupt(`test "${testCase.name}" was aborted`)
            signal?.addEventListener('abort', abort, { once: true })
            let result: CaseVerdict
            try {
              result = await verdictOf()
            } finally {
              signal?.removeEventListener('abort', abort)
            }
            await record(result.properties)
            if (result.status === 'blocked') framework.skip(context, result.message)
            if (result.status === 'failed') throw verdictError(result.message)
            if (result.snapshots) framework.matchSnapshots(context, result.snapshots)
          }
        }
      })
    }
  })
}
