import { createRequire } from 'node:module'
import { setTimeout as delay } from 'node:timers/promises'
import type { EnvironmentContext, JestEnvironmentConfig } from '@jest/environment'
import type * as NodeEnvironmentModule from 'jest-environment-node'
import { onExit } from 'signal-exit'
import {
  ENVIRONMENT_HOOK,
  type EarlyVerdict,
  type EnvironmentHook,
  type OwnedRun,
} from './environment-hook.js'
import { testsThatWillRun, type CircusRunState } from './test-selection.js'
import {
  propertiesDirectory,
  writePropertiesFile,
  type TestCaseProperties,
} from './properties-store.js'

/** The part of jest-circus' test entry the environment reads. */
interface CircusTestEntry {
  name: string
  fn?: unknown
  /** `'skip'` set at `test_start` makes circus skip the test instead of running it. */
  mode?: string
  timeout?: number
  startedAt?: number | null
  duration?: number | null
  parent?: CircusDescribeBlock
}

interface CircusDescribeBlock {
  name: string
  parent?: CircusDescribeBlock
}

/** jest-circus' name for the implicit describe block every test file starts with. */
const ROOT_DESCRIBE_BLOCK = 'ROOT_DESCRIBE_BLOCK'

/** How long teardown waits for killed scripts to exit before letting Jest move on. */
const TEARDOWN_WAIT_MS = 10_000

/**
 * Node's environment of the Jest that is running: resolved from jest-runner (which has just
 * loaded this module, so it is in the require cache), not from this package, so a Jest 29
 * project never gets a Jest 30 environment however its packages were laid out. Outside a Jest
 * run (a script constructing the environment), from wherever it resolves.
 */
function runningJestNodeEnvironment(): typeof NodeEnvironmentModule {
  const runner = Object.keys(require.cache).find((path) =>
    /[\\/]jest-runner[\\/]build[\\/]/.test(path),
  )
  const load = runner === undefined ? require : createRequire(runner)
  return load('jest-environment-node') as typeof NodeEnvironmentModule
}

const { TestEnvironment } = runningJestNodeEnvironment()

/**
 * `testEnvironment: '@pipetest/jest/environment'` — Node's environment, plus ownership of the
 * pipeline runs of one test file: every run the adapter registers is aborted at teardown, or
 * when Jest is interrupted, so no script outlives its test file (one whose test timed out, one
 * started for a test that ended early); the properties of each generated test (node, script,
 * runner, exit code, duration, run folder) are written where `@pipetest/jest/junit-properties`
 * finds them for jest-junit; and it tells the adapter which tests will run (`-t`, `.only`).
 *
 * @example
 * // jest.config.cjs
 * module.exports = { testEnvironment: '@pipetest/jest/environment' }
 */
export class PipetestEnvironment extends TestEnvironment {
  readonly #testPath: string
  readonly #runs = new Set<OwnedRun>()
  /** Full name and start of a test (a file may repeat a name) → what was recorded for it. */
  readonly #properties = new Map<string, TestCaseProperties>()
  /** The same key → the test's duration as Jest reports it (set at `test_done`). */
  readonly #durations = new Map<string, number>()
  #currentTest: { fullName: string; startAt: number | null } | undefined
  /** Known from `run_start`; until then every test counts as selected. */
  #willRun: Set<unknown> | undefined
  /** Test function → its verdict, registered by the adapter when it declares the test. */
  readonly #verdicts = new Map<unknown, () => Promise<EarlyVerdict>>()
  #removeExitHook: (() => void) | undefined

  constructor(config: JestEnvironmentConfig, context: EnvironmentContext) {
    super(config, context)
    this.#testPath = context.testPath
    const hook: EnvironmentHook = {
      registerRun: (run) => {
        this.#runs.add(run)
        // An interrupted Jest (Ctrl-C, a signalled worker) never tears down, and the core's own
        // exit hook does not fire there: inside the sandbox `process` is Jest's copy of it. This
        // hook is on the real process.
        this.#removeExitHook ??= watchHost(() => this.#abortRuns('Jest was interrupted'))
      },
      propertiesRecorder: () => {
        const test = this.#currentTest
        // Outside a test (a hook, collection) there is no testcase to attach them to.
        if (test === undefined) return () => undefined
        const key = testKey(test)
        return (properties) => this.#properties.set(key, { ...test, properties: { ...properties } })
      },
      willRun: (testFn) => this.#willRun?.has(testFn) ?? true,
      registerVerdict: (testFn, verdict) => this.#verdicts.set(testFn, verdict),
    }
    ;(this.global as unknown as Record<symbol, unknown>)[ENVIRONMENT_HOOK] = hook
  }

