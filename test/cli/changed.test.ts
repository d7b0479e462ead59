import { execFileSync } from 'node:child_process'
import { appendFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect } from 'vitest'
import { it, type TempDir } from '../support/fixtures.js'
import { planPipelineSuite } from '../../src/suite/index.js'
import { assertBuilt, cli, completeSpecs, pythonProject, type Project } from './cli-harness.js'

beforeAll(assertBuilt)

interface ChangedReport {
  ok: boolean
  state: string
  changedSince?: string
  changed?: Array<{ node: string; files: string[] }>
  scripts?: Record<string, { status: string }>
  setup?: unknown
}

function git(root: string, ...args: string[]): string {
  return execFileSync(
    'git',
    ['-c', 'user.name=pipetest', '-c', 'user.email=pipetest@example.com', ...args],
    { cwd: root, encoding: 'utf8' },
  )
}

/**
 * Prepare → Train → Report in a git repository, committed; Train imports scripts/common.py,
 * which imports scripts/helpers/scale.py (a local module of a local module).
 */
async function committedProject(tempDir: TempDir): Promise<Project> {
  const project = pythonProject(tempDir())
  const { root } = project
  mkdirSync(join(root, 'scripts/helpers'))
  writeFileSync(join(root, 'scripts/helpers/__init__.py'), '')
  writeFileSync(join(root, 'scripts/helpers/scale.py'), 'FACTOR = 2\n')
  writeFileSync(join(root, 'scripts/common.py'), 'from helpers.scale import FACTOR\nSEED = 7\n')
  const train = join(root, 'scripts/train.py')
  writeFileSync(train, `import common\n${readFileSync(train, 'utf8')}`)
  await completeSpecs(project)
  writeFileSync(join(root, '.gitignore'), '.pipetest/\n')
  git(root, 'init', '-q', '-b', 'main')
  git(root, 'add', '-A')
  git(root, 'commit', '-q', '-m', 'pipeline')
  return project
}

async function changedRun(project: Project, ...args: string[]) {
  const result = await cli(['run', project.dag, '--tier', 'scripts', '--json', ...args], {
    cwd: project.root,
  })
  return { ...result, report: JSON.parse(result.stdout || 'null') as ChangedReport | null }
}

