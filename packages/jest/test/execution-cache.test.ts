import { describe, expect } from 'vitest'
import { test } from './run-jest.js'

/** The project's own test config turns the cache off; here it is the subject. */
const CACHE_ON = { PIPETEST_CACHE: '1' }

describe('the execution cache on real Jest', () => {
  test('a second run restores every execution, and each testcase says so (jest-junit properties)', async ({
    jestProject,
    runJest,
  }) => {
    const dir = await jestProject('passing')
    const first = await runJest(dir, [], CACHE_ON)
    expect(first.exitCode, first.output).toBe(0)
    const runTests = (run: typeof first) =>
      run.testcases.filter((testcase) => !testcase.name.includes(' specs '))
    expect(runTests(first).length).toBeGreaterThan(0)
    for (const testcase of runTests(first)) expect(testcase.properties.cached).toBeUndefined()
    const firstRun = /\/runs\/([^/]+)\//.exec(runTests(first)[0]!.properties.runDir!)![1]

    const second = await runJest(dir, [], CACHE_ON)
    expect(second.exitCode, second.output).toBe(0)
    expect(second.testcases).toHaveLength(first.testcases.length)
    for (const testcase of runTests(second)) {
      expect(testcase.properties, testcase.name).toMatchObject({ cached: 'true' })
      if (!testcase.name.includes(' flow ')) {
        expect(testcase.properties.cachedFrom, testcase.name).toBe(firstRun)
      }
    }
  })
})
