import { spawn } from 'node:child_process'

/**
 * Runs a command to completion without a shell. Output is kept (bounded to the last 64 kB
 * per stream) so that a failing baseline or tool explains itself in the bench's error.
 * `detached` starts it in a session of its own.
 */
export function run(command, args, options = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: options.detached ?? false,
    })
    const keep = 64 * 1024
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (chunk) => {
      stdout = (stdout + chunk).slice(-keep)
    })
    child.stderr.setEncoding('utf8').on('data', (chunk) => {
      stderr = (stderr + chunk).slice(-keep)
    })
    child.on('error', reject)
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }))
  })
}

/** Like {@link run}, but a non-zero exit is an error carrying the command's output. */
export async function runOk(command, args, options = {}) {
  const result = await run(command, args, options)
  if (result.code !== 0) {
    const tail = `${result.stdout}\n${result.stderr}`.trim().split('\n').slice(-40).join('\n')
    throw new Error(
      `${[command, ...args].join(' ')} exited with ${result.code ?? result.signal} (cwd ${options.cwd ?? process.cwd()}):\n${tail}`,
    )
  }
  return result
}

/**
 * The interpreter a `python3` shim (pyenv, asdf) finally executes. The bench's baselines use
 * this, as pipetest's runners do once per process, so that the comparison is about the
 * harness and not about the shim's ~0.1 s per start.
 */
export async function resolveRealPython(python = 'python3') {
  const { stdout } = await runOk(python, ['-c', 'import sys; print(sys.executable)'])
  return stdout.trim()
}
