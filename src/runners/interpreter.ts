import { probeProcess } from './process.js'

/** The oldest Python the harness is written for. */
const MIN_PYTHON: readonly [number, number] = [3, 8]
const PROBE_TIMEOUT_MS = 30_000
const PROBE_SCRIPT =
  'import sys; print(sys.executable); print("%d.%d" % (sys.version_info[0], sys.version_info[1]))'

/** The configured Python cannot be used; `message` names it and says how to pick another. */
export class InterpreterNotFoundError extends Error {
  override readonly name = 'InterpreterNotFoundError'
  constructor(
    readonly interpreter: string,
    reason: string,
  ) {
    super(
      `${reason} Install it, or choose another interpreter: the --python option, the run option "python", or the "python" field of the script's spec (e.g. "python": "/usr/bin/python3").`,
    )
  }
}

const resolved = new Map<string, Promise<string>>()

/**
 * The real executable behind a configured Python name, found once per process and name.
 * A pyenv or asdf shim costs about 0.1 s per start (it is itself a script that picks a
 * version); asking the interpreter for `sys.executable` once and starting that directly
 * removes the cost from every execution. A virtualenv's `bin/python` reports itself, so the
 * environment is kept. Rejects with {@link InterpreterNotFoundError} when the name cannot
 * run or is older than Python 3.8.
 *
 * @example
 *   await resolvePython('python3') // '/home/me/.pyenv/versions/3.11.7/bin/python3'
 */
export function resolvePython(python: string): Promise<string> {
  let executable = resolved.get(python)
  if (!executable) {
    executable = probePython(python)
    resolved.set(python, executable)
  }
  return executable
}

async function probePython(python: string): Promise<string> {
  const probe = await probeProcess(python, ['-c', PROBE_SCRIPT], PROBE_TIMEOUT_MS)
  const quoted = JSON.stringify(python)
  if (probe.spawnError === 'ENOENT') {
    throw new InterpreterNotFoundError(python, `Python interpreter ${quoted} not found.`)
  }
  if (probe.spawnError) {
    throw new InterpreterNotFoundError(
      python,
      `Python interpreter ${quoted} cannot be started (${probe.spawnError}).`,
    )
  }
  if (probe.timedOut) {
    throw new InterpreterNotFoundError(
      python,
      `Python interpreter ${quoted} did not answer within ${PROBE_TIMEOUT_MS / 1000} s.`,
    )
  }
  const [executable = '', version = ''] = probe.stdout.trim().split(/\r?\n/)
  if (probe.exitCode !== 0 || !/^\d+\.\d+$/.test(version)) {
    const detail = probe.stderr.trim().split(/\r?\n/)[0] || `exit code ${String(probe.exitCode)}`
    throw new InterpreterNotFoundError(
      python,
      `Python interpreter ${quoted} does not work: ${detail}.`,
    )
  }
  const [major = 0, minor = 0] = version.split('.').map(Number)
  if (major < MIN_PYTHON[0] || (major === MIN_PYTHON[0] && minor < MIN_PYTHON[1])) {
    throw new InterpreterNotFoundError(
      python,
      `Python interpreter ${quoted} is Python ${version}; pipetest needs Python ${MIN_PYTHON.join('.')} or newer.`,
    )
  }
  // An embedded or odd build may not know its own path; the name still works then.
  return executable.trim() || python
}
