import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'packages/*/test/**/*.test.ts'],
    exclude: ['**/node_modules/**', 'test/fixtures/**', '**/dist/**'],
    // Tests start real processes (Python, Node, Vitest, Jest); give them room on a 2-core CI box.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // The execution cache is on by default for users; the project's own tests count and time
    // real executions, so it is off here, and test/cache turns it on where it is the subject.
    env: { PIPETEST_CACHE: '0' },
  },
})
