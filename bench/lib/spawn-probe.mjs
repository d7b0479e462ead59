/**
 * Child process of measure 1's spawn rows: runs the script tier of one generated pipeline
 * (`executions` independent Node or command steps) through pipetest at concurrency 1, with
 * scripts started by the group watchdog (the default) and by this process itself
 * (PIPETEST_SPAWNER=0), alternately, and prints as JSON on its last stdout line, per
 * execution and per way, the median time this thread spent inside `child_process.spawn` —
 * the time the thread running the pipeline is blocked starting processes — and the median
 * wall time. Before that it fills its heap with `heapMegabytes` MB of small objects, the
 * size of a Vitest or Jest worker: a fork copies the page tables of the forking process, so
 * a spawn's cost grows with it.
 *
 *   node spawn-probe.mjs <projectRoot> <testDataDir> <executions> <repeat> <heapMegabytes>
 */
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { assertAllPassed, buildPipelineSpec, loadPipetest } from './pipetest.mjs'
import { median, nowMs } from './timing.mjs'

const [root, testDataDir, executionsArg, repeatArg, heapArg] = process.argv.slice(2)
const executions = Number(executionsArg)
const ballast = []
while (process.memoryUsage().heapUsed < Number(heapArg) * 1e6) {
  for (let i = 0; i < 100_000; i++) ballast.push({ id: i, name: `object ${i}`, tags: [i] })
}

// pipetest's CommonJS build reads `spawn` off this very object at each call.
const childProcess = createRequire(import.meta.url)('node:child_process')
const spawn = childProcess.spawn
let inSpawnMs = 0
childProcess.spawn = function timedSpawn(...args) {
  const start = nowMs()
  try {
    return spawn.apply(this, args)
  } finally {
    inSpawnMs += nowMs() - start
  }
}

const pipetest = await loadPipetest()
const spec = buildPipelineSpec(pipetest, {
  root,
  testDataDir,
  dagFile: join(root, 'pipeline.dag.json'),
})
const ways = { watchdog: undefined, here: '0' }
const samples = { watchdog: { spawnMs: [], wallMs: [] }, here: { spawnMs: [], wallMs: [] } }

async function runOnce(way) {
  if (ways[way] === undefined) delete process.env.PIPETEST_SPAWNER
  else process.env.PIPETEST_SPAWNER = ways[way]
  inSpawnMs = 0
  const start = nowMs()
  const run = new pipetest.PipelineRun(spec, { concurrency: 1 })
  const { scripts } = await run.runTiers({ scripts: true })
  await run.close()
  const wallMs = nowMs() - start
  assertAllPassed(`spawn probe (${way})`, Object.values(scripts))
  return { spawnMs: inSpawnMs / executions, wallMs: wallMs / executions }
}

// One untimed round each: module loading, and the watchdog's own start (a run pays it once,
// and then only after 10 s without scripts).
for (const way of Object.keys(ways)) await runOnce(way)
for (let i = 0; i < Number(repeatArg); i++) {
  const order = i % 2 === 0 ? ['watchdog', 'here'] : ['here', 'watchdog']
  for (const way of order) {
    const sample = await runOnce(way)
    samples[way].spawnMs.push(sample.spawnMs)
    samples[way].wallMs.push(sample.wallMs)
  }
}
const summary = (way) => ({
  spawnMs: median(samples[way].spawnMs),
  wallMs: median(samples[way].wallMs),
  samples: samples[way],
})
console.log(
  JSON.stringify({
    heapMegabytes: Math.round(process.memoryUsage().heapUsed / 1e6),
    ballastObjects: ballast.length,
    watchdog: summary('watchdog'),
    here: summary('here'),
  }),
)
