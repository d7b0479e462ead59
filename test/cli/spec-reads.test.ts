import { beforeAll, describe, expect, it } from 'vitest'
import { assertBuilt, chainProject, cliCountingSpecReads } from './cli-harness.js'

beforeAll(assertBuilt)

// Each command reads each spec file once: the work of a command, measured without timing it.
describe('one read of each spec file per command (5 specs)', () => {
  it.each([
    ['validate', ['validate', 'pipeline.dag.json']],
    ['run', ['run', 'pipeline.dag.json', '--tier', 'scripts']],
    ['spec set', ['spec', 'set', 'Step002_training', '--env', 'SEED=3']],
    [
      'spec set --dag',
      ['spec', 'set', 'Step002_training', '--dag', 'pipeline.dag.json', '--arg', 'lr=1.0'],
    ],
  ])('%s', async (_, args) => {
    const project = chainProject(5)
    const result = await cliCountingSpecReads(args, { cwd: project.root })
    expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0)
    expect(result.specReads).toBe(5)
  })
})
