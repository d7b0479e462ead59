import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect } from 'vitest'
import { startPythonEarly } from '../../src/cli/early-python.js'
import { cli } from './cli-harness.js'
import { closePythonWorkers } from '../../src/runners/python-worker.js'
import { waitFor } from '../reliability/helpers.js'
import { it } from '../support/fixtures.js'
import { processes } from '../support/processes.js'

/**
 * `pipetest run` starts the preloading Python worker before it loads the engine and reads the
 * specs, from what it can read cheaply: only when the run is sure to execute Python scripts.
 */

afterEach(() => closePythonWorkers())

/** This process's children that run the preloading worker. */
function workerChildren(): number[] {
  return processes()
    .filter((info) => info.ppid === process.pid && info.cmdline.includes('python_worker'))
    .map((info) => info.pid)
}

/** The environment of a run whose execution cache is on unless `cache` says otherwise. */
function envWith(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = { ...process.env, ...extra }
  // The project's test configuration turns the cache off; these tests are about it.
  if (extra.PIPETEST_CACHE === undefined) delete env.PIPETEST_CACHE
  return env
}

describe.runIf(process.platform === 'linux')('startPythonEarly', () => {
  it("starts the worker of the project's interpreter on the DAG's Python scripts when the cache is off", async ({
    fixtureProject,
  }) => {
    const root = await fixtureProject('cached-pipeline')
    const started = startPythonEarly({ 'no-cache': true }, undefined, { cwd: root, env: envWith() })
    expect(started).toEqual(
      new Map([
        [
          'python3',
          ['load.py', 'clean.py', 'train.py', 'report.py'].map((script) =>
            join(root, 'scripts', script),
          ),
        ],
      ]),
    )
    await waitFor(() => workerChildren().length === 1, 30_000, 'the early worker to start')
  })

  it('takes the cache as off from PIPETEST_CACHE and from the configuration, the interpreter from --python', async ({
    fixtureProject,
  }) => {
    const root = await fixtureProject('cached-pipeline')
    const byEnv = startPythonEarly({ python: 'python3.11' }, 'pipeline.dag.json', {
      cwd: root,
      env: envWith({ PIPETEST_CACHE: '0', PIPETEST_PYTHON_WORKER: '0' }),
    })
    expect([...byEnv.keys()]).toEqual(['python3.11'])
    writeFileSync(
      join(root, 'pipetest.config.json'),
      JSON.stringify({ cache: false, python: 'bin/py' }),
    )
    const byConfig = startPythonEarly({}, 'pipeline.dag.json', {
      cwd: root,
      env: envWith({ PIPETEST_PYTHON_WORKER: '0' }),
    })
    expect([...byConfig.keys()]).toEqual([join(root, 'bin', 'py')])
  })

  it('with the cache on, starts while it holds nothing yet, and not once a run has stored in it', async ({
    fixtureProject,
  }) => {
    const root = await fixtureProject('cached-pipeline')
    // The decision only: the worker itself is the first test's.
    const ctx = { cwd: root, env: envWith({ PIPETEST_PYTHON_WORKER: '0' }) }
    expect(startPythonEarly({}, undefined, ctx).get('python3')).toHaveLength(4)
    const stored = await cli(['run', '--tier', 'scripts'], {
      cwd: root,
      env: { PIPETEST_CACHE: '1' },
    })
    expect(stored.code).toBe(0)
    // The cache may now serve the whole run, which then starts no interpreter at all.
    expect(startPythonEarly({}, undefined, ctx).size).toBe(0)
    // Another test data folder has a cache of its own, still empty.
    expect(startPythonEarly({ 'test-data-dir': 'elsewhere' }, undefined, ctx).size).toBe(1)
  })

  it('starts nothing with --changed or for fewer than two Python scripts', async ({
    fixtureProject,
  }) => {
    const root = await fixtureProject('cached-pipeline')
    const ctx = { cwd: root, env: envWith({ PIPETEST_CACHE: '0' }) }
    expect(startPythonEarly({ changed: 'HEAD' }, undefined, ctx).size).toBe(0)
    const dag = {
      nodes: [
        { name: 'Load', script: 'scripts/load.py' },
        { name: 'Enrich', script: 'scripts/enrich.mjs' },
        'Unscripted',
      ],
      edges: [],
    }
    writeFileSync(join(root, 'one.dag.json'), JSON.stringify(dag))
    expect(startPythonEarly({}, 'one.dag.json', ctx).size).toBe(0)
    // A file the run will refuse (it says why): nothing started either.
    writeFileSync(join(root, 'broken.dag.json'), '{ "nodes": [')
    expect(startPythonEarly({}, 'broken.dag.json', ctx).size).toBe(0)
  })
})
