import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { execa } from 'execa'
import { repoRoot, test as baseTest } from '../../../test/support/fixtures.js'
import { parseJunit, type JunitTestCase } from './junit-xml.js'

/** The parts of Jest's `--json` report the tests read. */
export interface JestReport {
  numTotalTests: number
  numPassedTests: number
  numFailedTests: number
  numPendingTests: number
  testResults: Array<{
    name: string
    message: string
    assertionResults: Array<{
      ancestorTitles: string[]
      title: string
      fullName: string
      status: 'passed' | 'failed' | 'pending' | 'todo'
      failureMessages: string[]
    }>
  }>
}

export interface JestRun {
  exitCode: number
  /** Jest's console output (its reporters write to stderr). */
  output: string
  report: JestReport
  testcases: JunitTestCase[]
}

/** Runs the repository's Jest on a project (see `runJestIn`). */
export type RunJest = (
  projectDir: string,
  args?: string[],
  env?: Record<string, string>,
  options?: { ci?: boolean },
) => Promise<JestRun>

/**
 * The fixtures of the Jest adapter's tests, plus `jestProject`: copies fixture projects (later
 * ones over earlier ones) with the Jest configuration laid over them and the repository's
 * node_modules linked in, so tests import the built packages; and `runJest`, each run writing
 * its reports in a fresh folder of `tempDir` (a test may run Jest on a project several times).
 * All removed after the test.
 */
export const test = baseTest
  .extend(
    'jestProject',
    async ({ fixtureProject }) =>
      (...names: string[]) =>
        fixtureProject([...names, 'jest-config'], { linkNodeModules: true }),
  )
  .extend(
    'runJest',
    async ({ tempDir }): Promise<RunJest> =>
      (projectDir, args, env, options) =>
        runJestIn(tempDir('pipetest-jest-report-'), projectDir, args, env, options),
  )

export const jestBin = join(repoRoot, 'node_modules', '.bin', 'jest')
/** jest-junit `require`s the properties module by path: the built one, as a user's would be. */
const junitPropertiesDir = join(repoRoot, 'packages', 'jest', 'dist')

/**
 * Runs the repository's Jest on a project as CI would — `--ci`, the default reporter and
 * jest-junit (configured through its environment variables, as the CLI reporter flag allows)
 * — and returns the JSON report and the JUnit testcases, which it writes in `outDir`.
 */
async function runJestIn(
  outDir: string,
  projectDir: string,
  args: string[] = [],
  env: Record<string, string> = {},
  { ci = true }: { ci?: boolean } = {},
): Promise<JestRun> {
  const result = await execa(
    jestBin,
    [
      // Jest's --ci also refuses to write new snapshots: the snapshot tests run both ways.
      // Explicitly both ways: without the flag Jest follows the CI variable of the machine.
      ci ? '--ci' : '--ci=false',
      '--reporters=default',
      '--reporters=jest-junit',
      '--json',
      `--outputFile=${join(outDir, 'report.json')}`,
      ...args,
    ],
    {
      cwd: projectDir,
      reject: false,
      all: true,
      env: {
        JEST_JUNIT_OUTPUT_DIR: outDir,
        JEST_JUNIT_OUTPUT_NAME: 'junit.xml',
        JEST_JUNIT_TEST_CASE_PROPERTIES_DIR: junitPropertiesDir,
        JEST_JUNIT_TEST_CASE_PROPERTIES_JSON_FILE: 'junit-properties.js',
        // Each project keeps its properties files to itself: tests run in parallel.
        PIPETEST_JEST_PROPERTIES_DIR: join(outDir, 'properties'),
        NO_COLOR: '1',
        ...env,
      },
    },
  )
  const output = result.all ?? ''
  const read = async (name: string) => {
    try {
      return await readFile(join(outDir, name), 'utf8')
    } catch {
      throw new Error(`Jest wrote no ${name} (exit code ${result.exitCode}):\n${output}`)
    }
  }
  return {
    exitCode: result.exitCode ?? -1,
    output,
    report: JSON.parse(await read('report.json')) as JestReport,
    testcases: parseJunit(await read('junit.xml')),
  }
}

/** Every test of the report as `"<describe> › … › <title>": status`, in report order. */
export function statuses(report: JestReport): Record<string, string> {
  const byName: Record<string, string> = {}
  for (const file of report.testResults) {
    for (const test of file.assertionResults) {
      byName[[...test.ancestorTitles, test.title].join(' › ')] = test.status
    }
  }
  return byName
}

/** The one failure message of the test titled `title` (anywhere in the report). */
export function failureOf(report: JestReport, title: string): string {
  const tests = report.testResults.flatMap((file) => file.assertionResults)
  const test = tests.find((candidate) => candidate.title === title)
  if (!test) throw new Error(`no test titled "${title}" in the report`)
  if (test.failureMessages.length !== 1) {
    throw new Error(`"${title}" has ${test.failureMessages.length} failure messages`)
  }
  return test.failureMessages[0]!
}
