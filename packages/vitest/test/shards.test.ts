import { readFile, readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { execa } from 'execa'
import { describe, expect } from 'vitest'
import { test } from '../../../test/support/fixtures.js'
import { readJUnit, type JUnitCase } from './junit.js'
import { assertBuilt, childEnv, vitestBin } from './run-vitest.js'

/** The README's CI recipe, on one machine: two shards, one cache folder, one merged JUnit. */
describe('Vitest --shard with blob reports and --merge-reports', () => {
  const vitest = async (root: string, args: string[], env: Record<string, string>) => {
    const result = await execa(vitestBin, ['--root', root, ...args], {
      cwd: root,
      env: { ...childEnv(), ...env },
      extendEnv: false,
      reject: false,
      all: true,
      timeout: 300_000,
    })
    expect(result.exitCode, result.all).toBe(0)
  }
  const testSet = (cases: JUnitCase[]) =>
    cases.map((testCase) => `${testCase.classname} › ${testCase.name}`).sort()

  test('two shards sharing the cache give the JUnit test set of one unsharded run, and the second re-executes nothing the first produced', async ({
    fixtureProject,
  }) => {
    assertBuilt()
    const [sharded, whole] = await Promise.all([
      fixtureProject(['passing', 'vitest-shards'], { linkNodeModules: true }),
      fixtureProject(['passing', 'vitest-shards'], { linkNodeModules: true }),
    ])
    const cacheOn = { PIPETEST_CACHE: '1' }
    // One after the other, as a CI matrix whose second job restores the first one's cache.
    for (const shard of ['1/2', '2/2']) {
      await vitest(sharded, ['run', `--shard=${shard}`, '--reporter=blob'], cacheOn)
    }
    expect((await readdir(join(sharded, '.vitest-reports'))).sort()).toEqual([
      'blob-1-2.json',
      'blob-2-2.json',
    ])
    await vitest(
      sharded,
      [
        '--merge-reports',
        '--reporter=@pipetest/vitest/junit',
        '--outputFile.junit=reports/junit.xml',
      ],
      cacheOn,
    )
    await vitest(
      whole,
      ['run', '--reporter=@pipetest/vitest/junit', '--outputFile.junit=reports/junit.xml'],
      {
        PIPETEST_CACHE: '0',
      },
    )
    const merged = readJUnit(await readFile(join(sharded, 'reports/junit.xml'), 'utf8'))
    const unsharded = readJUnit(await readFile(join(whole, 'reports/junit.xml'), 'utf8'))

    expect(testSet(merged)).toEqual(testSet(unsharded))
    expect(merged.length).toBeGreaterThanOrEqual(10)
    expect(merged.every((testCase) => testCase.status === 'passed')).toBe(true)
    // Both halves test Train's script: the shard that ran second restored it from the cache.
    const trainScripts = merged.filter((testCase) => / > scripts > Train /.test(testCase.name))
    expect(trainScripts).toHaveLength(2)
    expect(trainScripts.map((testCase) => testCase.properties.cached ?? 'false').sort()).toEqual([
      'false',
      'true',
    ])
  })
})
