import { join } from 'node:path'
import { execa, type ResultPromise } from 'execa'
import { describe, expect } from 'vitest'
import {
  MARK_VAR,
  childEnv,
  cliJs,
  distReady,
  expectNoProcessLeft,
  makeVitestProject,
  recordedPids,
  runFolders,
  it,
  test,
  vitestMjs,
  waitFor,
  type TempProject,
} from './helpers.js'

/**
 * Fault matrix, interruption rows: SIGINT/SIGTERM to `pipetest run` and to `vitest run` while
 * a script hangs mid-pipeline (it holds a grandchild too). Afterwards nothing of the run is
 * alive, the run folder is not marked complete, the exit code says which signal, and once the
 * script is fixed the next run passes.
 *
 * The launched CLI/Vitest carries the project's mark in its environment, so every process of
 * the run — Vitest's workers included — is found by `expectNoProcessLeft` once it has exited.
 */

test.beforeAll(distReady)

/**
 * Start → Hang. Hang (`hangs_until_released.py`) reads Start's output and hangs, with a
 * grandchild, until `<scratch>/release` exists.
 */
function interruptProject(project: TempProject): { project: TempProject; release: string } {
  project.copyScripts(['ok.py', 'hangs_until_released.py'])
  project.write('data/raw/records.csv', 'id,label\n1,0\n')
  project.writeDag('pipeline.dag.json', {
    name: 'interrupt',
    nodes: [
      { name: 'Start', script: 'scripts/ok.py' },
      { name: 'Hang', script: 'scripts/hangs_until_released.py' },
    ],
    edges: [['Start', 'Hang']],
  })
  const release = join(project.scratch, 'release')
  project.writeSpec({
    script: 'ok',
    step: 'Start',
    inputs: { data_input: 'data/raw' },
    outputs: { data_output: 'out/start' },
  })
  project.writeSpec({
    script: 'hangs_until_released',
    step: 'Hang',
    inputs: { data_input: 'out/start' },
    outputs: { data_output: 'out/hang' },
    env: { RELEASE_FILE: release },
    // Long enough that only the signal can end it within the test.
    extra: { timeout_seconds: 600 },
  })
  return { project, release }
}

/** Waits until the pipeline is mid-way: Start done, Hang (and its grandchild) running. */
async function midPipeline(project: TempProject, child: ResultPromise): Promise<void> {
  let exited = false
  void child.finally(() => (exited = true)).catch(() => undefined)
  await waitFor(
    () => exited || recordedPids(project, 'grandchild').length > 0,
    60_000,
    'the Hang script to start',
  )
  if (exited) {
    const result = await child
    throw new Error(`the run ended before it was interrupted:\n${String(result.all)}`)
  }
}

const exitCodes = { SIGINT: 130, SIGTERM: 143 } as const

describe('interruption: `pipetest run` mid-pipeline', () => {
  it.for(['SIGINT', 'SIGTERM'] as const)(
    '%s → scripts killed, run folder marked interrupted, exit code 128+n, the next run works',
    async (signal, { project }) => {
      const { release } = interruptProject(project)
      const before = project.snapshot()
      const env = childEnv({ [MARK_VAR]: project.mark })
      const run = () =>
        execa('node', [cliJs, 'run', 'pipeline.dag.json'], {
          cwd: project.root,
          env,
          extendEnv: false,
          reject: false,
          all: true,
          timeout: 120_000,
        })

      const cli = run()
      await midPipeline(project, cli)
      process.kill(cli.pid!, signal)
      const result = await cli
      expect(result.exitCode, result.all).toBe(exitCodes[signal])
      expect(result.stderr).toContain(`Interrupted by ${signal}`)
      expect(result.stderr).toContain('marked interrupted')
      await expectNoProcessLeft(project)
      const [interrupted] = runFolders(project)
      expect(interrupted?.state).toBe('interrupted')
      expect(project.snapshot()).toEqual(before)

      // Fixed: the next run passes, in a new run folder, next to the interrupted one.
      project.write(release, '')
      const next = await run()
      expect(next.exitCode, next.all).toBe(0)
      expect(next.stdout).toContain('PASSED')
      expect(runFolders(project).map((folder) => folder.state)).toEqual(['interrupted', 'complete'])
      expect(project.snapshot()).toEqual(before)
      await expectNoProcessLeft(project)
    },
  )
})

