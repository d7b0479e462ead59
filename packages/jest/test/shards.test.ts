import { describe, expect } from 'vitest'
import { test } from './run-jest.js'
import type { JunitTestCase } from './junit-xml.js'

/** The README's Jest recipe, on one machine: two `--shard`s, one cache folder. */
describe('Jest --shard', () => {
  const testSet = (cases: JunitTestCase[]) =>
    cases.map((testCase) => `${testCase.classname} › ${testCase.name}`).sort()

  test('two shards sharing the cache report the test set of one unsharded run; the second restores Train', async ({
    jestProject,
    runJest,
  }) => {
    const [sharded, whole] = await Promise.all([
      jestProject('passing', 'jest-shards'),
      jestProject('passing', 'jest-shards'),
    ])
    const cacheOn = { PIPETEST_CACHE: '1' }
    const first = await runJest(sharded, ['--shard=1/2'], cacheOn)
    const second = await runJest(sharded, ['--shard=2/2'], cacheOn)
    const unsharded = await runJest(whole, [], { PIPETEST_CACHE: '0' })
    for (const run of [first, second, unsharded]) expect(run.exitCode, run.output).toBe(0)

    expect(testSet([...first.testcases, ...second.testcases])).toEqual(testSet(unsharded.testcases))
    expect(first.testcases.length).toBeGreaterThan(0)
    expect(second.testcases.length).toBeGreaterThan(0)
    // Every file tests Train's script, so the second shard finds it in the first one's cache.
    const trainInSecond = second.testcases.filter((testCase) =>
      /scripts Train /.test(`${testCase.classname} ${testCase.name}`),
    )
    expect(trainInSecond.length).toBeGreaterThan(0)
    for (const testCase of trainInSecond) expect(testCase.properties.cached).toBe('true')
  })
})
