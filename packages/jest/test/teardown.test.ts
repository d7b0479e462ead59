import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { execa } from 'execa'
import { planPipelineSuite } from 'pipetest/internal'
import { describe, expect } from 'vitest'
import type { PipetestEnvironment as Environment } from '@pipetest/jest/environment'
import { isRunning, readPids, waitFor } from '../../../test/runners/helpers.js'
import { jestBin, statuses, test } from './run-jest.js'

const require = createRequire(import.meta.url)
const { PipetestEnvironment } = require('@pipetest/jest/environment') as {
  PipetestEnvironment: typeof Environment
}

const ENVIRONMENT_HOOK = Symbol.for('@pipetest/jest/environment')

/** Sleeper's pids once it has written both (it writes them atomically, child first). */
function sleeperPids(dir: string): number[] {
  return ['child', 'script'].flatMap((name) => readPids(join(dir, 'pids', name)))
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name)
  } catch {
    // already gone
  }
}

/** The parent pid of a running process, from /proc. */
function parentOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
}

// The process that started a script: its parent, or, for a child forked by the preloading Python
// worker, the worker's parent (the worker belongs to whoever runs the pipeline).
function hostOf(pid: number): number {
  const parent = parentOf(pid)
  const command = readFileSync(`/proc/${parent}/cmdline`, 'utf8')
  return command.includes('python_worker') ? parentOf(parent) : parent
}

function nodesStartedIn(dir: string): string[] {
  const runs = join(dir, 'test', 'integration', 'runtime', '.pipetest', 'runs')
  return readdirSync(runs).flatMap((run) =>
    readdirSync(join(runs, run), { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name),
  )
}

describe('scripts never outlive their test file', () => {
  test('a script started for a deselected test is killed with its children when the describe ends', async ({
    jestProject,
    runJest,
  }) => {
    const dir = await jestProject('jest-teardown')
    // Without pipetest's environment the adapter cannot tell which tests `-t` keeps, so it
    // starts every script; Waiter's test ends while Sleeper (no timeout) still runs.
    const { report } = await runJest(dir, ['-t', 'Waiter runs', '--testEnvironment', 'node'])

    expect(report.numPassedTests).toBe(1)
    expect(
      statuses(report)['pipeline teardown › scripts › Waiter runs and writes data_output'],
    ).toBe('passed')
    const pids = sleeperPids(dir)
    expect(pids).toHaveLength(2)
    await waitFor(
      () => pids.every((pid) => !isRunning(pid)),
      10_000,
      'Sleeper and its child to die',
    )
  })

  test('with the environment, only the scripts of tests that will run are started', async ({
    jestProject,
    runJest,
  }) => {
    const dir = await jestProject('jest-teardown')
    const { report } = await runJest(dir, ['-t', 'Start runs'])

    expect(report.numPassedTests).toBe(1)
    expect(report.numPendingTests).toBe(report.numTotalTests - 1)
    expect(nodesStartedIn(dir)).toEqual(['Start'])
    expect(existsSync(join(dir, 'pids'))).toBe(false)
  })

  test.for<[string, boolean]>([
    ['in band', true],
    ['in a worker', false],
  ])(
    'when Jest is interrupted (%s), the environment kills the running scripts',
    async ([, inBand], { jestProject }) => {
      const dir = await jestProject('jest-teardown')
      // Two test files, two workers allowed, no timings yet: Jest runs them in worker processes.
      if (!inBand) {
        await writeFile(join(dir, 'jest', 'other.jest.test.ts'), "test('other', () => {})\n")
      }
      const mode = inBand ? '--runInBand' : '--maxWorkers=2'
      // Its own process group, as in a terminal, where Ctrl-C signals Jest and its workers.
      const jest = execa(jestBin, ['--ci', mode, '-t', 'Sleeper runs'], {
        cwd: dir,
        reject: false,
        detached: true,
        env: { NO_COLOR: '1' },
      })
      let pids: number[] = []
      try {
        await waitFor(() => existsSync(join(dir, 'pids', 'script')), 30_000, 'Sleeper to start')
        pids = sleeperPids(dir)
        expect(hostOf(pids[1]!) === jest.pid).toBe(inBand)
        // Teardown never runs: the processes just go.
        process.kill(-jest.pid!, 'SIGINT')
        await jest
        await waitFor(() => pids.every((pid) => !isRunning(pid)), 10_000, 'Sleeper to die')
      } finally {
        // A failed expectation must not leave Jest or Sleeper behind.
        for (const pid of [-jest.pid!, ...pids]) signal(pid, 'SIGKILL')
      }
    },
  )

  test('the environment kills what a registered run still has running at teardown', async ({
    jestProject,
  }) => {
    const dir = await jestProject('jest-teardown')
    const environment = new PipetestEnvironment(
      { globalConfig: {}, projectConfig: { testEnvironmentOptions: {}, globals: {} } } as never,
      { testPath: join(dir, 'jest', 'pipeline.jest.test.ts'), console, docblockPragmas: {} },
    )
    await environment.setup()
    const plan = planPipelineSuite('pipeline.dag.json', { rootDir: dir })
    const hook = (
      environment.global as unknown as Record<symbol, { registerRun(run: unknown): void }>
    )[ENVIRONMENT_HOOK]
    hook?.registerRun(plan)
    const sleeper = plan.sharedRun().testScript('Sleeper')
    await waitFor(() => existsSync(join(dir, 'pids', 'script')), 30_000, 'Sleeper to start')
    const pids = sleeperPids(dir)

    await environment.teardown()

    // Teardown waits until the killed process tree is gone.
    expect(pids.filter((pid) => isRunning(pid))).toEqual([])
    expect((await sleeper).outcome).toBe('aborted')
  })
})
