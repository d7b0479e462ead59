import { join } from 'node:path'
import { execa } from 'execa'
import { expect, test } from 'vitest'
import { repoRoot } from '../../../test/support/fixtures.js'

const typesDir = join(repoRoot, 'packages', 'jest', 'test', 'types')

// Each project is a user's: CommonJS, strict, our published declarations (dist), and
// `@ts-expect-error` lines that make a misuse that type-checks fail the test.
test.concurrent.each([
  ['@jest/globals (`declare module "expect"`)', 'jest-globals'],
  ['the global jest namespace (@types/jest)', 'jest-namespace'],
])('the matchers are typed for %s', async (_, project) => {
  const result = await execa(
    join(repoRoot, 'node_modules', '.bin', 'tsc'),
    ['-p', join(typesDir, project)],
    {
      reject: false,
      all: true,
    },
  )
  expect(result.all).toBe('')
  expect(result.exitCode).toBe(0)
})
