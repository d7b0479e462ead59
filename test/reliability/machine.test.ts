import { spawnSync } from 'node:child_process'
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { execa } from 'execa'
import { describe, expect } from 'vitest'
import {
  OUR_STACK_FRAME,
  childEnv,
  cliJs,
  distReady,
  expectNoProcessLeft,
  isRoot,
  it,
  test,
  type TempProject,
} from './helpers.js'

/**
 * Fault matrix, machine rows: a test data dir that cannot be written (a file in the way,
 * no permission) is the machine's problem, not a pipetest bug: one clear error naming the
 * path, the cause and the fix, exit 1, no stack trace, the user's files unchanged.
 */

test.beforeAll(distReady)

function oneStepProject(project: TempProject): TempProject {
  project.copyScripts(['ok.py'])
  project.write('data/raw/records.csv', 'id,label\n1,0\n')
  project.writeDag('pipeline.dag.json', {
    nodes: [{ name: 'Step', script: 'scripts/ok.py' }],
    edges: [],
  })
  project.writeSpec({
    script: 'ok',
    step: 'Step',
    inputs: { data_input: 'data/raw' },
    outputs: { data_output: 'out/step' },
  })
  return project
}

async function runCli(project: TempProject, testDataDir: string) {
  return execa(
    'node',
    [cliJs, 'run', 'pipeline.dag.json', '--test-data-dir', testDataDir, '--tier', 'scripts'],
    { cwd: project.root, env: childEnv(), reject: false, all: true, timeout: 60_000 },
  )
}

describe('machine rows: the file system refuses, pipetest explains', () => {
  it('a --test-data-dir below a file (ENOTDIR) → one error naming the path, cause and fix, exit 1', async ({
    project,
  }) => {
    oneStepProject(project)
    project.write('blocked', 'a file where a folder should be\n')
    const before = project.snapshot()
    const result = await runCli(project, 'blocked/runtime')
    expect(result.exitCode, result.all).toBe(1)
    expect(result.all).toContain(`${project.path('blocked')}`)
    expect(result.all).toContain('not a folder (ENOTDIR)')
    expect(result.all).toContain('choose another folder (--test-data-dir)')
    expect(result.all).not.toContain('This is a bug in pipetest')
    expect(result.all).not.toMatch(OUR_STACK_FRAME)
    expect(project.snapshot()).toEqual(before)
    await expectNoProcessLeft(project)
  })

  it.skipIf(isRoot)(
    'an unwritable --test-data-dir (EACCES) → one error naming the path, cause and fix, exit 1 (skipped as root: root writes anywhere)',
    async ({ project }) => {
      oneStepProject(project)
      project.write('readonly/.keep', '')
      chmodSync(project.path('readonly'), 0o555)
      const before = project.snapshot()
      const result = await runCli(project, 'readonly/runtime')
      expect(result.exitCode, result.all).toBe(1)
      expect(result.all).toContain('permission denied (EACCES)')
      expect(result.all).toContain(project.path('readonly'))
      expect(result.all).not.toContain('This is a bug in pipetest')
      expect(result.all).not.toMatch(OUR_STACK_FRAME)
      expect(project.snapshot()).toEqual(before)
    },
  )
})

describe('machine rows: a run that never started a script', () => {
  it('an interpreter that does not exist → exit 1; the summary names no run folder, since none was created', async ({
    project,
  }) => {
    oneStepProject(project)
    const before = project.snapshot()
    const result = await execa(
      'node',
      [cliJs, 'run', 'pipeline.dag.json', '--python', '/nonexistent/python3.99'],
      { cwd: project.root, env: childEnv(), reject: false, all: true, timeout: 60_000 },
    )
    expect(result.exitCode, result.all).toBe(1)
    expect(result.all).toContain('"/nonexistent/python3.99" not found')
    expect(existsSync(join(project.testDataDir, '.pipetest', 'runs'))).toBe(false)
    expect(result.all).not.toContain('.pipetest/runs')
    expect(result.all).toMatch(/Run folder {4}none: no script started/)
    expect(result.all).not.toMatch(OUR_STACK_FRAME)
    expect(project.snapshot()).toEqual(before)
    await expectNoProcessLeft(project)

    const json = await execa(
      'node',
      [cliJs, 'run', 'pipeline.dag.json', '--python', '/nonexistent/python3.99', '--json'],
      { cwd: project.root, env: childEnv(), reject: false, timeout: 60_000 },
    )
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, runDir: null })
  })
})

/** A 256 kB tmpfs at `dir`, when this user may mount one (root in CI); undefined otherwise. */
function tinyFileSystem(dir: string): (() => void) | undefined {
  mkdirSync(dir, { recursive: true })
  const mount = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', dir])
  if (mount.status !== 0) return undefined
  return () => void spawnSync('umount', [dir])
}

describe('machine rows: the disk fills up during a run', () => {
  it.skipIf(!isRoot)(
    'ENOSPC while a script writes → exit 1 saying the disk is full; run.json is not left `running` (root only: it mounts a tiny tmpfs)',
    async ({ project }) => {
      project.copyScripts(['fills_disk.py'])
      project.write('data/raw/records.csv', 'id,label\n1,0\n')
      project.writeDag('pipeline.dag.json', {
        nodes: [{ name: 'Step', script: 'scripts/fills_disk.py' }],
        edges: [],
      })
      const tiny = project.path('tiny')
      const unmount = tinyFileSystem(tiny)
      if (unmount === undefined) return
      try {
        const specs = join(tiny, 'runtime', '.specs')
        mkdirSync(specs, { recursive: true })
        const spec = readFileSync(
          project.writeSpec({
            script: 'fills_disk',
            step: 'Step',
            inputs: { data_input: 'data/raw' },
            outputs: { data_output: 'out/step' },
          }),
        )
        writeFileSync(join(specs, 'fills_disk_runtime_test_spec.json'), spec)
        const before = project.snapshot()
        const result = await runCli(project, 'tiny/runtime')
        expect(result.exitCode, result.all).toBe(1)
        // Which file could not be written: pipetest's own, on the full file system.
        expect(result.all).toMatch(
          /Cannot write \S*tiny\/runtime\/\.pipetest\/\S+: no space left on the device \(ENOSPC\)/,
        )
        expect(result.all).not.toContain('This is a bug in pipetest')
        expect(result.all).not.toMatch(OUR_STACK_FRAME)
        const runs = join(tiny, 'runtime', '.pipetest', 'runs')
        const [runDir] = readdirSync(runs)
        const marker = JSON.parse(readFileSync(join(runs, runDir!, 'run.json'), 'utf8'))
        expect(marker.state).not.toBe('running')
        expect(project.snapshot()).toEqual(before)
        await expectNoProcessLeft(project)
      } finally {
        unmount()
      }
    },
  )
})
