import { createHash, randomBytes } from 'node:crypto'
import {
  copyFileSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { expect } from 'vitest'
import { processStat } from '../support/processes.js'
import {
  PipelineTestingSpecBuilder,
  type RunOptions,
  type ScriptTestResult,
} from '../../src/index.js'
import { PipelineRun } from '../../src/engine/index.js'
import { test as baseTest } from '../support/fixtures.js'

/**
 * Shared by the fault-matrix tests: real temp projects with real scripts and cursus-format
 * spec files, a hash of every file (to prove nothing of the user's changed), and process
 * checks (to prove nothing was left running). Waiting is always polling with a deadline,
 * never a sleep standing in for synchronisation.
 */

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..')
export const fixturesDir = join(repoRoot, 'test', 'fixtures', 'reliability')
const scriptsFixtureDir = join(fixturesDir, 'scripts')
export const cliJs = join(repoRoot, 'dist', 'cli.cjs')
export const distIndexJs = join(repoRoot, 'dist', 'index.js')
export const isRoot = process.getuid?.() === 0

/**
 * Every spec written by {@link TempProject.writeSpec} puts this variable in `environ_vars`
 * with a value unique to the project. Scripts, and every process they start, inherit it, so
 * `/proc/<pid>/environ` finds every process a run started — even one no pid file names.
 */
export const MARK_VAR = 'PIPETEST_RELIABILITY_MARK'

/** The on-disk (cursus, snake_case) spec fields a test sets; the rest get cursus' defaults. */
export interface SpecFields {
  script: string
  step: string
  scriptPath?: string | null
  inputs?: Record<string, string>
  outputs?: Record<string, string>
  env?: Record<string, string>
  jobArgs?: Record<string, unknown>
  /** Extra keys (runner, command, timeout_seconds, python, or anything else). */
  extra?: Record<string, unknown>
}

export interface TempProject {
  /** The project root (what `rootDir` and the CLI's cwd are). */
  root: string
  /** Outside the project: pid files and other evidence that must not count as user files. */
  scratch: string
  pidsDir: string
  /** `<root>/test/integration/runtime`, the default test data dir. */
  testDataDir: string
  specsDir: string
  mark: string
  path(...parts: string[]): string
  /** Writes a file (folders created; `rel` may be absolute) and returns its absolute path. */
  write(rel: string, content: string | Buffer): string
  /** Copies fixture scripts (and `_common.py`) into `<root>/<dir>/`. */
  copyScripts(names: string[], dir?: string): void
  /** Writes `<specsDir>/<script>_runtime_test_spec.json` in the cursus format. */
  writeSpec(fields: SpecFields): string
  /** Writes a DAG JSON file and returns its absolute path. */
  writeDag(rel: string, dag: unknown): string
  /** sha256 of every file of the project, run folders and bytecode caches excluded. */
  snapshot(): Tree
}

export type Tree = Record<string, string>

/**
 * The fixtures of the fault-matrix tests: `project`, a temp project of the test's own, and
 * `newProject` for a test that needs more than one or a project folder of another name. Both
 * are removed when the test ends (mode-000 files and read-only folders included).
 */
export type NewProject = (options?: { dirName?: string }) => TempProject

export const test = baseTest
  .extend(
    'newProject',
    async ({ tempDir }): Promise<NewProject> =>
      (options = {}) =>
        createProject(tempDir('pipetest-reliability-'), options.dirName ?? 'project'),
  )
  .extend('project', async ({ newProject }) => newProject())
export const it = test

function createProject(base: string, dirName: string): TempProject {
  const root = join(base, dirName)
  const scratch = join(base, 'scratch')
  const pidsDir = join(scratch, 'pids')
  const testDataDir = join(root, 'test', 'integration', 'runtime')
  const specsDir = join(testDataDir, '.specs')
  mkdirSync(root, { recursive: true })
  mkdirSync(pidsDir, { recursive: true })
  const mark = randomBytes(8).toString('hex')
  const project: TempProject = {
    root,
    scratch,
    pidsDir,
    testDataDir,
    specsDir,
    mark,
    path: (...parts) => join(root, ...parts),
    write(rel, content) {
      const file = resolve(root, rel)
      mkdirSync(dirname(file), { recursive: true })
      writeFileSync(file, content)
      return file
    },
    copyScripts(names, dir = 'scripts') {
      mkdirSync(join(root, dir), { recursive: true })
      for (const name of ['_common.py', ...names]) {
        copyFileSync(join(scriptsFixtureDir, name), join(root, dir, name))
      }
    },
    writeSpec(fields) {
      const json: Record<string, unknown> = {
        script_name: fields.script,
        step_name: fields.step,
        script_path: fields.scriptPath ?? null,
        input_paths: fields.inputs ?? {},
        output_paths: fields.outputs ?? {},
        environ_vars: { ...fields.env, [MARK_VAR]: mark, PIDS_DIR: pidsDir },
        job_args: fields.jobArgs ?? { job_type: 'testing' },
        last_updated: null,
        user_notes: null,
        ...fields.extra,
      }
      return project.write(
        join(relative(root, specsDir), `${fields.script}_runtime_test_spec.json`),
        `${JSON.stringify(json, null, 2)}\n`,
      )
    },
    writeDag(rel, dag) {
      return project.write(rel, `${JSON.stringify(dag, null, 2)}\n`)
    },
    snapshot: () => hashTree(root),
  }
  return project
}

/**
 * sha256 of every file under `root` by relative path (folders and links recorded too, so a
 * deleted empty folder or a retargeted link shows). pipetest's own run folders and Python's
 * bytecode caches are not the user's files and are left out.
 */
export function hashTree(
  root: string,
  ignore: readonly string[] = ['.pipetest', '__pycache__', 'node_modules'],
): Tree {
  const tree: Tree = {}
  const visit = (dir: string) => {
    for (const entry of readdirSync(dir).sort()) {
      if (ignore.includes(entry)) continue
      const path = join(dir, entry)
      const key = relative(root, path)
      const stats = lstatSync(path)
      if (stats.isSymbolicLink()) tree[key] = `link:${readlinkSync(path)}`
      // A FIFO would block the read: record its kind, never open it.
      else if (!stats.isDirectory() && !stats.isFile()) tree[key] = 'special'
      else if (stats.isDirectory()) {
        tree[`${key}/`] = 'dir'
        visit(path)
      } else {
        tree[key] = createHash('sha256').update(readFileSync(path)).digest('hex')
      }
    }
  }
  visit(root)
  return tree
}

/** True while the process runs; a zombie waiting for a slow PID 1 to reap it is not running. */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0)
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
  const state = processStat(pid)?.state
  return state === undefined || (state !== 'Z' && state !== 'X')
}

