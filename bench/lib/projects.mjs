import { writeFileSync } from 'node:fs'
import { join } from 'node:path'

/**
 * Test-framework scaffolding for a generated pipeline project, written as a user would:
 * a `describePipeline` test file per framework, an "empty" test file (one trivial test)
 * whose run is the framework's own start-up cost, a "wait" test file (one test that waits
 * WAIT_TEST_MS) whose run shows what the framework adds to any test file that lasts, and for
 * Vitest the files and the reporter of the collection measure. Caches go inside the project so that nothing is written into the
 * repository's node_modules.
 */
export function writeVitestFiles(root, { dag = 'pipeline.dag.json', testDataDir } = {}) {
  writeFileSync(join(root, 'package.json'), '{ "private": true, "type": "module" }\n')
  writeFileSync(
    join(root, 'vitest.config.mjs'),
    "export default { cacheDir: '.cache/vite', test: { include: ['*.test.mjs'] } }\n",
  )
  writeFileSync(
    join(root, 'pipeline.test.mjs'),
    [
      "import { fileURLToPath } from 'node:url'",
      "import { describePipeline } from '@pipetest/vitest'",
      '',
      describePipelineCall(dag, "fileURLToPath(new URL('.', import.meta.url))", testDataDir),
      '',
    ].join('\n'),
  )
  writeFileSync(
    join(root, 'empty.test.mjs'),
    "import { test } from 'vitest'\n\ntest('nothing', () => {})\n",
  )
  writeFileSync(join(root, 'wait.test.mjs'), `import { test } from 'vitest'\n\n${waitTest()}`)
  // For the scale measure: the same, but the adapter is imported dynamically and timed, so
  // that loading pipetest can be told apart from collecting the pipeline's tests.
  writeFileSync(
    join(root, 'collect.test.mjs'),
    [
      "import { fileURLToPath } from 'node:url'",
      '',
      'const started = performance.now()',
      "const { describePipeline } = await import('@pipetest/vitest')",
      'console.log(`PIPETEST_IMPORT_MS ${performance.now() - started}`)',
      '',
      describePipelineCall(dag, "fileURLToPath(new URL('.', import.meta.url))", testDataDir),
      '',
    ].join('\n'),
  )
  // Its counterpart without a pipeline: the adapter imported the same way, one trivial test.
  writeFileSync(
    join(root, 'adapter.test.mjs'),
    [
      "import { test } from 'vitest'",
      '',
      'const started = performance.now()',
      "await import('@pipetest/vitest')",
      'console.log(`PIPETEST_IMPORT_MS ${performance.now() - started}`)',
      '',
      "test('nothing', () => {})",
      '',
    ].join('\n'),
  )
  // Prints, per test file, Vitest's own measure of its collection and the tests collected,
  // and passes on what collect.test.mjs logs about its import.
  writeFileSync(
    join(root, 'collect-reporter.mjs'),
    [
      'export default class {',
      '  onUserConsoleLog(log) {',
      "    if (log.content.startsWith('PIPETEST_IMPORT_MS ')) process.stdout.write(log.content)",
      '  }',
      '  onTestRunEnd(testModules) {',
      '    for (const module of testModules) {',
      '      const tests = [...module.children.allTests()].length',
      '      const { collectDuration } = module.diagnostic()',
      '      console.log(`COLLECTED ${JSON.stringify({ tests, collectDuration })}`)',
      '    }',
      '  }',
      '}',
      '',
    ].join('\n'),
  )
  return {
    pipelineTest: 'pipeline.test.mjs',
    emptyTest: 'empty.test.mjs',
    waitTest: 'wait.test.mjs',
    adapterTest: 'adapter.test.mjs',
    collectTest: 'collect.test.mjs',
    collectReporter: './collect-reporter.mjs',
  }
}

export function writeJestFiles(root, { dag = 'pipeline.dag.json', testDataDir } = {}) {
  writeFileSync(
    join(root, 'jest.config.cjs'),
    [
      'module.exports = {',
      "  testEnvironment: 'node',",
      "  testMatch: ['<rootDir>/*.test.cjs'],",
      '  transform: {},',
      "  cacheDirectory: '<rootDir>/.cache/jest',",
      '}',
      '',
    ].join('\n'),
  )
  writeFileSync(
    join(root, 'pipeline.test.cjs'),
    [
      "const { describePipeline } = require('@pipetest/jest')",
      '',
      describePipelineCall(dag, '__dirname', testDataDir),
      '',
    ].join('\n'),
  )
  writeFileSync(join(root, 'empty.test.cjs'), "test('nothing', () => {})\n")
  writeFileSync(join(root, 'wait.test.cjs'), waitTest())
  return {
    pipelineTest: 'pipeline.test.cjs',
    emptyTest: 'empty.test.cjs',
    waitTest: 'wait.test.cjs',
  }
}

/**
 * How long the "wait" test file's one test takes. Its run less the empty file's, less this, is
 * what a framework adds to any test file that lasts a while (Jest's reporter, for one, holds
 * the process 100 ms after the last result of a file that ran longer than that).
 */
export const WAIT_TEST_MS = 400

function waitTest() {
  return `test('waits ${WAIT_TEST_MS} ms', () => new Promise((resolve) => setTimeout(resolve, ${WAIT_TEST_MS})))\n`
}

/** The `describePipeline(…)` statement of a generated test file; `rootDir` is source code. */
function describePipelineCall(dag, rootDir, testDataDir) {
  return [
    `describePipeline(${JSON.stringify(dag)}, {`,
    `  rootDir: ${rootDir},`,
    `  testDataDir: ${JSON.stringify(testDataDir)},`,
    '})',
  ].join('\n')
}
