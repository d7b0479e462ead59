import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect } from 'vitest'
import { PipelineTestingSpecBuilder, type ScriptTestResult } from '../../src/index.js'
import { PipelineRun } from '../../src/engine/index.js'
import { closePythonWorkers } from '../../src/runners/python-worker.js'
import {
  distReady,
  expectNoProcessLeft,
  fixturesDir,
  isRunning,
  recordedPids,
  it,
  test,
  waitFor,
  type SpecFields,
  type NewProject,
  type TempProject,
} from './helpers.js'
import { processStat } from '../support/processes.js'

/**
 * Fault matrix, preloading Python worker rows: every hazard of forking a prepared
 * interpreter instead of starting a fresh one. Each row runs the same script with the worker
 * (the default) and with a fresh interpreter (`pythonWorker: false`) and expects the same
 * outcome and outputs; where a fork cannot be equivalent, the worker must have stepped aside
 * and said why (`launch`).
 */

test.beforeAll(distReady)
test.afterAll(closePythonWorkers)

/** Debian's Python, which CI gives numpy and pandas (see .ci/run). */
const SYSTEM_PYTHON = '/usr/bin/python3'
const numpyMissing = (() => {
  try {
    execFileSync(SYSTEM_PYTHON, ['-c', 'import numpy'], { stdio: 'ignore' })
    return undefined
  } catch {
    return `${SYSTEM_PYTHON} cannot import numpy (apt-get install python3-numpy)`
  }
})()

interface RowOptions {
  python?: string
  fields?: Partial<SpecFields>
  /** Shapes the project after the scripts are copied. */
  prepare?: (project: TempProject) => void
  /** Called once the script has recorded its pid; gets the run to abort it. */
  whileRunning?: (project: TempProject, run: PipelineRun) => Promise<void>
}

/** One-node pipeline running fixture `script` (a path under the fixtures' scripts folder). */
async function runRow(
  project: TempProject,
  script: string,
  /** undefined: the run option left unset (the worker where it pays). */
  pythonWorker: boolean | undefined,
  options: RowOptions = {},
) {
  const base = script.split('/').at(-1)!
  const folder = `scripts/${script.slice(0, script.length - base.length)}`.replace(/\/$/, '')
  for (const file of [script, '_common.py']) copyFixture(project, file, `${folder}/`)
  options.prepare?.(project)
  const dag = project.writeDag('pipeline.dag.json', {
    nodes: [{ name: 'Step', script: `${folder}/${base}` }],
    edges: [],
  })
  project.writeSpec({
    script: base.replace(/\.[^.]+$/, ''),
    step: 'Step',
    outputs: { data_output: 'out/step' },
    ...options.fields,
  })
  const before = project.snapshot()
  const builder = new PipelineTestingSpecBuilder({ rootDir: project.root })
  const run = new PipelineRun(builder.buildFromDag(dag), {
    timeoutSeconds: 60,
    ...(pythonWorker === undefined ? {} : { pythonWorker }),
    ...(options.python ? { python: options.python } : {}),
  })
  const pending = run.testScript('Step')
  if (options.whileRunning) await options.whileRunning(project, run)
  const result = await pending
  await run.close()
  expect(project.snapshot()).toEqual(before)
  await expectNoProcessLeft(project)
  return { project, result }
}

/** Copies a fixture script (a path under the fixtures' scripts folder) into `folder`. */
function copyFixture(project: TempProject, file: string, folder: string): void {
  const base = file.split('/').at(-1)!
  project.write(`${folder}${base}`, readFileSync(join(fixturesDir, 'scripts', file)))
}

function output(result: ScriptTestResult, file: string): string {
  return readFileSync(join(result.outputs[0]!.path, file), 'utf8')
}

/** Runs the row both ways; returns [worker, fresh]. */
async function bothWays(newProject: NewProject, script: string, options: RowOptions = {}) {
  const worker = await runRow(newProject(), script, true, options)
  const fresh = await runRow(newProject(), script, false, options)
  expect(fresh.result.launch).toEqual({
    mode: 'fresh',
    reason: 'the run option pythonWorker is false',
  })
  expect(worker.result.outcome, worker.result.message).toBe(fresh.result.outcome)
  return [worker.result, fresh.result] as const
}

