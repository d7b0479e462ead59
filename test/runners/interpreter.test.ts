import {
  copyFileSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs'
import { chmod, writeFile } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { afterEach, describe, expect } from 'vitest'
import { it } from '../support/fixtures.js'
import { harnessCacheDir } from '../../src/runners/harness-cache.js'
import { harnessPath } from '../../src/runners/harness.js'
import { runExecution } from '../../src/runners/index.js'
import {
  evidentExecutable,
  InterpreterNotFoundError,
  probePython,
  recalledPythonFiles,
  resolvePython,
  resolvePythonInstallation,
  shippedPythonFiles,
} from '../../src/runners/interpreter.js'
import { fixture, makeRequest } from './helpers.js'

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
  it('asks a shim for the real interpreter once per process and then bypasses it', async ({
    tempDir,
  }) => {
    const root = tempDir()
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

  it('rejects an interpreter that fails to run, quoting its error', async ({ tempDir }) => {
    const root = tempDir()
    const python = await fakePython(
      root,
      "echo 'pyenv: python3.99: command not found' >&2; exit 127",
    )

    await expect(resolvePython(python)).rejects.toThrow(
      `Python interpreter "${python}" does not work: pyenv: python3.99: command not found.`,
    )
  })

  it('rejects a Python older than 3.8', async ({ tempDir }) => {
    const root = tempDir()
    const python = await fakePython(root, "printf '/usr/bin/python2.7\\n2.7\\n'")

    await expect(resolvePython(python)).rejects.toThrow(
      'pipetest needs Python ≥ 3.8; found 2.7 at /usr/bin/python2.7 (the interpreter "',
    )
  })

  it('names the version of a Python 2.7 whose probe crashes after printing it', async ({
    tempDir,
  }) => {
    const root = tempDir()
    // As Python 2.7 answers the probe: it prints the executable and version, then stops at
    // sys.implementation (new in 3.3).
    const python = await fakePython(
      root,
      "printf '/usr/bin/python2.7\\n2.7\\n'; echo \"AttributeError: 'module' object has no attribute 'implementation'\" >&2; exit 1",
    )

    await expect(resolvePython(python)).rejects.toThrow(
      'pipetest needs Python ≥ 3.8; found 2.7 at /usr/bin/python2.7 (the interpreter "',
    )
  })
})

/** The outcome of running a script with a contract-conforming main() through `python`. */
async function outcomeOfScriptWith(root: string, python: string): Promise<string> {
  const request = await makeRequest(root, {
    runner: 'python',
    scriptPath: fixture('python', 'kwargs_main.py'),
    python,
  })
  return (await runExecution(request)).outcome
}

describe('the compiled harness', () => {
  const uid = process.getuid!()
  const savedTmpdir = process.env.TMPDIR
  afterEach(() => {
    if (savedTmpdir === undefined) delete process.env.TMPDIR
    else process.env.TMPDIR = savedTmpdir
  })

  it('is compiled by the interpreter probe into a private cache, once per harness and Python', async ({
    tempDir,
  }) => {
    const root = tempDir()
    process.env.TMPDIR = root
    const { shim, starts } = await countingShim(root)

    const installation = await resolvePythonInstallation(shim)

    expect(starts()).toBe(1)
    expect(dirname(installation.harness)).toBe(join(root, `pipetest-${uid}`))
    expect(basename(installation.harness)).toMatch(
      /^python_harness-[0-9a-f]{16}\.cpython-\d+\.pyc$/,
    )
    expect(statSync(dirname(installation.harness)).mode & 0o777).toBe(0o700)
    // The worker's own files too (they are compiled at every start otherwise).
    expect(dirname(installation.worker)).toBe(dirname(installation.harness))
    expect(basename(installation.worker)).toMatch(/^python_worker-[0-9a-f]{16}\.cpython-\d+\.pyc$/)
    expect(basename(installation.contractReader)).toMatch(
      /^extract_contract-[0-9a-f]{16}\.cpython-\d+\.pyc$/,
    )
    // The executable the engine passes on is answered without another probe.
    const again = await resolvePythonInstallation(installation.executable)
    expect(again.executable).toBe(installation.executable)
    expect(starts()).toBe(1)
  })

  it('keeps tracebacks free of harness frames when running compiled', async ({ tempDir }) => {
    const root = tempDir()
    const report = await runExecution(
      await makeRequest(root, {
        runner: 'python',
        scriptPath: fixture('python', 'raises_key_error.py'),
      }),
    )
    expect((await resolvePythonInstallation('python3')).harness).toMatch(/\.pyc$/)
    expect(report.outcome).toBe('exception')
    expect(report.traceback).toMatch(/raises_key_error\.py", line \d+, in main/)
    expect(report.traceback).not.toMatch(/python_harness/)
  })

  it('compiles again over a damaged cache file instead of running it', async ({ tempDir }) => {
    const root = tempDir()
    process.env.TMPDIR = root
    const first = await resolvePythonInstallation((await countingShim(root)).shim)
    await writeFile(first.harness, 'not bytecode')

    mkdirSync(join(root, 'again'))
    const { shim } = await countingShim(join(root, 'again'))
    const second = await resolvePythonInstallation(shim)

    expect(second.harness).toBe(first.harness)
    expect(readFileSync(second.harness).subarray(16).length).toBeGreaterThan(1000)
    expect(await outcomeOfScriptWith(root, shim)).toBe('success')
  })

  it('runs from source when the cache folder is not private to us', async ({ tempDir }) => {
    const root = tempDir()
    process.env.TMPDIR = root
    mkdirSync(join(root, `pipetest-${uid}`))
    await chmod(join(root, `pipetest-${uid}`), 0o777)
    const { shim } = await countingShim(root)

    const installation = await resolvePythonInstallation(shim)

    expect(installation.harness).toBe(harnessPath('python_harness.py'))
    expect(await outcomeOfScriptWith(root, shim)).toBe('success')
  })

  it('accepts only a real folder of ours that no one else can write to', async ({ tempDir }) => {
    const fresh = tempDir()
    expect(harnessCacheDir(fresh)).toBe(join(fresh, `pipetest-${uid}`))
    expect(statSync(join(fresh, `pipetest-${uid}`)).mode & 0o777).toBe(0o700)
    expect(harnessCacheDir(fresh)).toBe(join(fresh, `pipetest-${uid}`)) // and again, existing

    const groupWritable = tempDir()
    mkdirSync(join(groupWritable, `pipetest-${uid}`), { mode: 0o700 })
    await chmod(join(groupWritable, `pipetest-${uid}`), 0o770)
    expect(harnessCacheDir(groupWritable)).toBeUndefined()

    const linked = tempDir()
    mkdirSync(join(linked, 'elsewhere'), { mode: 0o700 })
    symlinkSync(join(linked, 'elsewhere'), join(linked, `pipetest-${uid}`))
    expect(harnessCacheDir(linked)).toBeUndefined()

    const file = tempDir()
    await writeFile(join(file, `pipetest-${uid}`), '')
    expect(harnessCacheDir(file)).toBeUndefined()
  })
})

describe('evidentExecutable', () => {
  it('is the native binary a name or path points at, which the probe then confirms', async ({
    tempDir,
  }) => {
    const real = await resolvePython('/usr/bin/python3')
    expect(evidentExecutable('/usr/bin/python3')).toBe(real)
    const root = tempDir()
    symlinkSync('/usr/bin/python3', join(root, 'python3'))
    const before = process.env.PATH
    process.env.PATH = `${root}:${before ?? ''}`
    try {
      // Python names itself by the path it was started with, symlink or not.
      expect(evidentExecutable('python3')).toBe(join(root, 'python3'))
      expect(await resolvePython(join(root, 'python3'))).toBe(join(root, 'python3'))
    } finally {
      process.env.PATH = before
    }
  })

  it('is unknown for a shim (a script that picks the interpreter) and a missing file', async ({
    tempDir,
  }) => {
    const root = tempDir()
    const { shim } = await countingShim(root)
    expect(evidentExecutable(shim)).toBeUndefined()
    expect(evidentExecutable(join(root, 'nothing-here'))).toBeUndefined()
  })
})

/** A copy of Debian's python3 (a native binary) that a test may "upgrade in place". */
async function nativePythonCopy(dir: string): Promise<string> {
  const python = join(dir, 'python3')
  copyFileSync('/usr/bin/python3', python)
  await chmod(python, 0o755)
  return python
}

describe('the probe record', () => {
  it('lets a later process skip the probe of a native binary, until the binary changes', async ({
    tempDir,
  }) => {
    const base = tempDir()
    const python = await nativePythonCopy(tempDir())
    expect((await probePython(python, base)).executable).toBe(python)

    const cacheDir = harnessCacheDir(base)!
    const records = readdirSync(cacheDir).filter((name) => name.startsWith('probe-'))
    expect(records).toHaveLength(1)
    // Marked: a recalled record answers with the mark, a probe with the real path.
    const file = join(cacheDir, records[0]!)
    const mark = () => {
      const record = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>
      writeFileSync(file, JSON.stringify({ ...record, executable: '/recalled/python3' }))
      return String(record.harness)
    }
    const harness = mark()
    expect(harness).toMatch(/\.pyc$/)
    expect((await probePython(python, base)).executable).toBe('/recalled/python3')

    // A damaged compiled harness is not recalled: the probe runs and compiles it again.
    writeFileSync(harness, 'damaged')
    expect((await probePython(python, base)).executable).toBe(python)
    expect(readFileSync(harness, 'latin1')).not.toBe('damaged')

    // Nor is a binary upgraded in place.
    mark()
    const later = new Date(Date.now() + 60_000)
    utimesSync(python, later, later)
    expect((await probePython(python, base)).executable).toBe(python)
  })

  it('hands the compiled files to a worker started before the probe, once a probe made them', async ({
    tempDir,
  }) => {
    const base = tempDir()
    const python = await nativePythonCopy(tempDir())
    expect(recalledPythonFiles(python, base)).toEqual(shippedPythonFiles())

    const { harness, worker, contractReader } = await probePython(python, base)
    expect([harness, worker, contractReader].every((file) => file.endsWith('.pyc'))).toBe(true)
    expect(recalledPythonFiles(python, base)).toEqual({ harness, worker, contractReader })

    // A damaged one is not handed out: the sources are, until a probe compiles it again.
    writeFileSync(worker, 'damaged')
    expect(recalledPythonFiles(python, base)).toEqual(shippedPythonFiles())
  })

  it('is never kept for a shim, which picks its Python by folder and environment', async ({
    tempDir,
  }) => {
    const base = tempDir()
    const { shim, starts } = await countingShim(tempDir())
    await probePython(shim, base)
    await probePython(shim, base)
    expect(starts()).toBe(2)
    expect(readdirSync(harnessCacheDir(base)!).filter((n) => n.startsWith('probe-'))).toEqual([])
  })
})
