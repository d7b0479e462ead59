import { existsSync } from 'node:fs'
import { mkdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { execa } from 'execa'
import { fixtureNodeModules, repoRoot } from '../../../test/support/fixtures.js'
import { readJUnit, type JUnitCase } from './junit.js'

/** One assertion of Vitest's JSON reporter (Jest's format). */
export interface JsonAssertion {
  fullName: string
  title: string
  ancestorTitles: string[]
  status: 'passed' | 'failed' | 'skipped' | 'pending' | 'todo'
  failureMessages: string[]
}

export interface VitestRun {
  exitCode: number
  /** Default reporter output, without colours. */
  output: string
  assertions: JsonAssertion[]
  junit: JUnitCase[]
  /** Test-file level errors (collection failures) from the JSON report. */
  fileMessages: string[]
}

export const vitestBin = join(repoRoot, 'node_modules', '.bin', 'vitest')

/**
 * The adapter is tested as users get it: fixture projects import `@pipetest/vitest` by name,
 * which resolves to the built package. The root `npm test` builds first; a bare
 * `vitest run` after editing sources needs `npm run build` too.
 */
export function assertBuilt(): void {
  const missing = ['pipetest', '@pipetest/vitest']
    .map((name) => join(fixtureNodeModules(), name, 'dist', 'index.js'))
    .filter((file) => !existsSync(file))
  if (missing.length > 0) {
    throw new Error(`Build the packages first (npm run build): missing ${missing.join(', ')}`)
  }
}

/** Runs real Vitest in `root` with the default, JSON and JUnit reporters. */
export async function runVitest(
  root: string,
  args: string[] = [],
  env: Record<string, string> = {},
): Promise<VitestRun> {
  const reports = join(root, 'reports')
  await mkdir(reports, { recursive: true })
  const result = await execa(
    vitestBin,
    [
      'run',
      '--root',
      root,
      '--reporter=default',
      '--reporter=json',
      `--outputFile.json=${join(reports, 'results.json')}`,
      '--reporter=@pipetest/vitest/junit',
      `--outputFile.junit=${join(reports, 'junit.xml')}`,
      ...args,
    ],
    {
      cwd: root,
      reject: false,
      env: { ...childEnv(), ...env },
      extendEnv: false,
      all: true,
      timeout: 300_000,
    },
  )
  const json = JSON.parse(await readFile(join(reports, 'results.json'), 'utf8')) as {
    testResults: Array<{ message: string; assertionResults: JsonAssertion[] }>
  }
  return {
    exitCode: result.exitCode ?? -1,
    output: result.all ?? '',
    assertions: json.testResults.flatMap((file) => file.assertionResults),
    fileMessages: json.testResults.map((file) => file.message).filter((message) => message !== ''),
    junit: readJUnit(await readFile(join(reports, 'junit.xml'), 'utf8')),
  }
}

/** Our own Vitest's variables would make the child think it runs inside a worker. */
export function childEnv(): Record<string, string> {
  const env: Record<string, string> = {}
  for (const [key, value] of Object.entries(process.env)) {
    if (value === undefined || key.startsWith('VITEST') || key === 'NODE_ENV' || key === 'TEST')
      continue
    env[key] = value
  }
  return { ...env, NO_COLOR: '1', FORCE_COLOR: '0', VITE_CONFIG_NATIVE_IGNORE_WARNING: 'true' }
}

export function counts(run: VitestRun): { passed: number; failed: number; skipped: number } {
  return {
    passed: run.junit.filter((c) => c.status === 'passed').length,
    failed: run.junit.filter((c) => c.status === 'failed').length,
    skipped: run.junit.filter((c) => c.status === 'skipped').length,
  }
}

export function testcase(run: VitestRun, name: string): JUnitCase {
  const found = run.junit.find((c) => c.name === name)
  if (!found)
    throw new Error(`No testcase "${name}" in:\n${run.junit.map((c) => c.name).join('\n')}`)
  return found
}