describe('Python worker rows', () => {
  it('a plain script is forked from the worker and does what a fresh interpreter does', async ({
    newProject,
  }) => {
    const [worker, fresh] = await bothWays(newProject, 'leaves_files_open.py')
    expect(worker.launch).toEqual({ mode: 'worker' })
    // A module-level file never closed is complete, and atexit handlers ran.
    for (const result of [worker, fresh]) {
      expect(result.outcome, result.message).toBe('success')
      const rows = output(result, 'rows.txt').split('\n')
      expect(rows).toHaveLength(1001)
      expect(rows.at(-2)).toBe('row 999')
      expect(output(result, 'atexit.txt')).toBe('atexit ran\n')
    }
  })

  it('the garbage collector is on in a forked child, as in a fresh interpreter (the worker runs without it)', async ({
    newProject,
  }) => {
    const [worker, fresh] = await bothWays(newProject, 'reports_gc.py')
    expect(worker.launch).toEqual({ mode: 'worker' })
    expect(output(fresh, 'gc.txt')).toMatch(/^True /)
    expect(output(worker, 'gc.txt')).toBe(output(fresh, 'gc.txt'))
  })

  it('a non-daemon thread left running by main() is waited for in a forked child too', async ({
    newProject,
  }) => {
    const [worker, fresh] = await bothWays(newProject, 'leaves_files_open.py', {
      fields: { env: { THREAD: '1' } },
    })
    expect(worker.launch).toEqual({ mode: 'worker' })
    expect(output(worker, 'thread.txt')).toBe(output(fresh, 'thread.txt'))
  })

  it('thread-count variables in the spec send the script to a fresh interpreter, which sees them', async ({
    newProject,
  }) => {
    const env = { OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1' }
    const [worker, fresh] = await bothWays(newProject, 'reads_thread_vars.py', { fields: { env } })
    expect(worker.launch?.mode).toBe('fresh')
    expect(worker.launch?.reason).toMatch(
      /^OMP_NUM_THREADS is "1" for this script but not for the worker/,
    )
    expect(JSON.parse(output(worker, 'vars.json'))).toEqual({
      OMP_NUM_THREADS: '1',
      OPENBLAS_NUM_THREADS: '1',
      MKL_NUM_THREADS: null,
    })
    expect(output(worker, 'vars.json')).toBe(output(fresh, 'vars.json'))
  })

  it('a module beside the script that shadows one the worker has loaded sends it to a fresh interpreter', async ({
    newProject,
  }) => {
    const options = {
      prepare: (p: TempProject) => copyFixture(p, 'shadowing/selectors.py', 'scripts/shadowing/'),
    }
    const [worker, fresh] = await bothWays(newProject, 'shadowing/uses_shadowed.py', options)
    expect(worker.launch?.mode).toBe('fresh')
    expect(worker.launch?.reason).toContain('selectors.py, which shadows a module')
    expect(output(worker, 'origin.txt')).toBe("the project's selectors.py")
    expect(output(fresh, 'origin.txt')).toBe("the project's selectors.py")
  })

  it("a run's only Python execution starts no worker (it would not pay for itself), but uses one already running", async ({
    newProject,
  }) => {
    const python = SYSTEM_PYTHON
    closePythonWorkers()
    const alone = await runRow(newProject(), 'ok.py', undefined, { python })
    expect(alone.result.outcome, alone.result.message).toBe('success')
    expect(alone.result.launch).toEqual({
      mode: 'fresh',
      reason:
        "it is the run's only Python execution: starting the preloading worker would cost more than it saves",
    })
    await runRow(newProject(), 'ok.py', true, { python }) // starts a worker for this interpreter
    const again = await runRow(newProject(), 'ok.py', undefined, { python })
    expect(again.result.launch).toEqual({ mode: 'worker' })
  })

  it('a spec asking for isolation: fresh gets a fresh interpreter', async ({ project }) => {
    const { result } = await runRow(project, 'ok.py', true, {
      fields: { extra: { isolation: 'fresh' } },
    })
    expect(result.outcome, result.message).toBe('success')
    expect(result.launch).toEqual({
      mode: 'fresh',
      reason: 'its spec asks for it ("isolation": "fresh")',
    })
  })

  it('a multiprocessing pool started by spawn inside a forked script works (its children re-import __main__)', async ({
    newProject,
  }) => {
    const [worker, fresh] = await bothWays(newProject, 'pool_step.py')
    expect(worker.launch).toEqual({ mode: 'worker' })
    const squares = [0, 1, 4, 9, 16, 25]
    expect(JSON.parse(output(worker, 'squares.json'))).toEqual({ spawn: squares })
    expect(output(worker, 'squares.json')).toBe(output(fresh, 'squares.json'))
  })

  it('a multiprocessing pool started by fork inside a script ends at its with block, forked or fresh', async ({
    newProject,
  }) => {
    // Pool.terminate sends SIGTERM to the pool's processes, which inherited the harness's
    // SIGTERM handler through fork; one of fifty pools used to hang there (in a fresh
    // interpreter too). The timeout turns a hang into a failure.
    const [worker, fresh] = await bothWays(newProject, 'fork_pool_step.py', {
      fields: { extra: { timeout_seconds: 20 } },
    })
    expect(worker.launch).toEqual({ mode: 'worker' })
    for (const result of [worker, fresh]) {
      expect(result.outcome, result.message).toBe('success')
      expect(JSON.parse(output(result, 'squares.json'))).toEqual({ fork: [0, 1, 4, 9, 16, 25] })
    }
  })

  it.skipIf(numpyMissing !== undefined)(
    `numpy's global generator draws different numbers in two forked executions (${numpyMissing ?? SYSTEM_PYTHON})`,
    async ({ newProject }) => {
      const options = { python: SYSTEM_PYTHON }
      const first = await runRow(newProject(), 'draws_random.py', true, options)
      const second = await runRow(newProject(), 'draws_random.py', true, options)
      const fresh = await runRow(newProject(), 'draws_random.py', false, options)
      expect(first.result.launch).toEqual({ mode: 'worker' })
      expect(second.result.launch).toEqual({ mode: 'worker' })
      const draws = [first, second, fresh].map(
        ({ result }) =>
          JSON.parse(output(result, 'draws.json')) as { numpy: number[]; random: number },
      )
      expect(draws[0]!.numpy).not.toEqual(draws[1]!.numpy)
      expect(draws[0]!.random).not.toEqual(draws[1]!.random)
      expect(draws[2]!.numpy).toHaveLength(4)
    },
  )

  it('a timeout kills the forked child and its grandchildren, and shows where it was stuck', async ({
    newProject,
  }) => {
    const fields = { extra: { timeout_seconds: 1 } }
    const [worker] = await bothWays(newProject, 'hangs_with_grandchild.py', { fields })
    expect(worker.launch).toEqual({ mode: 'worker' })
    expect(worker.outcome).toBe('timeout')
    expect(worker.message).toMatch(/hangs_with_grandchild\.py", line \d+ in main/)
    expect(worker.message).not.toMatch(/python_harness|python_worker/)
  })

  it('an abort kills the forked child and its grandchildren', async ({ newProject }) => {
    const whileRunning = async (project: TempProject, run: PipelineRun) => {
      await waitFor(() => recordedPids(project, 'grandchild').length > 0, 60_000, 'the grandchild')
      run.abort('stop')
    }
    const [worker] = await bothWays(newProject, 'hangs_with_grandchild.py', { whileRunning })
    expect(worker.launch).toEqual({ mode: 'worker' })
    expect(worker.outcome).toBe('aborted')
  })

  it('a daemon that a forked child double-forks out of its group is found by its mark and killed', async ({
    newProject,
  }) => {
    const [worker, fresh] = await bothWays(newProject, 'escapes_setsid.py')
    expect(worker.launch).toEqual({ mode: 'worker' })
    for (const result of [worker, fresh]) {
      expect(result.outcome, result.message).toBe('success')
      expect(result.message).toContain('left 1 process running outside its process group')
    }
  })

  it('a worker killed mid-run ends its execution as killed, saying why, and the next one gets a new worker', async ({
    newProject,
  }) => {
    let workerPid = 0
    const whileRunning = async (project: TempProject) => {
      await waitFor(() => recordedPids(project, 'parent').length > 0, 60_000, 'the script')
      const [child] = recordedPids(project, 'parent')
      workerPid = processStat(child!)!.ppid
      process.kill(workerPid, 'SIGKILL')
    }
    const { result } = await runRow(newProject(), 'hangs_with_grandchild.py', true, {
      whileRunning,
    })
    expect(result.launch).toEqual({ mode: 'worker' })
    expect(result.outcome).toBe('killed')
    expect(result.message).toContain(
      `the Python worker (pid ${workerPid}) died: it was killed by SIGKILL`,
    )
    expect(isRunning(workerPid)).toBe(false)

    const next = await runRow(newProject(), 'ok.py', true)
    expect(next.result.outcome, next.result.message).toBe('success')
    expect(next.result.launch).toEqual({ mode: 'worker' })
  })
})
