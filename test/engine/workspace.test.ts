import { spawnSync } from 'node:child_process'
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import { hostname } from 'node:os'
import { join } from 'node:path'
import { describe, expect } from 'vitest'
import {
  createRunId,
  isFileLikePath,
  MARKER_FILE,
  prepareOutputPaths,
  pruneRuns,
  readMarker,
  RunWorkspace,
  runsDirOf,
  safeSegment,
} from '../../src/engine/workspace.js'
import { it } from '../support/fixtures.js'

/** A run folder as an earlier pipetest process would have left it. */
function fakeRun(
  testDataDir: string,
  runId: string,
  state = 'complete',
  pid = process.pid,
): string {
  const dir = join(runsDirOf(testDataDir), runId)
  mkdirSync(join(dir, 'A', '1-script'), { recursive: true })
  writeFileSync(
    join(dir, MARKER_FILE),
    JSON.stringify({ tool: 'pipetest', runId, state, pid, hostname: hostname(), startedAt: '' }),
  )
  return dir
}

describe('run ids', () => {
  it('sort by start time and differ between runs started together', () => {
    const early = createRunId(new Date('2025-01-02T03:04:05.006Z'))
    const late = createRunId(new Date('2025-01-02T03:04:05.007Z'))
    expect(early < late).toBe(true)
    expect(early).toMatch(/^20250102T030405006Z-\d+-[0-9a-f]{6}$/)
    expect(createRunId(new Date(0))).not.toBe(createRunId(new Date(0)))
  })

  it('refuses a runId that is not a plain folder name', ({ tempDir }) => {
    expect(() => new RunWorkspace(tempDir('pipetest-ws-'), '../escape')).toThrow(/Invalid runId/)
  })
})

describe('RunWorkspace', () => {
  it('creates nothing until the first execution folder is needed', ({ tempDir }) => {
    const testDataDir = join(tempDir('pipetest-ws-'), 'data')
    const workspace = new RunWorkspace(testDataDir, 'r1')
    expect(existsSync(testDataDir)).toBe(false)
    const dir = workspace.createExecutionDir('Train/step', 'script')
    expect(dir).toBe(join(testDataDir, '.pipetest', 'runs', 'r1', 'Train_step', '1-script'))
    expect(workspace.createExecutionDir('Train/step', 'edge')).toMatch(/2-edge$/)
    expect(readFileSync(join(testDataDir, '.pipetest', '.gitignore'), 'utf8')).toBe('*\n')
    expect(readMarker(workspace.runFolder)).toMatchObject({
      state: 'running',
      runId: 'r1',
      pid: process.pid,
    })
  })

  it('keeps an existing .gitignore and records how the run ended', ({ tempDir }) => {
    const testDataDir = tempDir('pipetest-ws-')
    mkdirSync(join(testDataDir, '.pipetest'))
    writeFileSync(join(testDataDir, '.pipetest', '.gitignore'), 'mine\n')
    const workspace = new RunWorkspace(testDataDir, 'r1')
    workspace.ensure()
    workspace.finish('interrupted')
    expect(readFileSync(join(testDataDir, '.pipetest', '.gitignore'), 'utf8')).toBe('mine\n')
    expect(readMarker(workspace.runFolder)).toMatchObject({
      state: 'interrupted',
      endedAt: expect.any(String),
    })
  })
})

describe('output paths', () => {
  it('gives folder-like outputs an empty folder and file-like outputs a path in a fresh folder', ({
    tempDir,
  }) => {
    const dir = tempDir('pipetest-ws-')
    const paths = prepareOutputPaths(dir, {
      data_output: 'test/out/data',
      model: 'test/out/model.tar.gz',
      trailing: 'out/v1/',
    })
    expect(paths.data_output).toBe(join(dir, 'outputs', 'data_output'))
    expect(readdirSync(paths.data_output!)).toEqual([])
    expect(paths.model).toBe(join(dir, 'outputs', 'model', 'model.tar.gz'))
    expect(statSync(join(dir, 'outputs', 'model')).isDirectory()).toBe(true)
    expect(existsSync(paths.model!)).toBe(false)
    expect(paths.trailing).toBe(join(dir, 'outputs', 'trailing'))
  })

  it('keeps unsafe output names inside the execution folder', ({ tempDir }) => {
    const dir = tempDir('pipetest-ws-')
    const paths = prepareOutputPaths(dir, { '../x': 'a', '..': 'b', 'a/b': 'c', a_b: 'd' })
    for (const path of Object.values(paths))
      expect(path.startsWith(join(dir, 'outputs'))).toBe(true)
    expect(new Set(Object.values(paths)).size).toBe(4)
  })

  it('tells file-like from folder-like paths by the extension', () => {
    expect(isFileLikePath('out/metrics.json')).toBe(true)
    expect(isFileLikePath('out/model.tar.gz')).toBe(true)
    expect(isFileLikePath('out/data')).toBe(false)
    expect(isFileLikePath('out/.hidden')).toBe(false)
    expect(isFileLikePath('out/data.v1/')).toBe(false)
    expect(safeSegment('..')).toBe('_..')
  })
})

describe('pruneRuns', () => {
  it('keeps the newest runs and removes only older pipetest run folders', async ({ tempDir }) => {
    const testDataDir = tempDir('pipetest-ws-')
    const runs = runsDirOf(testDataDir)
    for (const id of ['r1', 'r2', 'r3', 'r4']) fakeRun(testDataDir, id)
    mkdirSync(join(runs, 'a-user-folder'))
    writeFileSync(join(runs, 'a-user-folder', 'keep.txt'), 'mine')
    mkdirSync(join(runs, 'r0-no-marker'))
    writeFileSync(join(runs, 'notes.txt'), 'mine')
    const outside = join(testDataDir, 'outside')
    mkdirSync(outside)
    writeFileSync(
      join(outside, MARKER_FILE),
      JSON.stringify({ tool: 'pipetest', state: 'complete' }),
    )
    symlinkSync(outside, join(runs, 'r00-link'))

    expect(await pruneRuns(runs, 2)).toEqual(['r1', 'r2'])
    expect(readdirSync(runs).sort()).toEqual([
      'a-user-folder',
      'notes.txt',
      'r0-no-marker',
      'r00-link',
      'r3',
      'r4',
    ])
    expect(existsSync(join(outside, MARKER_FILE))).toBe(true)
  })

  it('never removes the current run or one whose process is still running', async ({ tempDir }) => {
    const testDataDir = tempDir('pipetest-ws-')
    const runs = runsDirOf(testDataDir)
    fakeRun(testDataDir, 'r1', 'complete')
    fakeRun(testDataDir, 'r2', 'running', process.pid)
    const dead = spawnSync('node', ['-e', 'console.log(process.pid)'], { encoding: 'utf8' })
    fakeRun(testDataDir, 'r3', 'running', Number(dead.stdout.trim()))
    fakeRun(testDataDir, 'r4', 'complete')
    expect(await pruneRuns(runs, 1, { protect: ['r1'] })).toEqual(['r3'])
    expect(readdirSync(runs).sort()).toEqual(['r1', 'r2', 'r4'])
  })

  it('does nothing when there is no runs folder', async ({ tempDir }) => {
    expect(await pruneRuns(join(tempDir('pipetest-ws-'), 'missing'), 1)).toEqual([])
  })
})
