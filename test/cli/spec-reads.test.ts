import { beforeAll, describe, expect } from 'vitest'
import { it } from '../support/fixtures.js'
import { join } from 'node:path'
import { readFileSync, writeFileSync } from 'node:fs'
import { assertBuilt, chainProject, cliCountingSpecReads } from './cli-harness.js'

beforeAll(assertBuilt)

// Each command reads each spec file once: the work of a command, measured without timing it.
describe('one read of each spec file per command (5 specs)', () => {
  it.for<[string, string[]]>([
    ['validate', ['validate', 'pipeline.dag.json']],
    ['run', ['run', 'pipeline.dag.json', '--tier', 'scripts']],
    ['spec set', ['spec', 'set', 'Step002_training', '--env', 'SEED=3']],
    [
      'spec set --dag',
      ['spec', 'set', 'Step002_training', '--dag', 'pipeline.dag.json', '--arg', 'lr=1.0'],
    ],
  ])('%s', async ([, args], { tempDir }) => {
    const project = chainProject(tempDir(), 5)
    const result = await cliCountingSpecReads(args, { cwd: project.root, tempDir })
    expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0)
    expect(result.specReads).toBe(5)
  })
})

it('reads a spec file that fails validation once too (its step name comes from the same read)', async ({
  tempDir,
}) => {
  const project = chainProject(tempDir(), 5)
  const file = join(project.root, 'test/integration/runtime/.specs/step002_runtime_test_spec.json')
  writeFileSync(
    file,
    JSON.stringify({ ...JSON.parse(readFileSync(file, 'utf8')), timeout_seconds: 'soon' }),
  )
  const result = await cliCountingSpecReads(['validate', 'pipeline.dag.json'], {
    cwd: project.root,
    tempDir,
  })
  expect(result.stdout).toContain('Step002_training')
  expect(result.code).toBe(1)
  expect(result.specReads).toBe(5)
})