describe('interruption: `vitest run` mid-pipeline', () => {
  const cases = [
    { how: 'Ctrl-C (SIGINT to its process group)', signal: 'SIGINT', group: true, pool: 'forks' },
    { how: 'Ctrl-C (SIGINT to its process group)', signal: 'SIGINT', group: true, pool: 'threads' },
    { how: 'SIGTERM to the Vitest process', signal: 'SIGTERM', group: false, pool: 'forks' },
    { how: 'SIGINT to the Vitest process', signal: 'SIGINT', group: false, pool: 'forks' },
  ] as const

  it.for(cases.map((c) => [`${c.how}, pool ${c.pool}`, c] as const))(
    '%s → nothing left running, run folder not complete, exit 128+n, the next run works',
    async ([, { signal, group, pool }], { project }) => {
      const { release } = interruptProject(project)
      makeVitestProject(project, {
        'pipeline.test.ts':
          "import { describePipeline } from '@pipetest/vitest'\n\ndescribePipeline('pipeline.dag.json')\n",
      })
      const before = project.snapshot()
      const vitest = () =>
        execa('node', [vitestMjs, 'run', `--pool=${pool}`], {
          cwd: project.root,
          env: childEnv({ [MARK_VAR]: project.mark }),
          extendEnv: false,
          reject: false,
          all: true,
          // Its own process group, as a terminal gives a foreground job: Ctrl-C reaches the group.
          detached: true,
          timeout: 120_000,
        })

      const child = vitest()
      await midPipeline(project, child)
      process.kill(group ? -child.pid! : child.pid!, signal)
      const result = await child
      expect(result.exitCode, result.all).toBe(exitCodes[signal])
      await expectNoProcessLeft(project)
      const runs = runFolders(project)
      expect(runs).toHaveLength(1)
      expect(runs[0]!.state, 'the interrupted run folder').not.toBe('complete')
      expect(project.snapshot()).toEqual(before)

      project.write(release, '')
      const next = await vitest()
      expect(next.exitCode, next.all).toBe(0)
      expect(
        runFolders(project)
          .map((folder) => folder.state)
          .at(-1),
      ).toBe('complete')
      expect(project.snapshot()).toEqual(before)
      await expectNoProcessLeft(project)
    },
  )
})

describe('interruption: Vitest cancels the run mid-pipeline', () => {
  it('--bail after a failure elsewhere → scripts killed, run folder marked interrupted, the next run works', async ({
    project,
  }) => {
    const { release } = interruptProject(project)
    makeVitestProject(project, {
      'pipeline.test.ts':
        "import { describePipeline } from '@pipetest/vitest'\n\ndescribePipeline('pipeline.dag.json')\n",
      // Fails once Hang runs, in another worker: Vitest bails and aborts the running tests' signal.
      'fails.test.ts': [
        "import { readdirSync } from 'node:fs'",
        "import { expect, test } from 'vitest'",
        '',
        "test('fails once Hang runs', async () => {",
        `  const pids = ${JSON.stringify(project.pidsDir)}`,
        "  while (!readdirSync(pids).some((name) => name.startsWith('grandchild.'))) {",
        '    await new Promise((resolve) => setTimeout(resolve, 20))',
        '  }',
        "  expect('a failure').toBe('what makes Vitest bail')",
        '}, 60_000)',
        '',
      ].join('\n'),
    })
    const before = project.snapshot()
    const vitest = (args: string[]) =>
      execa('node', [vitestMjs, 'run', ...args], {
        cwd: project.root,
        env: childEnv({ [MARK_VAR]: project.mark }),
        extendEnv: false,
        reject: false,
        all: true,
        timeout: 120_000,
      })

    const result = await vitest(['--bail=1', '--maxWorkers=2'])
    expect(result.exitCode, result.all).toBe(1)
    expect(result.all).toContain('what makes Vitest bail')
    await expectNoProcessLeft(project)
    expect(runFolders(project).map((folder) => folder.state)).toEqual(['interrupted'])
    expect(project.snapshot()).toEqual(before)

    project.write(release, '')
    const next = await vitest(['vitest/pipeline.test.ts'])
    expect(next.exitCode, next.all).toBe(0)
    expect(runFolders(project).map((folder) => folder.state)).toEqual(['interrupted', 'complete'])
    expect(project.snapshot()).toEqual(before)
    await expectNoProcessLeft(project)
  })
})