  /**
   * jest-circus calls this for every event, after its own handler has updated the test, and
   * awaits it before going on: at `test_start`, before deciding whether to run the test.
   */
  async handleTestEvent(
    event: { name: string; test?: CircusTestEntry },
    state: CircusRunState,
  ): Promise<void> {
    if (event.name === 'run_start') {
      this.#willRun = testsThatWillRun(state)
    } else if (event.name === 'test_start' && event.test) {
      // The start time (set by circus just before) tells this test from a namesake in another
      // file in jest-junit's lookup: Jest reports it as the testcase's `startAt`.
      this.#currentTest = {
        fullName: fullNameOf(event.test),
        startAt: event.test.startedAt ?? null,
      }
      await this.#skipIfBlocked(event.test)
    } else if (['test_done', 'test_skip', 'test_todo'].includes(event.name)) {
      // Jest 29 reports no `startAt` to jest-junit, only the duration (circus has just set it).
      const duration = event.name === 'test_done' ? event.test?.duration : undefined
      if (this.#currentTest && typeof duration === 'number')
        this.#durations.set(testKey(this.#currentTest), duration)
      this.#currentTest = undefined
    }
  }

  /**
   * A test whose upstream node failed is reported skipped, as under Vitest, with its
   * properties (`blockedBy`) for JUnit: circus checks the mode right after `test_start`.
   * Waiting longer than the test's own timeout leaves the decision to the test body.
   */
  async #skipIfBlocked(test: CircusTestEntry): Promise<void> {
    const verdictOf = this.#verdicts.get(test.fn)
    if (verdictOf === undefined || test.mode === 'skip' || !(this.#willRun?.has(test.fn) ?? true))
      return
    const verdict = await withinMs(
      verdictOf().catch(() => undefined),
      test.timeout ?? TEARDOWN_WAIT_MS,
    )
    if (verdict?.status !== 'blocked') return
    const current = this.#currentTest
    if (current)
      this.#properties.set(testKey(current), { ...current, properties: verdict.properties })
    test.mode = 'skip'
  }

  /** Kills the processes of every registered run (their executions end as aborted). */
  #abortRuns(reason: string): OwnedRun[] {
    const runs = [...this.#runs]
    this.#runs.clear()
    for (const run of runs) run.abort(reason)
    return runs
  }

  override async teardown(): Promise<void> {
    this.#removeExitHook?.()
    const runs = this.#abortRuns('the test file finished')
    // Wait until the killed process trees are gone (closing settles every execution), but never
    // let a stuck close hold the worker: the kill signals are already sent.
    await withinMs(Promise.allSettled(runs.map((run) => run.close())), TEARDOWN_WAIT_MS)
    if (this.#properties.size > 0) {
      writePropertiesFile(propertiesDirectory(), {
        testPath: this.#testPath,
        tests: [...this.#properties].map(([key, test]) => ({
          ...test,
          duration: this.#durations.get(key) ?? null,
        })),
      })
    }
    await super.teardown()
  }
}

function testKey(test: { fullName: string; startAt: number | null }): string {
  return `${test.fullName}\n${test.startAt}`
}

/** What `promise` settles to, or undefined after `ms` (an unreferenced timer keeps no one waiting). */
function withinMs<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  return Promise.race([promise, delay(ms, undefined, { ref: false })])
}

/** Jest's `fullName`: the describe titles and the test title, joined by spaces. */
function fullNameOf(test: CircusTestEntry): string {
  const titles = [test.name]
  for (let block = test.parent; block && block.name !== ROOT_DESCRIBE_BLOCK; block = block.parent) {
    titles.unshift(block.name)
  }
  return titles.join(' ')
}

export { PipetestEnvironment as TestEnvironment }
export default PipetestEnvironment

/**
 * Calls `abort` when the host goes away: the process exits or is signalled, or — in a Jest
 * worker — the parent that talks to it over IPC disconnects (Jest's main process killed), which
 * the core's own disconnect watch cannot see from inside the sandbox. Returns the unhook.
 */
function watchHost(abort: () => void): () => void {
  const removeExitHook = onExit(abort)
  const hasParent = typeof process.connected === 'boolean'
  if (hasParent) process.once('disconnect', abort)
  return () => {
    removeExitHook()
    if (hasParent) process.off('disconnect', abort)
  }
}
