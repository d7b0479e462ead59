import { mkdir, writeFile } from 'node:fs/promises'
import { join, relative } from 'node:path'
import { execa } from 'execa'
import { expect } from 'vitest'
import { jestBin, test } from './run-jest.js'

test("the preset keeps Jest out of pipetest's run folders: they are not in its file map", async ({
  jestProject,
}) => {
  // jestProject lays the adapter's Jest configuration (`preset: '@pipetest/jest'`) over it.
  const dir = await jestProject('passing')
  // The same test file in a run folder (a script may write anything there) and in the
  // project: Jest finds only what is in its file map, which without the preset holds every
  // file of every kept run, crawled again on each start.
  const runFolder = join('test', 'integration', 'runtime', '.pipetest', 'runs', 'r1', 'work')
  for (const folder of [runFolder, 'elsewhere']) {
    await mkdir(join(dir, folder), { recursive: true })
    await writeFile(join(dir, folder, 'found.stray.test.js'), "test('found', () => {})\n")
  }
  const { stdout } = await execa(
    jestBin,
    ['--listTests', '--testMatch', '**/*.stray.test.js', '--no-cache'],
    { cwd: dir },
  )
  const listed = stdout
    .trim()
    .split('\n')
    .map((file) => relative(dir, file))
  expect(listed).toEqual([join('elsewhere', 'found.stray.test.js')])
})
