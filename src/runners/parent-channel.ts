/**
 * A forked worker (Vitest's forks pool, a library host started with `fork()`) reports to the
 * process that started it over an IPC channel. When that process goes away without stopping its workers — Vitest
 * answers Ctrl-C and SIGTERM with an immediate `process.exit()` — the channel closes but the
 * worker lives on, and so would its scripts, until their own timeouts, with nobody left to
 * read their results. A closed channel is therefore our cue to stop: the signal below aborts,
 * every running execution kills its process group (SIGTERM, then SIGKILL after the grace
 * period) and ends as aborted, and no new one starts.
 *
 * A program that forks a pipetest host and deliberately disconnects from it mid-run gets the
 * same treatment: nothing distinguishes that from the parent's death. Inside a Jest test file
 * `process` is the sandbox's copy, whose events never fire: there the watchdog (see
 * group-watchdog.ts) covers the worker's death, and only the test environment, outside the
 * sandbox, could see the disconnect.
 */
export const PARENT_GONE_REASON = 'the process that started this worker went away'

const gone = new AbortController()
let watching = false

/**
 * Aborted once this process's IPC channel to its parent has closed; never, in a process that
 * has no such channel (the CLI, a library host, a worker thread). The first call starts
 * listening; the abort is final, as a closed channel never reopens.
 */
export function parentGone(): AbortSignal {
  // `connected` is a boolean exactly when the process was started with an IPC channel.
  // (`process.send` is no such sign: Jest's sandbox stubs it in every test file.)
  if (!watching && typeof process.connected === 'boolean') {
    watching = true
    // Listening costs nothing and holds no handle: the channel itself is what keeps us alive.
    if (process.connected) process.once('disconnect', () => gone.abort(PARENT_GONE_REASON))
    else gone.abort(PARENT_GONE_REASON)
  }
  return gone.signal
}
