import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect } from 'vitest'
import { test, type TempDir } from '../support/fixtures.js'
import { loadProjectConfig, peekProjectConfig, withProjectConfig } from '../../src/config/index.js'
import { errorOf } from '../support/error-of.js'

async function project(tempDir: TempDir, files: Record<string, unknown>): Promise<string> {
  const dir = tempDir('pipetest-config-')
  for (const [file, content] of Object.entries(files)) {
    await mkdir(join(dir, file, '..'), { recursive: true })
    await writeFile(
      join(dir, file),
      typeof content === 'string' ? content : JSON.stringify(content),
    )
  }
  return dir
}

describe('loadProjectConfig', () => {
  test('finds pipetest.config.json above the current folder and resolves its paths there', async ({
    tempDir,
  }) => {
    const dir = await project(tempDir, {
      'pipetest.config.json': {
        python: '.venv/bin/python',
        testDataDir: 'data/runtime',
        concurrency: 2,
        timeoutSeconds: 60,
        dag: ['pipelines/a.dag.json', 'pipelines/b.dag.json'],
      },
      'pipelines/keep': '',
    })
    const config = loadProjectConfig(join(dir, 'pipelines'), {})
    expect(config).toMatchObject({
      file: join(dir, 'pipetest.config.json'),
      rootDir: dir,
      python: join(dir, '.venv/bin/python'),
      pythonFrom: 'config',
      testDataDir: 'data/runtime',
      concurrency: 2,
      timeoutSeconds: 60,
      dags: [join(dir, 'pipelines/a.dag.json'), join(dir, 'pipelines/b.dag.json')],
    })
  })

  test('reads the "pipetest" key of package.json, and keeps a bare interpreter name for PATH', async ({
    tempDir,
  }) => {
    const dir = await project(tempDir, {
      'package.json': { name: 'p', pipetest: { python: 'python3.11' } },
    })
    expect(loadProjectConfig(dir, {})).toMatchObject({
      file: join(dir, 'package.json'),
      python: 'python3.11',
    })
  })

  test("stops at the project's own package.json: a config above it is another project's", async ({
    tempDir,
  }) => {
    const dir = await project(tempDir, {
      'pipetest.config.json': { python: 'outer' },
      'inner/package.json': { name: 'inner' },
    })
    expect(loadProjectConfig(join(dir, 'inner'), {})).toEqual({ dags: [] })
  })

  test('PIPETEST_PYTHON overrides the configured interpreter', async ({ tempDir }) => {
    const dir = await project(tempDir, { 'pipetest.config.json': { python: 'python3.9' } })
    expect(loadProjectConfig(dir, { PIPETEST_PYTHON: '/usr/bin/python3' })).toMatchObject({
      python: '/usr/bin/python3',
      pythonFrom: 'PIPETEST_PYTHON',
    })
  })

  test('a wrong value names the file, the field and the settings', async ({ tempDir }) => {
    const dir = await project(tempDir, { 'pipetest.config.json': { concurrency: 0 } })
    const error = errorOf(() => loadProjectConfig(dir, {}))
    expect(error).toMatchObject({
      code: 'CONFIG_INVALID',
      file: join(dir, 'pipetest.config.json'),
      field: 'concurrency',
    })
    expect(error.message).toContain('must be at least 1')
  })

  test('an unknown setting is named, under package.json\'s "pipetest" key too', async ({
    tempDir,
  }) => {
    const dir = await project(tempDir, { 'package.json': { pipetest: { pyhton: 'x' } } })
    const error = errorOf(() => loadProjectConfig(dir, {}))
    expect(error.shortMessage).toContain('unknown setting pyhton under "pipetest"')
    expect(error.hint).toContain('python')
  })

  test('malformed JSON gives the line and column', async ({ tempDir }) => {
    const dir = await project(tempDir, { 'pipetest.config.json': '{\n  "python": ,\n}' })
    expect(errorOf(() => loadProjectConfig(dir, {})).message).toMatch(/line 2, column/)
  })
})

describe('withProjectConfig', () => {
  test('fills what the options leave out; explicit options win', async ({ tempDir }) => {
    const dir = await project(tempDir, {
      'pipetest.config.json': { python: 'python3.11', timeoutSeconds: 60, testDataDir: 'data' },
    })
    expect(withProjectConfig({ rootDir: dir, timeoutSeconds: 5 })).toEqual({
      rootDir: dir,
      python: 'python3.11',
      timeoutSeconds: 5,
      testDataDir: 'data',
    })
  })
})

describe('peekProjectConfig', () => {
  test('reads the interpreter, the only DAG, the folders and "cache": false as loadProjectConfig does, unchecked', async ({
    tempDir,
  }) => {
    const dir = await project(tempDir, {
      'package.json': { pipetest: { python: '.venv/bin/python', dag: 'a.dag.json', cache: false } },
    })
    const loaded = loadProjectConfig(join(dir, 'sub'), {})
    expect(peekProjectConfig(join(dir, 'sub'), {})).toEqual({
      python: loaded.python,
      dag: loaded.dags[0],
      rootDir: loaded.rootDir,
      cacheOff: true,
    })
    expect(peekProjectConfig(dir, { PIPETEST_PYTHON: 'python3.12' }).python).toBe('python3.12')
    const cached = await project(tempDir, {
      'pipetest.config.json': { testDataDir: 'data', cache: { dir: '.cache' } },
    })
    const config = loadProjectConfig(cached, {})
    expect(peekProjectConfig(cached, {})).toMatchObject({
      testDataDir: config.testDataDir,
      cacheDir: typeof config.cache === 'object' ? config.cache.dir : undefined,
      cacheOff: false,
    })
  })

  test('what the schema would refuse reads as unset, and a broken file as none', async ({
    tempDir,
  }) => {
    const odd = await project(tempDir, {
      'pipetest.config.json': { python: 3, dag: ['a.dag.json', 'b.dag.json'], cache: 'no' },
    })
    expect(peekProjectConfig(odd, {})).toEqual({ rootDir: odd, cacheOff: false })
    const broken = await project(tempDir, { 'pipetest.config.json': '{ "python": ' })
    expect(peekProjectConfig(broken, {})).toEqual({ cacheOff: false })
  })
})