/** Running processes whose environment carries the project's mark (the run's scripts and their children). */
function markedProcesses(mark: string): number[] {
  const needle = `${MARK_VAR}=${mark}`
  const pids: number[] = []
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue
    let environ: string
    try {
      environ = readFileSync(`/proc/${entry}/environ`, 'latin1')
    } catch {
      continue
    }
    if (!environ.split('\0').includes(needle)) continue
    const state = processStat(entry)?.state
    if (state !== undefined && state !== 'Z' && state !== 'X') pids.push(Number(entry))
  }
  return pids
}

/** Pids the fixture scripts recorded (`<label>.<pid>` files), optionally only one label's. */
export function recordedPids(project: TempProject, label?: string): number[] {
  if (!existsSync(project.pidsDir)) return []
  return readdirSync(project.pidsDir)
    .map((name) => /^(.*)\.(\d+)$/.exec(name))
    .filter((match): match is RegExpExecArray => match !== null)
    .filter((match) => label === undefined || match[1] === label)
    .map((match) => Number(match[2]))
}

/** Polls `condition` every 20 ms; throws naming `what` when `timeoutMs` passes first. */
export async function waitFor(
  condition: () => boolean,
  timeoutMs: number,
  what: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

/**
 * Row requirement (c): nothing the run started is still alive — neither a process a script
 * recorded nor any process carrying the project's mark. A short deadline absorbs signal
 * delivery; a real orphan (a script sleeping for 1000 s) is still there when it passes.
 */
export async function expectNoProcessLeft(project: TempProject, timeoutMs = 5000): Promise<void> {
  const alive = () => [
    ...new Set([
      ...recordedPids(project).filter((pid) => isRunning(pid)),
      ...markedProcesses(project.mark),
    ]),
  ]
  try {
    await waitFor(() => alive().length === 0, timeoutMs, 'the run’s processes to be gone')
  } catch {
    const left = alive().map((pid) => ({ pid, command: commandLine(pid) }))
    // Do not leave them behind for the next tests either.
    for (const { pid } of left) killQuietly(pid)
    // Soft: the rest of the row (the next run, the files) is still checked and reported.
    expect
      .soft(
        left.map(({ pid, command }) => `${pid}: ${command}`),
        'processes left running',
      )
      .toEqual([])
  }
}

function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL')
  } catch {
    // already gone
  }
}

function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim()
  } catch {
    return '?'
  }
}

/**
 * The CLI, the Vitest adapter and child drivers use the built packages, as a user does.
 * Other work may be rebuilding them right now (tsup empties `dist/` first): wait for the files.
 */
