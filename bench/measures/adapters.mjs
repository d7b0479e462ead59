import { makeProject, writePipeline } from '../lib/generators.mjs'
import { join } from 'node:path'
import { JEST_BIN, VITEST_BIN } from '../lib/pipetest.mjs'
import { runOk } from '../lib/processes.mjs'
import { WAIT_TEST_MS, writeJestFiles, writeVitestFiles } from '../lib/projects.mjs'
import { lattice } from '../lib/shapes.mjs'
import { formatMs } from '../lib/table.mjs'
import { compareInterleaved } from '../lib/timing.mjs'

const TARGET = 1.1

/**
 * Measure 4 — adapter overhead, on a 20-node pipeline (a 5 × 4 lattice of trivial Python
 * steps, path-wired specs, all tiers):
 *
 *   adapter cost = T(`vitest run pipeline.test.mjs`) − T(`vitest run empty.test.mjs`)
 *   baseline     = T(`pipetest run pipeline.dag.json`)
 *   ratio        = adapter cost / baseline
 *
 * i.e. what the pipeline adds to a Vitest run, compared with running it from the CLI. The
 * CLI's own start-up is inside the baseline; the stricter variant that removes it too
 * (baseline − T(`pipetest --version`)) is reported in the JSON as `strictRatio`. The same
 * with Jest. All commands are interleaved within each repetition; each must exit 0. The
 * execution cache is off (PIPETEST_CACHE=0) for all of them: with it on, every repetition after
 * the first restores the pipeline instead of running it, and the ratio would compare fixed
 * costs, not the running of a pipeline (measure 11 times the cache).
 *
 * A context row per framework takes out what the framework adds to ANY test file that lasts,
 * which the empty file (done in a few ms) does not pay: T(a file whose one test waits
 * WAIT_TEST_MS) − T(empty) − WAIT_TEST_MS. Jest's reporter, for one, keeps the process 100 ms
 * after the last result of a file that ran longer than 100 ms (a debounce timer in its
 * status line), whatever the file does.
 */
export async function measureAdapters({ repeat, log }) {
  const root = makeProject('adapters', { install: true })
  const pipeline = writePipeline(root, lattice(5, 4), { runner: 'python' })
  const vitestFiles = writeVitestFiles(root, { testDataDir: pipeline.testDataDir })
  const jestFiles = writeJestFiles(root, { testDataDir: pipeline.testDataDir })
  // The CLI as installed in the project, like the adapters.
  const cli = join(root, 'node_modules', 'pipetest', 'dist', 'cli.cjs')
  const node = process.execPath
  const inProject = (args) => () => runOk(node, args, { cwd: root, env: quietEnv() })

  const commands = {
    pipetestRun: inProject([cli, 'run', 'pipeline.dag.json']),
    pipetestVersion: inProject([cli, '--version']),
    vitestPipeline: inProject([VITEST_BIN, 'run', vitestFiles.pipelineTest]),
    vitestEmpty: inProject([VITEST_BIN, 'run', vitestFiles.emptyTest]),
    vitestWait: inProject([VITEST_BIN, 'run', vitestFiles.waitTest]),
    jestPipeline: inProject([JEST_BIN, '--ci', jestFiles.pipelineTest]),
    jestEmpty: inProject([JEST_BIN, '--ci', jestFiles.emptyTest]),
    jestWait: inProject([JEST_BIN, '--ci', jestFiles.waitTest]),
  }
  const frameworks = [
    ['vitest', 'Vitest'],
    ['jest', 'Jest'],
  ]
  // Untimed round: fills the frameworks' caches and the OS page cache for every command, and
  // finds out whether each works. The CLI is the baseline of both and must; a framework whose
  // run fails gets an error row and the other is still measured.
  await commands.pipetestRun()
  await commands.pipetestVersion()
  const failures = {}
  for (const [name] of frameworks) {
    try {
      await commands[`${name}Pipeline`]()
      await commands[`${name}Empty`]()
      await commands[`${name}Wait`]()
    } catch (error) {
      failures[name] = error instanceof Error ? error.message : String(error)
      delete commands[`${name}Pipeline`]
      delete commands[`${name}Empty`]
      delete commands[`${name}Wait`]
    }
  }
  const timings = await compareInterleaved(commands, repeat)
  const t = (name) => timings[name].median

  const rows = []
  const details = {
    nodes: pipeline.shape.nodes.length,
    edges: pipeline.shape.edges.length,
    medianMs: {},
    failures,
  }
  for (const [name, framework] of frameworks) {
    const measure = `4. adapter overhead, ${framework} (20 nodes, all tiers)`
    if (failures[name]) {
      log(`  ${framework} failed: ${failures[name]}`)
      rows.push({
        measure,
        figure: 'error',
        baseline: '—',
        ratio: null,
        target: `≤ ${TARGET}×`,
        met: false,
      })
      continue
    }
    const cost = t(`${name}Pipeline`) - t(`${name}Empty`)
    const ratio = cost / t('pipetestRun')
    const strictRatio = cost / (t('pipetestRun') - t('pipetestVersion'))
    log(
      `  ${framework}: ${formatMs(cost)} over an empty run; pipetest run ${formatMs(t('pipetestRun'))}`,
    )
    rows.push({
      measure,
      figure: `${formatMs(cost)} (${formatMs(t(`${name}Pipeline`))} − ${formatMs(t(`${name}Empty`))} empty)`,
      baseline: `${formatMs(t('pipetestRun'))} pipetest run`,
      ratio,
      target: `≤ ${TARGET}×`,
      met: ratio <= TARGET,
    })
    // What the framework adds to a file that lasts, whoever fills it (see above).
    const lastingFileMs = t(`${name}Wait`) - t(`${name}Empty`) - WAIT_TEST_MS
    rows.push({
      measure: `4. (context) ${framework}, less what it adds to any file that lasts`,
      figure: `${formatMs(cost - lastingFileMs)} (${formatMs(lastingFileMs)} less)`,
      baseline: `${formatMs(t('pipetestRun'))} pipetest run`,
      ratio: (cost - lastingFileMs) / t('pipetestRun'),
      target: 'context',
      met: null,
    })
    details[name] = {
      costMs: cost,
      ratio,
      strictRatio,
      lastingFileMs,
      ratioLessLastingFile: (cost - lastingFileMs) / t('pipetestRun'),
    }
  }
  for (const [name, timing] of Object.entries(timings)) {
    details.medianMs[name] = timing.median
  }
  details.samplesMs = Object.fromEntries(
    Object.entries(timings).map(([name, timing]) => [name, timing.samples]),
  )
  return { rows, details }
}

/** No colours or TTY-only output in the timed tools, as in CI; every execution runs. */
function quietEnv() {
  return { ...process.env, CI: '1', NO_COLOR: '1', FORCE_COLOR: '0', PIPETEST_CACHE: '0' }
}
