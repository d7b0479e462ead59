import { appendFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, vi } from 'vitest'
import { PipelineTestingSpecBuilder } from '../../src/index.js'
import { PipelineRun } from '../../src/engine/index.js'
import { closePythonWorkers } from '../../src/runners/python-worker.js'
import { waitFor } from '../reliability/helpers.js'
import { it } from '../support/fixtures.js'
import { processes } from '../support/processes.js'

/**
 * The preloading Python worker costs a run an interpreter start and the scripts' imports: a
 * run the execution cache serves whole starts none, and one that runs a script still gets it.
 */

afterEach(() => {
  vi.unstubAllEnvs()
  closePythonWorkers()
})

/** This process's children that run the preloading worker (python_worker.py or its compiled copy). */
function workerChildren(): number[] {
  return processes()
    .filter((info) => info.ppid === process.pid && info.cmdline.includes('python_worker'))
    .map((info) => info.pid)
}

async function runScripts(root: string) {
  const spec = new PipelineTestingSpecBuilder({ rootDir: root, testDataDir: 'data' }).buildFromDag(
    join(root, 'pipeline.dag.json'),
  )
  const run = new PipelineRun(spec, { cache: true })
  const { scripts } = await run.runTiers({ scripts: true })
  await run.close()
  return scripts
}

describe.runIf(process.platform === 'linux')('the Python worker and the execution cache', () => {
  it('a run served whole by the cache starts no worker; one with a script to run does', async ({
    fixtureProject,
  }) => {
    // The project's test configuration turns the cache off; this test is about it.
    vi.stubEnv('PIPETEST_CACHE', '1')
    const root = await fixtureProject('cached-pipeline')
    const first = await runScripts(root)
    expect(Object.values(first).map((result) => result.status)).toEqual(Array(5).fill('passed'))
    closePythonWorkers()
    await waitFor(() => workerChildren().length === 0, 30_000, 'the first run’s worker to exit')

    const second = await runScripts(root)
    expect(Object.values(second).every((result) => result.cached !== undefined)).toBe(true)
    expect(workerChildren()).toEqual([])

    appendFileSync(join(root, 'scripts', 'report.py'), '\n# edited\n')
    const third = await runScripts(root)
    expect(third.Report!.cached).toBeUndefined()
    expect(third.Report!.launch).toEqual({ mode: 'worker' })
    expect(workerChildren()).toHaveLength(1)
  })

  it('with nothing in the cache yet, the worker starts with the run, before any execution', async ({
    fixtureProject,
  }) => {
    vi.stubEnv('PIPETEST_CACHE', '1')
    const root = await fixtureProject('cached-pipeline')
    const spec = new PipelineTestingSpecBuilder({
      rootDir: root,
      testDataDir: 'data',
    }).buildFromDag(join(root, 'pipeline.dag.json'))
    // Every execution of this run will miss the cache: no need to wait for the first miss.
    const run = new PipelineRun(spec, { cache: true })
    await waitFor(() => workerChildren().length === 1, 30_000, 'the worker to start')
    expect(run.executionCount).toBe(0)
    await run.close()
  })
})
