import { createHash } from 'node:crypto'
import { chmodSync, mkdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect } from 'vitest'
import { it, type TempDir } from '../support/fixtures.js'
import { cacheKeyOf, type KeyRequest } from '../../src/cache/index.js'
import { harnessPath, packagePath } from '../../src/runners/harness.js'

/**
 * One test per ingredient of the execution cache's key: changing only that ingredient changes
 * the key (and changing nothing keeps it). Real files in a temp project; Python local imports
 * are read by the real interpreter.
 */

function project(tempDir: TempDir) {
  const root = tempDir('pipetest-key-')
  const write = (path: string, text: string) => {
    mkdirSync(join(root, path, '..'), { recursive: true })
    writeFileSync(join(root, path), text)
  }
  write('scripts/step.py', 'from helpers import util\n\ndef main(i, o, e, j):\n    util.go()\n')
  write('scripts/helpers/__init__.py', '')
  write('scripts/helpers/util.py', 'from . import deep\n\ndef go():\n    deep.x()\n')
  write('scripts/helpers/deep.py', 'def x():\n    return 1\n')
  write('scripts/step.mjs', "import { go } from './lib/go.mjs'\nexport function main() { go() }\n")
  write('scripts/lib/go.mjs', "import './leaf.js'\nexport function go() {}\n")
  write('scripts/lib/leaf.js', 'export const leaf = 1\n')
  write('data/in/a.csv', 'x\n1\n')
  write('data/in/sub/b.csv', 'y\n2\n')
  write('config/settings.yaml', 'alpha: 1\n')
  // Two "builds" of Python: wrappers that differ as two installations' executables do.
  write('bin/python-a', '#!/bin/sh\nexec python3 "$@"\n')
  write('bin/python-b', '#!/bin/sh\n# another build\nexec python3 "$@"\n')
  chmodSync(join(root, 'bin/python-a'), 0o755)
  chmodSync(join(root, 'bin/python-b'), 0o755)
  const request = (change: Partial<KeyRequest> = {}): KeyRequest => ({
    rootDir: root,
    runner: 'python',
    scriptPath: join(root, 'scripts/step.py'),
    python: join(root, 'bin/python-a'),
    command: undefined,
    environVars: { LABEL: 'label' },
    jobArgs: { job_type: 'training' },
    workingDir: undefined,
    outputPaths: { data_output: 'out/data' },
    inputs: { data_input: { kind: 'data', path: join(root, 'data/in') } },
    declared: {},
    exclude: [join(root, 'data/.pipetest')],
    memoDir: join(root, 'data/.pipetest/cache/modules'),
    ...change,
  })
  return { root, write, request }
}

async function keyOf(request: KeyRequest): Promise<string> {
  return (await cacheKeyOf(request)).key
}