describe('pipetest run --changed', () => {
  it('runs nothing when nothing changed since the ref, and says so', async ({ tempDir }) => {
    const project = await committedProject(tempDir)
    const result = await cli(['run', project.dag, '--changed'], { cwd: project.root })
    expect(result.code).toBe(0)
    expect(result.stdout).toContain(
      'demo: no selected node changed since HEAD (scripts, their local modules, specs, input data): nothing to run',
    )
    const json = await changedRun(project, '--changed', 'main')
    expect(json.report).toMatchObject({ ok: true, state: 'nothing-changed', changedSince: 'main' })
  })

  it('an edit to a module a script imports (transitively) reruns that node and everything downstream', async ({
    tempDir,
  }) => {
    const project = await committedProject(tempDir)
    appendFileSync(join(project.root, 'scripts/helpers/scale.py'), 'FACTOR = 3\n')
    const { code, report, stderr } = await changedRun(project, '--changed')
    expect(code).toBe(0)
    expect(Object.keys(report!.scripts!)).toEqual(['Train', 'Report'])
    expect(report!.changed).toEqual([{ node: 'Train', files: ['scripts/helpers/scale.py'] }])
    expect(stderr).toContain('Changed since HEAD (+1 downstream):')
    expect(stderr).toContain('~ Train: scripts/helpers/scale.py')
  })

  it('counts committed changes since a branch, new and deleted input files, and spec edits', async ({
    tempDir,
  }) => {
    const project = await committedProject(tempDir)
    const { root } = project
    git(root, 'checkout', '-q', '-b', 'feature')
    writeFileSync(join(root, 'data/raw/more.csv'), 'id,label\n3,0\n')
    git(root, 'add', '-A')
    git(root, 'commit', '-q', '-m', 'more data')
    const added = await changedRun(project, '--changed', 'main')
    expect(added.report!.changed).toEqual([{ node: 'Prepare', files: ['data/raw/more.csv'] }])
    expect(Object.keys(added.report!.scripts!)).toEqual(['Prepare', 'Train', 'Report'])

    rmSync(join(root, 'data/raw/rows.csv'))
    const deleted = await changedRun(project, '--changed', 'HEAD')
    expect(deleted.report!.changed).toEqual([{ node: 'Prepare', files: ['data/raw/rows.csv'] }])
    git(root, 'checkout', '-q', '--', 'data/raw/rows.csv')

    const spec = await cli(['spec', 'set', 'Report', '--env', 'LEVEL=2', '--dag', project.dag], {
      cwd: root,
    })
    expect(spec.code).toBe(0)
    const edited = await changedRun(project, '--changed', 'HEAD')
    expect(edited.report!.changed!.map(({ node }) => node)).toEqual(['Report'])
    expect(Object.keys(edited.report!.scripts!)).toEqual(['Report'])
  })

  it('an edit of the DAG file changes the nodes whose definition changed; an unknown old DAG, every node', async ({
    tempDir,
  }) => {
    const project = await committedProject(tempDir)
    const { root } = project
    const file = join(root, project.dag)
    const dag = JSON.parse(readFileSync(file, 'utf8')) as {
      name: string
      nodes: Array<{ name: string; tags?: string[] }>
    }
    // Only its formatting: no node's definition changed.
    writeFileSync(file, JSON.stringify(dag))
    const reformatted = await changedRun(project, '--changed')
    expect(reformatted.report).toMatchObject({ ok: true, state: 'nothing-changed' })

    dag.nodes[1]!.tags = ['nightly']
    writeFileSync(file, `${JSON.stringify(dag, null, 2)}\n`)
    const tagged = await changedRun(project, '--changed')
    expect(tagged.report!.changed).toEqual([{ node: 'Train', files: ['pipeline.dag.json'] }])
    expect(Object.keys(tagged.report!.scripts!)).toEqual(['Train', 'Report'])

    // Not in the ref (new since): nothing to compare with, so every node, and the run says why.
    git(root, 'rm', '-q', '--cached', project.dag)
    git(root, 'commit', '-q', '-m', 'untrack the DAG')
    const fresh = await cli(['run', project.dag, '--tier', 'scripts', '--changed'], { cwd: root })
    expect(fresh.stdout).toContain(
      'pipeline.dag.json is new since HEAD (or unreadable there): every node counts as changed',
    )
    expect(fresh.stdout).toMatch(/~ Prepare: pipeline\.dag\.json/)
  })

  it('narrows --only: a change outside the selection runs nothing', async ({ tempDir }) => {
    const project = await committedProject(tempDir)
    appendFileSync(join(project.root, 'scripts/report.py'), '\n# edited\n')
    const { report } = await changedRun(project, '--changed', '--only', '+Train')
    expect(report).toMatchObject({ ok: true, state: 'nothing-changed' })
  })

  it('says what to do when the ref is unknown or the project is not a git repository', async ({
    tempDir,
  }) => {
    const project = await committedProject(tempDir)
    const unknown = await cli(['run', project.dag, '--changed', 'origin/main'], {
      cwd: project.root,
    })
    expect(unknown.code).toBe(1)
    expect(unknown.stderr).toContain(
      'Cannot tell what changed since "origin/main": git does not know the commit "origin/main"',
    )
    expect(unknown.stderr).toContain('git fetch origin main')
    expect(unknown.stderr).not.toMatch(/\n\s+at /)

    rmSync(join(project.root, '.git'), { recursive: true })
    const outside = await cli(['run', project.dag, '--changed'], { cwd: project.root })
    expect(outside.code).toBe(1)
    expect(outside.stderr).toContain('is not inside a git repository')
    expect(existsSync(join(project.root, 'test/integration/runtime/.pipetest/runs'))).toBe(false)
  })
})

describe('describePipeline changed / PIPETEST_CHANGED', () => {
  it('lists only the tests of changed nodes and their descendants', async ({ tempDir }) => {
    const project = await committedProject(tempDir)
    appendFileSync(join(project.root, 'scripts/common.py'), 'SEED = 8\n')
    const names = (options: { changed?: string }) =>
      planPipelineSuite(project.dag, { rootDir: project.root, ...options })
        .groups.find((group) => group.title === 'scripts')
        ?.cases.map((testCase) => testCase.node)
    expect(names({ changed: 'HEAD' })).toEqual(['Train', 'Report'])
    process.env.PIPETEST_CHANGED = 'main'
    try {
      expect(names({})).toEqual(['Train', 'Report'])
    } finally {
      delete process.env.PIPETEST_CHANGED
    }
    expect(names({})).toEqual(['Prepare', 'Train', 'Report'])
  })

  it('says why a pipeline has no test when nothing changed (adapters show one skipped test)', async ({
    tempDir,
  }) => {
    const project = await committedProject(tempDir)
    const plan = planPipelineSuite(project.dag, { rootDir: project.root, changed: 'HEAD' })
    expect(plan.groups).toEqual([])
    expect(plan.emptyBecause).toBe('no selected node changed since HEAD')
  })
})
