import { copyFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { afterEach, describe, expect } from 'vitest'
import type { PipetestEnvironment as Environment } from '@pipetest/jest/environment'
import { test } from './run-jest.js'

const require = createRequire(import.meta.url)
const { PipetestEnvironment } = require('@pipetest/jest/environment') as {
  PipetestEnvironment: typeof Environment
}
type TestCaseProperties = (testCase: {
  fullName?: string
  startAt?: number | null
  duration?: number | null
}) => Record<string, string>
const testCaseProperties = require('@pipetest/jest/junit-properties') as TestCaseProperties

const ENVIRONMENT_HOOK = Symbol.for('@pipetest/jest/environment')

interface Hook {
  propertiesRecorder(): (properties: Record<string, string>) => void
}

/** Runs one environment through the circus events of one test that records `properties`. */
async function runTestIn(
  testPath: string,
  startedAt: number,
  properties: Record<string, string>,
  duration = 10,
) {
  const environment = new PipetestEnvironment(
    { globalConfig: {}, projectConfig: { testEnvironmentOptions: {}, globals: {} } } as never,
    { testPath, console, docblockPragmas: {} },
  )
  await environment.setup()
  const state = {
    rootDescribeBlock: { name: 'ROOT_DESCRIBE_BLOCK', children: [] },
    hasFocusedTests: false,
  }
  const root = { name: 'ROOT_DESCRIBE_BLOCK' }
  const test = {
    name: 'Train runs',
    startedAt,
    parent: { name: 'scripts', parent: { name: 'pipeline p', parent: root } },
  }
  const hook = (environment.global as unknown as Record<symbol, Hook>)[ENVIRONMENT_HOOK]!
  environment.handleTestEvent({ name: 'run_start' }, state)
  environment.handleTestEvent({ name: 'test_start', test }, state)
  const record = hook.propertiesRecorder()
  environment.handleTestEvent({ name: 'test_done', test: { ...test, duration } }, state)
  // After test_done, as when a test timed out before its verdict arrived.
  record(properties)
  await environment.teardown()
}

describe('per-test properties for jest-junit', () => {
  let saved: string | undefined
  // Each test's properties store is its own temp folder (removed after the test).
  test.beforeEach(({ tempDir }) => {
    saved = process.env.PIPETEST_JEST_PROPERTIES_DIR
    process.env.PIPETEST_JEST_PROPERTIES_DIR = tempDir('pipetest-properties-')
  })
  afterEach(() => {
    if (saved === undefined) delete process.env.PIPETEST_JEST_PROPERTIES_DIR
    else process.env.PIPETEST_JEST_PROPERTIES_DIR = saved
  })

  test('reach the lookup by full name, a namesake in another file told apart by its start time', async () => {
    await runTestIn('/project/a.test.ts', 1000, { node: 'Train', runDir: '/runs/a' })
    await runTestIn('/project/b.test.ts', 2000, { node: 'Train', runDir: '/runs/b' })

    const fullName = 'pipeline p scripts Train runs'
    expect(testCaseProperties({ fullName, startAt: 2000 })).toEqual({
      node: 'Train',
      runDir: '/runs/b',
    })
    expect(testCaseProperties({ fullName, startAt: 1000 })).toEqual({
      node: 'Train',
      runDir: '/runs/a',
    })
    // Any other test of the report gets no properties, and no error.
    expect(testCaseProperties({ fullName: 'some other test', startAt: 1000 })).toEqual({})
    expect(testCaseProperties({})).toEqual({})
  })

  test('on Jest 29 (no startAt in the report) a namesake is told apart by its duration', async () => {
    await runTestIn('/project/a.test.ts', 1000, { runDir: '/runs/a' }, 12)
    await runTestIn('/project/b.test.ts', 2000, { runDir: '/runs/b' }, 40)
    await runTestIn('/project/c.test.ts', 3000, { runDir: '/runs/c' }, 40)

    const fullName = 'pipeline p scripts Train runs'
    expect(testCaseProperties({ fullName, duration: 12 })).toEqual({ runDir: '/runs/a' })
    // Same name, same milliseconds: nobody gets a namesake's values.
    expect(testCaseProperties({ fullName, duration: 40 })).toEqual({})
    expect(testCaseProperties({ fullName })).toEqual({})
  })

  test('a single test of that name needs neither start time nor duration', async () => {
    await runTestIn('/project/a.test.ts', 1000, { runDir: '/runs/a' }, 12)
    expect(testCaseProperties({ fullName: 'pipeline p scripts Train runs' })).toEqual({
      runDir: '/runs/a',
    })
  })

  test('a rerun in the same process (watch mode) sees the new values', async () => {
    const fullName = 'pipeline p scripts Train runs'
    await runTestIn('/project/a.test.ts', 1000, { exitCode: '1' })
    expect(testCaseProperties({ fullName, startAt: 1000 })).toEqual({ exitCode: '1' })
    await runTestIn('/project/a.test.ts', 5000, { exitCode: '0' })
    expect(testCaseProperties({ fullName, startAt: 5000 })).toEqual({ exitCode: '0' })
  })

  test('two test files describing one pipeline each get their own run in the JUnit report', async ({
    jestProject,
    runJest,
  }) => {
    const dir = await jestProject('passing')
    await copyFile(
      join(dir, 'jest', 'pipeline.jest.test.ts'),
      join(dir, 'jest', 'again.jest.test.ts'),
    )
    const { testcases } = await runJest(dir, [], { JEST_JUNIT_ADD_FILE_ATTRIBUTE: 'true' })

    expect(testcases).toHaveLength(20)
    const runIdsByFile = new Map<string, Set<string>>()
    for (const testcase of testcases.filter((candidate) => candidate.name.includes(' scripts '))) {
      const runId = /\/\.pipetest\/runs\/([^/]+)\//.exec(testcase.properties.runDir ?? '')?.[1]
      expect(runId, testcase.name).toBeDefined()
      const ids = runIdsByFile.get(testcase.file!) ?? new Set<string>()
      runIdsByFile.set(testcase.file!, ids.add(runId!))
    }
    // One run per file, and the two files' runs differ: no testcase got its namesake's values.
    const perFile = [...runIdsByFile.values()].map((ids) => [...ids])
    expect(perFile.map((ids) => ids.length)).toEqual([1, 1])
    expect(perFile[0]![0]).not.toBe(perFile[1]![0])
  })
})
