/**
 * Runs every example as a test suite, the way a user's CI would: first with Vitest, then with
 * Jest, each writing a JUnit report. `npm run example` builds the packages and calls this.
 * Exits non-zero when either run fails; both always run, so one report never hides the other.
 */
import { spawnSync } from 'node:child_process'
import { existsSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = dirname(dirname(fileURLToPath(import.meta.url)))
const require = createRequire(import.meta.url)

/** The CLI file a package declares in its package.json "bin" (what `npx <name>` would run). */
function binOf(pkg) {
  const manifestPath = require.resolve(`${pkg}/package.json`)
  const { bin } = require(manifestPath)
  return join(dirname(manifestPath), typeof bin === 'string' ? bin : bin[pkg])
}

const runs = [
  {
    name: 'Vitest',
    bin: binOf('vitest'),
    args: ['run', '--config', 'examples/vitest.config.ts'],
    report: 'reports/junit.xml',
    html: 'reports/pipetest-report.html',
  },
  {
    name: 'Jest',
    bin: binOf('jest'),
    args: ['--config', 'examples/jest.config.cjs'],
    report: 'reports/junit-jest.xml',
    html: 'reports/jest/pipetest-report.html',
  },
]

const failed = []
for (const run of runs) {
  // A report left by an earlier run must not pass for this run's result.
  rmSync(join(root, run.report), { force: true })
  rmSync(join(root, run.html), { force: true })
  console.log(`\n▶ ${run.name}: ${['npx', run.name.toLowerCase(), ...run.args].join(' ')}\n`)
  // The test runners are started with this Node binary (no shell, no npx lookup) and share the
  // terminal, so their live output and colours reach the user unchanged.
  const result = spawnSync(process.execPath, [run.bin, ...run.args], {
    cwd: root,
    stdio: 'inherit',
  })
  if (result.error) console.error(`Could not start ${run.name}: ${result.error.message}`)
  if (result.status !== 0) failed.push(run.name)
}

console.log('\nJUnit reports:')
for (const run of runs) {
  const report = join(root, run.report)
  const state = existsSync(report) ? '' : ' (not written: the run did not finish)'
  console.log(`  ${run.name.padEnd(6)} ${relative(process.cwd(), report)}${state}`)
}
console.log('\nHTML reports (the DAG coloured by result; click a node for its details):')
for (const run of runs) {
  const report = join(root, run.html)
  const state = existsSync(report) ? '' : ' (not written: the run did not finish)'
  console.log(`  ${run.name.padEnd(6)} ${relative(process.cwd(), report)}${state}`)
}
if (failed.length > 0) {
  console.error(`\n${failed.join(' and ')} reported failures (see above).`)
  process.exit(1)
}
console.log('\nAll example pipelines passed under Vitest and Jest.')
