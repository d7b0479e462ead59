import { readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { expect } from 'vitest'
import { statuses, type JestRun, test } from './run-jest.js'

const failures = (run: JestRun, title: string) =>
  run.report.testResults
    .flatMap((file) => file.assertionResults)
    .filter((a) => a.title === title)
    .flatMap((a) => a.failureMessages)
    .join('\n')

test("output snapshots go through Jest's CommonJS runtime: written, stable, a readable diff on change, -u, refused under --ci", async ({
  jestProject,
  runJest,
}) => {
  const dir = await jestProject('output-snapshots')
  const snapFile = join(dir, 'jest', '__snapshots__', 'snapshots.jest.test.ts.snap')
  const script = join(dir, 'scripts', 'featurize.py')

  const first = await runJest(dir, [], {}, { ci: false })
  expect(first.exitCode, first.output).toBe(0)
  expect(first.output).toContain('3 snapshots written')
  const written = await readFile(snapFile, 'utf8')
  expect(written).toContain(
    'exports[`pipeline scoring scripts Featurize runs and writes features, stats: features 1`]',
  )
  expect(written).toContain('stats: stats 1`]')
  expect(written).toContain('exports[`the features match their snapshot: Featurize features 1`]')
  expect(written).toContain('"1 | 2.1429 | <masked>"')
  expect(written).not.toMatch(/created_at|generated_at|\.pipetest|runs\//)

  const second = await runJest(dir)
  expect(second.exitCode, second.output).toBe(0)
  expect(await readFile(snapFile, 'utf8')).toBe(written)

  await writeFile(script, (await readFile(script, 'utf8')).replace('SCALE = 1.5', 'SCALE = 2.0'))
  const changed = await runJest(dir)
  expect(changed.exitCode).toBe(1)
  expect(statuses(changed.report)).toMatchObject({
    'pipeline scoring › scripts › Featurize runs and writes features, stats': 'failed',
    'the features match their snapshot': 'failed',
    'the stats are what they were': 'passed',
  })
  const failure = failures(changed, 'Featurize runs and writes features, stats')
  expect(failure).toContain(
    'Snapshot name: `pipeline scoring scripts Featurize runs and writes features, stats: features 1`',
  )
  expect(failure).toContain('-     "1 | 2.1429 | 0",')
  expect(failure).toContain('+     "1 | 2.8571 | 0",')
  expect(changed.output).toContain('3 snapshots failed')
  expect(await readFile(snapFile, 'utf8')).toBe(written)

  const updated = await runJest(dir, ['-u'])
  expect(updated.exitCode, updated.output).toBe(0)
  expect(updated.output).toContain('3 snapshots updated')
  expect((await runJest(dir)).exitCode).toBe(0)

  const obsolete = await runJest(dir, [], { OBSOLETE: '1' })
  expect(obsolete.output).toContain('2 snapshots obsolete')

  // --ci: a missing snapshot fails and is not written.
  await rm(snapFile)
  const ci = await runJest(dir)
  expect(ci.exitCode).toBe(1)
  expect(failures(ci, 'the features match their snapshot')).toContain(
    'New snapshot was not written',
  )
  await expect(readFile(snapFile, 'utf8')).rejects.toThrow(/ENOENT/)
})
