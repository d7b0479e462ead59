import { readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { beforeAll, expect } from 'vitest'
import { test } from '../../../test/support/fixtures.js'
import { assertBuilt, runVitest, type VitestRun } from './run-vitest.js'

beforeAll(assertBuilt)

const statusOf = (run: VitestRun) =>
  Object.fromEntries(run.assertions.map((a) => [a.title, a.status]))

test('output snapshots go through Vitest: written, stable, a readable diff on change, -u, refused in CI', async ({
  fixtureProject,
}) => {
  const root = await fixtureProject(['output-snapshots'], { linkNodeModules: true })
  const snapFile = join(root, 'vitest', '__snapshots__', 'snapshots.test.ts.snap')
  const script = join(root, 'scripts', 'featurize.py')

  // First run: the snapshots are written (explicitly: a CI machine would refuse).
  const first = await runVitest(root, ['--update=new'])
  expect(first.exitCode, first.output).toBe(0)
  expect(first.output).toContain('3 written')
  const written = await readFile(snapFile, 'utf8')
  // One per output of the generated scripts test, one for the matcher; nothing volatile.
  expect(written).toContain(
    'exports[`pipeline scoring > scripts > Featurize runs and writes features, stats > features 1`]',
  )
  expect(written).toContain('> stats 1`]')
  expect(written).toContain('exports[`the features match their snapshot > Featurize features 1`]')
  expect(written).toContain('"id | score | label"')
  expect(written).toContain('"1 | 2.1429 | 0"') // rounded to 4 digits, sorted by id
  expect(written).toContain('"1 | 2.1429 | <masked>"')
  expect(written).not.toMatch(/created_at|generated_at|\.pipetest|runs\//)

  // Second run: the same snapshots (row order and timestamps vary between runs).
  const second = await runVitest(root)
  expect(second.exitCode, second.output).toBe(0)
  expect(await readFile(snapFile, 'utf8')).toBe(written)

  // The script changes its output: both snapshot checks fail with Vitest's diff.
  await writeFile(script, (await readFile(script, 'utf8')).replace('SCALE = 1.5', 'SCALE = 2.0'))
  const changed = await runVitest(root)
  expect(changed.exitCode).toBe(1)
  expect(statusOf(changed)).toMatchObject({
    'Featurize runs and writes features, stats': 'failed',
    'the features match their snapshot': 'failed',
    'the stats are what they were': 'passed',
  })
  const failure = changed.assertions
    .find((a) => a.title === 'Featurize runs and writes features, stats')!
    .failureMessages.join('\n')
  expect(failure).toContain('features 1` mismatched')
  expect(failure).toContain('stats 1` mismatched') // every output is compared
  expect(changed.output).toContain('-     "1 | 2.1429 | 0",')
  expect(changed.output).toContain('+     "1 | 2.8571 | 0",')
  expect(await readFile(snapFile, 'utf8')).toBe(written)

  // -u accepts the change.
  const updated = await runVitest(root, ['-u'])
  expect(updated.exitCode, updated.output).toBe(0)
  expect(updated.output).toContain('3 updated')
  expect(await readFile(snapFile, 'utf8')).toContain('"1 | 2.8571 | 0"')
  expect((await runVitest(root)).exitCode).toBe(0)

  // Snapshots no longer checked are reported obsolete.
  const obsolete = await runVitest(root, [], { OBSOLETE: '1' })
  expect(obsolete.output).toMatch(/2 obsolete/)

  // In CI a missing snapshot fails and is not written.
  await rm(snapFile)
  const ci = await runVitest(root, [], { CI: 'true' })
  expect(ci.exitCode).toBe(1)
  expect(statusOf(ci)['Featurize runs and writes features, stats']).toBe('failed')
  await expect(readFile(snapFile, 'utf8')).rejects.toThrow(/ENOENT/)
})
