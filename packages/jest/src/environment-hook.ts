/**
 * The channel between the adapter, which runs inside Jest's sandbox, and `PipetestEnvironment`,
 * which runs outside it. The environment puts the hook on the sandbox's global object under a
 * registered symbol (the symbol registry is shared by every realm of the process); the adapter
 * looks it up and works without it when the user did not configure the environment.
 */
export const ENVIRONMENT_HOOK: unique symbol = Symbol.for('@pipetest/jest/environment')

/** What the environment needs of a run: stop its processes, wait for them. A suite plan is one. */
export interface OwnedRun {
  abort(reason?: string): void
  close(): Promise<void>
}

export interface EnvironmentHook {
  /** The environment aborts the run at teardown, killing every process it still has alive. */
  registerRun(run: OwnedRun): void
  /**
   * A recorder of properties (node, script, runner, exit code…) bound to the test running now.
   * Take it when the test starts: its verdict may arrive after Jest has moved on (a timeout).
   */
  propertiesRecorder(): (properties: Record<string, string>) => void
  /**
   * Whether the test declared with this function will run (not filtered out by `-t`, `.only`
   * or `.skip`); known from the start of the run, so a `beforeAll` can start only what is needed.
   */
  willRun(testFn: unknown): boolean
  /**
   * How the test declared with `testFn` ends, known before its body runs: at `test_start` the
   * environment awaits it and turns a test blocked by a failed upstream node into a skipped
   * one (Jest cannot skip a test from inside it).
   */
  registerVerdict(testFn: unknown, verdict: () => Promise<EarlyVerdict>): void
}

/** The part of a case's verdict the environment acts on. */
export interface EarlyVerdict {
  status: 'passed' | 'failed' | 'blocked'
  properties: Record<string, string>
}

export function environmentHookOf(global: object): EnvironmentHook | undefined {
  return (global as { [ENVIRONMENT_HOOK]?: EnvironmentHook })[ENVIRONMENT_HOOK]
}
