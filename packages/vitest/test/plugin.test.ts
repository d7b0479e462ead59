import { appendFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { execa } from 'execa'
import { describe, expect } from 'vitest'
import { test } from '../../../test/support/fixtures.js'
import {
  readWatchManifests,
  recordWatchedFiles,
  testsUsing,
  type WatchManifest,
} from '../src/watch-manifest.js'
import { assertBuilt, childEnv, vitestBin } from './run-vitest.js'

describe('testsUsing', () => {
  const manifests: WatchManifest[] = [
    {
      testFile: '/p/a.test.ts',
      pipelines: { 'pipeline a': ['/p/a.dag.json', '/p/scripts/prep.py', '/p/data/raw'] },
    },
    {
      testFile: '/p/b.test.ts',
      pipelines: { 'pipeline b': ['/p/b.dag.json', '/p/scripts/prep.py'], other: ['/p/data'] },
    },
  ]

  test('maps a changed script, DAG or spec to the test files of the pipelines using it', () => {
    expect(testsUsing(manifests, '/p/scripts/prep.py')).toEqual(['/p/a.test.ts', '/p/b.test.ts'])
    expect(testsUsing(manifests, '/p/b.dag.json')).toEqual(['/p/b.test.ts'])
  })

  test('maps a file inside a watched folder (sample data) to its test files', () => {
    expect(testsUsing(manifests, '/p/data/raw/part-0.csv')).toEqual([
      '/p/a.test.ts',
      '/p/b.test.ts',
    ])
    expect(testsUsing(manifests, '/p/data/other.csv')).toEqual(['/p/b.test.ts'])
  })

  test('ignores unrelated files, look-alike prefixes and run outputs under .pipetest', () => {
    expect(testsUsing(manifests, '/p/src/app.ts')).toEqual([])
    expect(testsUsing(manifests, '/p/data-old/x.csv')).toEqual([])
    expect(testsUsing(manifests, '/p/data/.pipetest/runs/1/Prep/out.csv')).toEqual([])
  })
})

describe('watch manifests', () => {
  test('collect every pipeline of a test file and read back', async ({ tempDir }) => {
    const dir = tempDir('pipetest-watch-')
    recordWatchedFiles(dir, '/p/a.test.ts', 'pipeline a', ['/p/a.dag.json'])
    recordWatchedFiles(dir, '/p/a.test.ts', 'pipeline b', ['/p/b.dag.json'])
    recordWatchedFiles(dir, '/p/c.test.ts', 'pipeline c', ['/p/c.dag.json'])
    await writeFile(join(dir, 'broken.json'), '{ half')
    const manifests = readWatchManifests(dir).sort((x, y) => x.testFile.localeCompare(y.testFile))
    expect(manifests).toEqual([
      {
        testFile: '/p/a.test.ts',
        pipelines: { 'pipeline a': ['/p/a.dag.json'], 'pipeline b': ['/p/b.dag.json'] },
      },
      { testFile: '/p/c.test.ts', pipelines: { 'pipeline c': ['/p/c.dag.json'] } },
    ])
    expect(readWatchManifests(join(dir, 'missing'))).toEqual([])
  })
})

describe('pipetest() in watch mode', () => {
  test('reruns exactly the test files whose pipelines read the edited file', async ({
    fixtureProject,
  }) => {
    assertBuilt()
    const root = await fixtureProject(['passing', 'vitest-watch'], { linkNodeModules: true })
    const log = join(root, 'watch-runs.jsonl')
    const runs = async (): Promise<string[][]> =>
      existsSync(log)
        ? (await readFile(log, 'utf8'))
            .trim()
            .split('\n')
            .map((line) => JSON.parse(line) as string[])
        : []
    const waitForRuns = async (count: number): Promise<string[][]> => {
      const deadline = Date.now() + 90_000
      while (Date.now() < deadline) {
        const seen = await runs()
        if (seen.length >= count) return seen
        await new Promise((resolve) => setTimeout(resolve, 100))
      }
      throw new Error(
        `Vitest did not finish run ${count} in time; runs so far: ${JSON.stringify(await runs())}`,
      )
    }
    const watcher = execa(
      vitestBin,
      ['watch', '--root', root, '--reporter=./watch-log-reporter.ts'],
      {
        cwd: root,
        env: childEnv(),
        extendEnv: false,
        reject: false,
        all: true,
      },
    )
    try {
      expect(await waitForRuns(1)).toEqual([['vitest/a.test.ts', 'vitest/b.test.ts']])

      await appendFile(join(root, 'scripts/train.py'), '\n# tuned\n')
      expect((await waitForRuns(2))[1]).toEqual(['vitest/a.test.ts'])

      // Our own run outputs change all the time; they must never trigger anything.
      await mkdir(join(root, 'test/integration/runtime/.pipetest/runs/x'), { recursive: true })
      await writeFile(join(root, 'test/integration/runtime/.pipetest/runs/x/out.csv'), 'a\n')
      await writeFile(join(root, 'test/integration/runtime/solo/input/more.txt'), 'more\n')
      expect((await waitForRuns(3))[2]).toEqual(['vitest/b.test.ts'])
    } finally {
      watcher.kill()
      await watcher
    }
    expect(await runs()).toHaveLength(3)
  })

  test('follows imported modules, deleted inputs and the config; reruns only what an edit affects', async ({
    fixtureProject,
  }) => {
    assertBuilt()
    const root = await fixtureProject(['passing', 'vitest-watch'], { linkNodeModules: true })
    // Train imports a module of the project, which imports another.
    await writeFile(join(root, 'scripts/common.py'), 'from helpers import SCALE\n')
    await mkdir(join(root, 'scripts/helpers'))
    await writeFile(join(root, 'scripts/helpers/__init__.py'), 'SCALE = 1\n')
    const train = join(root, 'scripts/train.py')
    await writeFile(train, `import common\n${await readFile(train, 'utf8')}`)
    await writeFile(join(root, 'pipetest.config.json'), '{}\n')
    const lines = async (file: string): Promise<unknown[]> =>
      existsSync(join(root, file))
        ? (await readFile(join(root, file), 'utf8'))
            .trim()
            .split('\n')
            .map((line) => JSON.parse(line) as unknown)
        : []
    const waitForRuns = async (count: number): Promise<string[][]> => {
      const deadline = Date.now() + 90_000
      while (Date.now() < deadline) {
        const seen = (await lines('watch-runs.jsonl')) as string[][]
        if (seen.length >= count) return seen
        await new Promise((resolve) => setTimeout(resolve, 100))
      }
      throw new Error(`Vitest did not finish run ${count} in time`)
    }
    const cachedScripts = async (run: number) => {
      const cached = ((await lines('watch-cached.jsonl')) as Array<Record<string, boolean>>)[run]!
      const ofNode = (node: string) =>
        Object.entries(cached).find(([name]) => name.includes(`scripts > ${node} `))?.[1]
      return {
        Preprocess: ofNode('Preprocess'),
        Train: ofNode('Train'),
        Evaluate: ofNode('Evaluate'),
      }
    }
    const watcher = execa(
      vitestBin,
      ['watch', '--root', root, '--reporter=./watch-log-reporter.ts'],
      // The project's own tests turn the cache off; watch mode is where users have it on.
      {
        cwd: root,
        env: { ...childEnv(), PIPETEST_CACHE: '1' },
        extendEnv: false,
        reject: false,
        all: true,
      },
    )
    try {
      expect(await waitForRuns(1)).toEqual([['vitest/a.test.ts', 'vitest/b.test.ts']])

      // A module two imports away from Train: Train and Evaluate (downstream) run again,
      // Preprocess is restored from the cache.
      await appendFile(join(root, 'scripts/helpers/__init__.py'), 'SCALE = 2\n')
      expect((await waitForRuns(2))[1]).toEqual(['vitest/a.test.ts'])
      expect(await cachedScripts(1)).toEqual({ Preprocess: true, Train: false, Evaluate: false })

      await rm(join(root, 'test/integration/runtime/solo/input/solo.txt'))
      expect((await waitForRuns(3))[2]).toEqual(['vitest/b.test.ts'])

      await writeFile(join(root, 'pipetest.config.json'), '{ "timeoutSeconds": 120 }\n')
      expect((await waitForRuns(4))[3]).toEqual(['vitest/a.test.ts', 'vitest/b.test.ts'])
    } finally {
      watcher.kill()
      await watcher
    }
  })
})
