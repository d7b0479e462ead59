import { join } from 'node:path'
import { execa } from 'execa'
import { expect, test } from 'vitest'
import { repoRoot } from '../../../test/support/fixtures.js'
import { assertBuilt } from './run-vitest.js'

test('the shipped d.ts types the matchers and rejects their misuse', async () => {
  assertBuilt()
  const project = join(repoRoot, 'packages', 'vitest', 'test', 'types', 'tsconfig.json')
  const result = await execa(join(repoRoot, 'node_modules', '.bin', 'tsc'), ['-p', project], {
    reject: false,
    all: true,
  })
  expect(result.all).toBe('')
  expect(result.exitCode).toBe(0)
})