export async function distReady(): Promise<void> {
  const files = [cliJs, distIndexJs, join(repoRoot, 'packages', 'vitest', 'dist', 'index.js')]
  try {
    await waitFor(() => files.every((file) => existsSync(file)), 60_000, 'the build')
  } catch {
    throw new Error(
      `The reliability suite needs the built packages (${files
        .filter((file) => !existsSync(file))
        .map((file) => relative(repoRoot, file))
        .join(', ')} missing): run \`npm run build\` first.`,
    )
  }
}

/** Keys of `after` whose hash differs from `before`, plus the ones added or removed. */
export function changedFiles(before: Tree, after: Tree): string[] {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)])
  return [...keys].filter((key) => before[key] !== after[key]).sort()
}

/** A stack frame of ours ("at fn (…/src/…)" or "…/dist/…") in text a user sees. */
export const OUR_STACK_FRAME = /^\s+at .*(\/src\/|\/dist\/|node:internal)/m

/**
 * The environment for a child Vitest/CLI: ours minus Vitest's own variables (they would make
 * a child Vitest believe it runs inside one of our workers).
 */
export function childEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {}
  for (const [key, value] of Object.entries(process.env)) {
    if (value === undefined || key.startsWith('VITEST') || key === 'NODE_ENV' || key === 'TEST')
      continue
    env[key] = value
  }
  return { ...env, NO_COLOR: '1', ...extra }
}

export const vitestMjs = join(repoRoot, 'node_modules', 'vitest', 'vitest.mjs')

/**
 * Makes `project` a Vitest project whose test files import `@pipetest/vitest` by name, as a
 * user's do: `node_modules` links to the repository's, `vitest.config.mjs` includes
 * `vitest/**\/*.test.ts`, and each entry of `files` becomes `vitest/<name>`.
 */
export function makeVitestProject(project: TempProject, files: Record<string, string>): void {
  symlinkSync(join(repoRoot, 'node_modules'), project.path('node_modules'), 'dir')
  project.write(
    'vitest.config.mjs',
    "export default { test: { include: ['vitest/**/*.test.ts'] } }\n",
  )
  for (const [name, content] of Object.entries(files)) project.write(join('vitest', name), content)
}

/** Run folders under the project's test data dir, each with its `run.json` marker. */
export function runFolders(
  project: TempProject,
): Array<{ dir: string; state: string | undefined }> {
  const runs = join(project.testDataDir, '.pipetest', 'runs')
  if (!existsSync(runs)) return []
  return readdirSync(runs)
    .sort()
    .map((name) => {
      const dir = join(runs, name)
      try {
        const marker = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')) as { state?: string }
        return { dir, state: marker.state }
      } catch {
        return { dir, state: undefined }
      }
    })
}

export interface StepRow {
  project: TempProject
  result: ScriptTestResult
  /** The project's files before the run. */
  before: Tree
}

export interface StepRowSetup {
  /** The folder `data_input` reads and its one CSV; `null`: a step without inputs. */
  input?: { folder: string; csv: string } | null
  run?: RunOptions
}

/**
 * A one-node pipeline whose node `Step` runs fixture `script` (by default on `data/raw`, one
 * CSV), with spec fields overridden by `fields`; `prepare` shapes the project once the script
 * is copied and may add spec environment variables that need its paths. Returns the script
 * test's result once the run is closed.
 */
export async function runStepRow(
  project: TempProject,
  script: string,
  fields: Partial<SpecFields> = {},
  prepare: (project: TempProject) => Record<string, string> | void = () => {},
  {
    input = { folder: 'data/raw', csv: 'id,label\n1,0\n' },
    run: runOptions = {},
  }: StepRowSetup = {},
): Promise<StepRow> {
  project.copyScripts([script])
  if (input) project.write(`${input.folder}/records.csv`, input.csv)
  const env = prepare(project) ?? {}
  const dag = project.writeDag('pipeline.dag.json', {
    nodes: [{ name: 'Step', script: `scripts/${script}` }],
    edges: [],
  })
  project.writeSpec({
    script: script.replace(/\.[^.]+$/, ''),
    step: 'Step',
    ...(input ? { inputs: { data_input: input.folder } } : {}),
    outputs: { data_output: 'out/step' },
    ...fields,
    env: { ...fields.env, ...env },
  })
  const before = project.snapshot()
  const builder = new PipelineTestingSpecBuilder({ rootDir: project.root })
  const run = new PipelineRun(builder.buildFromDag(dag), { timeoutSeconds: 60, ...runOptions })
  const result = await run.testScript('Step')
  await run.close()
  return { project, result, before }
}
