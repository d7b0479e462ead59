import { beforeAll, describe, expect } from 'vitest'
import { test } from '../../../test/support/fixtures.js'
import { assertBuilt, counts, runVitest } from './run-vitest.js'

beforeAll(assertBuilt)

/** The project's own test config turns the cache off; here it is the subject. */
const CACHE_ON = { PIPETEST_CACHE: '1' }

describe('the execution cache on real Vitest', () => {
  test('a second run restores every execution, and each test says so in its JUnit properties', async ({
    fixtureProject,
  }) => {
    const root = await fixtureProject(['passing'], { linkNodeModules: true })
    const first = await runVitest(root, [], CACHE_ON)
    expect(first.exitCode, first.output).toBe(0)
    const runTests = first.junit.filter((c) => !c.name.includes(' > specs > '))
    expect(runTests.length).toBeGreaterThan(0)
    for (const testcase of runTests) expect(testcase.properties.cached).toBeUndefined()
    const firstRun = /\/runs\/([^/]+)\//.exec(runTests[0]!.properties.runDir!)![1]

    const second = await runVitest(root, [], CACHE_ON)
    expect(second.exitCode, second.output).toBe(0)
    expect(counts(second)).toEqual(counts(first))
    for (const testcase of second.junit.filter((c) => !c.name.includes(' > specs > '))) {
      expect(testcase.properties, testcase.name).toMatchObject({ cached: 'true' })
      if (!testcase.name.includes(' > flow > ')) {
        expect(testcase.properties.cachedFrom, testcase.name).toBe(firstRun)
      }
    }
  })
})