describe('the execution cache key', () => {
  it('is the same for the same execution, computed twice', async ({ tempDir }) => {
    const { request } = project(tempDir)
    expect(await keyOf(request())).toBe(await keyOf(request()))
  })

  it("covers the script's content", async ({ tempDir }) => {
    const { request, write } = project(tempDir)
    const before = await keyOf(request())
    write(
      'scripts/step.py',
      'from helpers import util\n\ndef main(i, o, e, j):\n    util.go()  # edited\n',
    )
    expect(await keyOf(request())).not.toBe(before)
  })

  it('covers a Python module the script imports, and one that module imports', async ({
    tempDir,
  }) => {
    const { request, write } = project(tempDir)
    const first = await keyOf(request())
    write('scripts/helpers/util.py', 'from . import deep\n\ndef go():\n    deep.x()  # edited\n')
    const second = await keyOf(request())
    expect(second).not.toBe(first)
    write('scripts/helpers/deep.py', 'def x():\n    return 2\n')
    expect(await keyOf(request())).not.toBe(second)
  })

  it('covers a Node module the script imports by relative path, transitively', async ({
    tempDir,
  }) => {
    const { root, request, write } = project(tempDir)
    const node = request({ runner: 'node', scriptPath: join(root, 'scripts/step.mjs') })
    const first = await keyOf(node)
    write('scripts/lib/leaf.js', 'export const leaf = 2\n')
    const second = await keyOf(node)
    expect(second).not.toBe(first)
    write('scripts/lib/go.mjs', "import './leaf.js'\nexport function go() { return 1 }\n")
    expect(await keyOf(node)).not.toBe(second)
  })

  it('covers the runner', async ({ tempDir }) => {
    const { request } = project(tempDir)
    expect(await keyOf(request({ runner: 'command', command: ['python3', '{script}'] }))).not.toBe(
      await keyOf(request()),
    )
  })

  it("covers the interpreter's build (its executable)", async ({ tempDir }) => {
    const { root, request } = project(tempDir)
    const a = await keyOf(request())
    expect(await keyOf(request({ python: join(root, 'bin/python-b') }))).not.toBe(a)
    // The same file upgraded in place (new content, new modification time).
    writeFileSync(join(root, 'bin/python-a'), '#!/bin/sh\n# upgraded\nexec python3 "$@"\n')
    expect(await keyOf(request())).not.toBe(a)
  })

  it("covers Node's version for the node runner and a command's program", async ({ tempDir }) => {
    const { root, request, write } = project(tempDir)
    const node = await cacheKeyOf(
      request({ runner: 'node', scriptPath: join(root, 'scripts/step.mjs') }),
    )
    expect(JSON.stringify(node.ingredients.interpreter)).toContain(process.version)
    write('bin/tool', '#!/bin/sh\necho a\n')
    const command = request({
      runner: 'command',
      scriptPath: undefined,
      command: ['bin/tool', '{output:data_output}'],
    })
    const before = await keyOf(command)
    write('bin/tool', '#!/bin/sh\necho b, a longer build\n')
    expect(await keyOf(command)).not.toBe(before)
  })

  it('covers the environment variables of the spec', async ({ tempDir }) => {
    const { request } = project(tempDir)
    expect(await keyOf(request({ environVars: { LABEL: 'target' } }))).not.toBe(
      await keyOf(request()),
    )
  })

  it('covers the job arguments', async ({ tempDir }) => {
    const { request } = project(tempDir)
    expect(await keyOf(request({ jobArgs: { job_type: 'validation' } }))).not.toBe(
      await keyOf(request()),
    )
  })

  it('covers the command template', async ({ tempDir }) => {
    const { request } = project(tempDir)
    const base = { runner: 'command' as const, scriptPath: undefined }
    expect(await keyOf(request({ ...base, command: ['python3', '-c', 'print(1)'] }))).not.toBe(
      await keyOf(request({ ...base, command: ['python3', '-c', 'print(2)'] })),
    )
  })

  it('covers the working directory and the outputs the script is asked to write', async ({
    tempDir,
  }) => {
    const { request } = project(tempDir)
    const base = await keyOf(request())
    expect(await keyOf(request({ workingDir: 'project' }))).not.toBe(base)
    expect(await keyOf(request({ outputPaths: { data_output: 'out/data.csv' } }))).not.toBe(base)
    expect(await keyOf(request({ outputPaths: { model: 'out/data' } }))).not.toBe(base)
  })

  it('covers the content of an input file and of every file in an input folder', async ({
    tempDir,
  }) => {
    const { root, request, write } = project(tempDir)
    const first = await keyOf(request())
    write('data/in/sub/b.csv', 'y\n3\n')
    const second = await keyOf(request())
    expect(second).not.toBe(first)
    write('data/in/sub/new.csv', 'z\n')
    const third = await keyOf(request())
    expect(third).not.toBe(second)
    rmSync(join(root, 'data/in/sub/new.csv'))
    expect(await keyOf(request())).toBe(second)
    const file = request({
      inputs: { data_input: { kind: 'data', path: join(root, 'data/in/a.csv') } },
    })
    const before = await keyOf(file)
    write('data/in/a.csv', 'x\n9\n')
    expect(await keyOf(file)).not.toBe(before)
  })

  it("covers a wired input by its upstream execution's key", async ({ tempDir }) => {
    const { request } = project(tempDir)
    const wired = (upstreamKey: string) =>
      request({ inputs: { data_input: { kind: 'wired', upstreamKey, output: 'data_output' } } })
    expect(await keyOf(wired('a'.repeat(64)))).not.toBe(await keyOf(wired('b'.repeat(64))))
  })

  it('covers the files the spec declares (content, and a new file matching a glob)', async ({
    tempDir,
  }) => {
    const { request, write } = project(tempDir)
    const declared = request({ declared: { files: ['config/*.yaml'] } })
    const first = await keyOf(declared)
    write('config/settings.yaml', 'alpha: 2\n')
    const second = await keyOf(declared)
    expect(second).not.toBe(first)
    write('config/extra.yaml', 'beta: 1\n')
    expect(await keyOf(declared)).not.toBe(second)
  })

  it('covers the outer environment variables the spec declares, and only those', async ({
    tempDir,
  }) => {
    const { request } = project(tempDir)
    const declared = (env: NodeJS.ProcessEnv) => request({ declared: { env: ['REGION'] }, env })
    const east = await keyOf(declared({ REGION: 'east', OTHER: '1' }))
    expect(await keyOf(declared({ REGION: 'west', OTHER: '1' }))).not.toBe(east)
    expect(await keyOf(declared({ REGION: 'east', OTHER: '2' }))).toBe(east)
    expect(await keyOf(declared({ OTHER: '1' }))).not.toBe(east)
  })

  it("covers pipetest's harness and version", async ({ tempDir }) => {
    const { request } = project(tempDir)
    const { ingredients } = await cacheKeyOf(request())
    const harness = createHash('sha256')
      .update(readFileSync(harnessPath('python_harness.py')))
      .digest('hex')
    const { version } = JSON.parse(readFileSync(packagePath('package.json'), 'utf8')) as {
      version: string
    }
    expect(ingredients.harness).toBe(harness)
    expect(ingredients.pipetest).toBe(version)
  })

  it('leaves out what pipetest writes inside an input (its own run folders)', async ({
    tempDir,
  }) => {
    const { root, request, write } = project(tempDir)
    const whole = request({ inputs: { data_input: { kind: 'data', path: join(root, 'data') } } })
    const before = await keyOf(whole)
    write('data/.pipetest/runs/r1/out.csv', 'written by a run\n')
    expect(await keyOf(whole)).toBe(before)
    utimesSync(join(root, 'data/in/a.csv'), new Date(0), new Date(0))
    // Only content counts: touching a file changes nothing.
    expect(await keyOf(whole)).toBe(before)
  })
})
