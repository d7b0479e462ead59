import { makeProject, writePipeline } from '../lib/generators.mjs'
import { VITEST_BIN, buildPipelineSpec } from '../lib/pipetest.mjs'
import { runOk } from '../lib/processes.mjs'
import { writeVitestFiles } from '../lib/projects.mjs'
import { lattice } from '../lib/shapes.mjs'
import { formatMs } from '../lib/table.mjs'
import { compareInterleaved, median } from '../lib/timing.mjs'

const GROWTH_TARGET = 1.5
const NODES_PER_SAMPLE = 5000
const COLLECT_REPORTER = './collect-reporter.mjs'
const NO_TEST_NAME = '^pipetest bench: collect only$'

/**
 * Measure 5 — scale. Lattices 10 nodes wide (n/10 layers; each node has a spec file, two
 * parents and two children), n = `sizes`:
 *
 * - build + validate: `validateSpecsCompleteness` + `buildFromDag` in this process, per node;
 * - Vitest collection: the `collectDuration` Vitest reports for `collect.test.mjs` (a
 *   `describePipeline` file) minus the time that file spent importing `@pipetest/vitest`,
 *   minus the same for `adapter.test.mjs` (the import and one trivial test: Vitest's own cost
 *   of collecting a file), per node. Loading pipetest happens once per file whatever the
 *   DAG's size, so it is not spread over the nodes.
 *
 * Growth = per-node time at the largest size / per-node time at the smallest: ≈ 1 is
 * linear, a quadratic step would make it ≈ largest/smallest (10 for 500 vs 50).
 */
export async function measureScale({ pipetest, repeat, sizes, log }) {
  const projects = sizes.map((size) => {
    const root = makeProject(`scale-${size}`, { install: true })
    const pipeline = writePipeline(root, lattice(size / 10, 10), { runner: 'python' })
    writeVitestFiles(root, { testDataDir: pipeline.testDataDir })
    return { size, pipeline }
  })
  const smallest = projects[0]
  const largest = projects.at(-1)

  // In-process: warm the JIT and the module graph once so the first size measured is not
  // charged for it. One sample builds each size ceil(NODES_PER_SAMPLE / size) times, so every
  // sample covers the same number of nodes: timer resolution and garbage collection weigh
  // alike on small and large DAGs.
  for (let i = 0; i < 20; i++) buildPipelineSpec(pipetest, smallest.pipeline)
  const builds = await compareInterleaved(
    Object.fromEntries(
      projects.map(({ size, pipeline }) => [
        size,
        () => {
          for (let i = 0; i < Math.ceil(NODES_PER_SAMPLE / size); i++) {
            buildPipelineSpec(pipetest, pipeline)
          }
        },
      ]),
    ),
    repeat,
  )
  const buildMs = (size) => builds[size].median / Math.ceil(NODES_PER_SAMPLE / size)
  const buildPerNode = (size) => buildMs(size) / size
  const buildGrowth = buildPerNode(largest.size) / buildPerNode(smallest.size)
  for (const { size } of projects) {
    log(`  build+validate ${size} nodes: ${formatMs(buildMs(size))}`)
  }

  // Collection only: a test-name filter no test matches, so Vitest collects the file (imports
  // it, runs its describe blocks) and then skips every test. The reporter prints the file's
  // collectDuration as Vitest measured it, free of process start-up noise, and the time the
  // file took to import the adapter, which is taken out of that sample.
  const collect = (root, file) => async () => {
    const { stdout } = await runOk(
      process.execPath,
      [VITEST_BIN, 'run', file, `--reporter=${COLLECT_REPORTER}`, '-t', NO_TEST_NAME],
      { cwd: root },
    )
    const collected = /COLLECTED (.*)/.exec(stdout)
    const imported = /PIPETEST_IMPORT_MS ([\d.]+)/.exec(stdout)
    if (!collected || !imported) {
      throw new Error(`vitest run ${file} printed no collection report:\n${stdout}`)
    }
    const { tests, collectDuration } = JSON.parse(collected[1])
    return { tests, ms: collectDuration - Number(imported[1]) }
  }
  const collections = {
    adapterOnly: collect(largest.pipeline.root, 'adapter.test.mjs'),
    ...Object.fromEntries(
      projects.map(({ size, pipeline }) => [size, collect(pipeline.root, 'collect.test.mjs')]),
    ),
  }
  const collectedTests = {}
  for (const [name, run] of Object.entries(collections)) collectedTests[name] = (await run()).tests
  const collectMs = {}
  for (let i = 0; i < repeat; i++) {
    for (const [name, run] of Object.entries(collections)) {
      ;(collectMs[name] ??= []).push((await run()).ms)
    }
  }
  const collectionMs = (size) => median(collectMs[size]) - median(collectMs.adapterOnly)
  const collectionPerNode = (size) => collectionMs(size) / size
  const collectionGrowth = collectionPerNode(largest.size) / collectionPerNode(smallest.size)
  for (const { size } of projects) {
    log(
      `  Vitest collection ${size} nodes (${collectedTests[size]} tests): ${formatMs(collectionMs(size))}`,
    )
  }
  log(`  (a file with one test and the adapter: ${formatMs(median(collectMs.adapterOnly))})`)

  const rows = [
    {
      measure: `5. build + validate, per node (${largest.size} vs ${smallest.size} nodes)`,
      figure: `${formatMs(buildPerNode(largest.size))} (${formatMs(buildMs(largest.size))} total)`,
      baseline: `${formatMs(buildPerNode(smallest.size))} at ${smallest.size} nodes`,
      ratio: buildGrowth,
      target: `≤ ${GROWTH_TARGET}× (linear)`,
      met: buildGrowth <= GROWTH_TARGET,
    },
    {
      measure: `5. Vitest collection, per node (${largest.size} vs ${smallest.size} nodes)`,
      figure: `${formatMs(collectionPerNode(largest.size))} (${formatMs(collectionMs(largest.size))} total)`,
      baseline: `${formatMs(collectionPerNode(smallest.size))} at ${smallest.size} nodes`,
      ratio: collectionGrowth,
      target: `≤ ${GROWTH_TARGET}× (linear)`,
      met: collectionGrowth <= GROWTH_TARGET,
    },
  ]
  const bySize = (value) => Object.fromEntries(projects.map(({ size }) => [size, value(size)]))
  const details = {
    buildMs: bySize(buildMs),
    buildPerNodeMs: bySize(buildPerNode),
    buildGrowth,
    oneTestFileCollectMs: median(collectMs.adapterOnly),
    collectionMs: bySize(collectionMs),
    collectionPerNodeMs: bySize(collectionPerNode),
    collectionGrowth,
    collectedTests,
    collectSamplesMs: collectMs,
  }
  return { rows, details }
}
