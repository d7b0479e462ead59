// Jest configuration for the examples. Run from the repository root: `npm run example`, or
// `npx jest --config examples/jest.config.cjs [examples/<name>]`.
const { basename, dirname } = require('node:path')

// jest-junit looks for its testcase-properties module as <directory>/<file>, so the module
// shipped by @pipetest/jest (node, script, runner, exit code, duration, run folder of each
// generated test) is given as its folder and its file name.
const junitProperties = require.resolve('@pipetest/jest/junit-properties')

/** @type {import('jest').Config} */
module.exports = {
  // The repository root, so that reports/ lands next to Vitest's report.
  rootDir: '..',
  // Only the examples are crawled; run folders of past runs hold outputs, not tests.
  roots: ['<rootDir>/examples'],
  modulePathIgnorePatterns: ['/\\.pipetest/'],
  testMatch: ['<rootDir>/examples/*/pipeline.jest.test.ts'],
  // Owns the pipeline runs of a test file (no script outlives it) and records the
  // properties jest-junit reads.
  testEnvironment: '@pipetest/jest/environment',
  transform: {
    // The repository is ESM ("type": "module"); Jest's default runtime wants CommonJS, so
    // ts-jest compiles the test files to CommonJS (where `__dirname` exists).
    '^.+\\.ts$': [
      'ts-jest',
      { tsconfig: { module: 'commonjs', moduleResolution: 'node10', verbatimModuleSyntax: false } },
    ],
  },
  reporters: [
    'default',
    // The HTML report of the Jest run (the DAG coloured by result): reports/jest/pipetest-report.html.
    ['@pipetest/jest/reporter', { outputDir: 'reports/jest' }],
    [
      'jest-junit',
      {
        outputDirectory: '<rootDir>/reports',
        outputName: 'junit-jest.xml',
        testCasePropertiesDirectory: dirname(junitProperties),
        testCasePropertiesFile: basename(junitProperties),
      },
    ],
  ],
}
