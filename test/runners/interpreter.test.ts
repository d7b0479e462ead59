import { readFileSync } from 'node:fs'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { runExecution } from '../../src/runners/index.js'
import { InterpreterNotFoundError, resolvePython } from '../../src/runners/interpreter.js'
import { fixture, makeRequest, useTempDirs } from './helpers.js'

const tempDir = useTempDirs()

/** A stand-in for a pyenv shim: counts its starts in a file, then runs the real python3. */
async function countingShim(root: string): Promise<{ shim: string; starts: () => number }> {
  const shim = join(root, 'python-shim')
  const counter = join(root, 'starts')
  await writeFile(counter, '')
  await writeFile(shim, `#!/bin/sh\necho start >> '${counter}'\nexec python3 "$@"\n`, {
    mode: 0o755,
  })
  return { shim, starts: () => readFileSync(counter, 'utf8').split('\n').filter(Boolean).length }
}

async function fakePython(root: string, body: string): Promise<string> {
  const file = join(root, 'fake-python')
  await writeFile(file, `#!/bin/sh\n${body}\n`, { mode: 0o755 })
  return file
}

describe('resolvePython', () => {
  it('asks a shim for the real interpreter once per process and then bypasses it', async () => {
    const root = await tempDir()
    const { shim, starts } = await countingShim(root)

    const [first, second] = await Promise.all([resolvePython(shim), resolvePython(shim)])
    const third = await resolvePython(shim)

    expect(starts()).toBe(1)
    expect(first).toBe(second)
    expect(third).toBe(first)
    expect(first).not.toBe(shim)
    expect(first).toMatch(/python/)

    const request = await makeRequest(root, {
      runner: 'python',
      scriptPath: fixture('python', 'kwargs_main.py'),
      python: shim,
    })
    const reports = [await runExecution(request), await runExecution(request)]
    expect(reports.map((report) => report.outcome)).toEqual(['success', 'success'])
    expect(starts()).toBe(1)
  })

  it('rejects a name that is not installed, naming it and the ways to choose another', async () => {
    const error = await resolvePython('python-not-installed-xyz').catch((e: unknown) => e)

    expect(error).toBeInstanceOf(InterpreterNotFoundError)
    expect((error as Error).message).toMatch(
      /^Python interpreter "python-not-installed-xyz" not found\. Install it, or choose another interpreter: the --python option, the run option "python", or the "python" field of the script's spec/,
    )
  })

  it('rejects an interpreter that fails to run, quoting its error', async () => {
    const root = await tempDir()
    const python = await fakePython(
      root,
      "echo 'pyenv: python3.99: command not found' >&2; exit 127",
    )

    await expect(resolvePython(python)).rejects.toThrow(
      `Python interpreter "${python}" does not work: pyenv: python3.99: command not found.`,
    )
  })

  it('rejects a Python older than 3.8', async () => {
    const root = await tempDir()
    const python = await fakePython(root, "printf '/usr/bin/python2.7\\n2.7\\n'")

    await expect(resolvePython(python)).rejects.toThrow(
      'is Python 2.7; pipetest needs Python 3.8 or newer.',
    )
  })
})
