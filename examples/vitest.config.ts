import { fileURLToPath } from 'node:url'
import { pipetest } from '@pipetest/vitest/plugin'
import { defineConfig } from 'vitest/config'

// Run from the repository root: `npm run example`, or
// `npx vitest run --config examples/vitest.config.ts [examples/<name>]`.
export default defineConfig({
  // In watch mode, editing a script, a spec or a sample-data file reruns its pipeline's tests
  // (Vitest's import graph cannot see those files).
  plugins: [pipetest()],
  test: {
    // Paths below are relative to the repository root, wherever Vitest is started from.
    root: fileURLToPath(new URL('..', import.meta.url)),
    include: ['examples/*/pipeline.test.ts'],
    // 'tree' lists every generated test (node, edge, flow), as a newcomer wants to see them;
    // pipetest's reporter writes reports/pipetest-report.html (the DAG coloured by result),
    // its junit reporter Vitest's JUnit file with each test's properties.
    reporters: ['tree', '@pipetest/vitest/junit', '@pipetest/vitest/reporter'],
    outputFile: { junit: 'reports/junit.xml' },
  },
})
