import { randomBytes } from 'node:crypto'
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { rm } from 'node:fs/promises'
import { hostname } from 'node:os'
import { basename, extname, join, relative } from 'node:path'
import { walkTree } from '../files/walk.js'
import { PipetestError } from '../errors.js'
import { writeFileAtomic } from '../files/atomic-write.js'

/**
 * The run folder: `<testDataDir>/.pipetest/runs/<runId>/`, holding one folder per execution
 * (`<node>/<n>-<purpose>/` with its logs and fresh, empty `outputs/`). Stale files can never
 * make a test pass and parallel executions never collide. Pruning removes only folders that
 * carry our marker file, never the current run, and never a run that is still going.
 */

export const MARKER_FILE = 'run.json'
export const DEFAULT_KEEP_RUNS = 5

export type RunState = 'running' | 'complete' | 'interrupted'

export interface RunMarker {
  tool: 'pipetest'
  runId: string
  state: RunState
  pid: number
  hostname: string
  startedAt: string
  endedAt?: string
}

/** `<testDataDir>/.pipetest`. */
export function pipetestDirOf(testDataDir: string): string {
  return join(testDataDir, '.pipetest')
}

/** `<testDataDir>/.pipetest/runs`. */
export function runsDirOf(testDataDir: string): string {
  return join(pipetestDirOf(testDataDir), 'runs')
}

/**
 * A run id that sorts by start time: `20250131T120501123Z-<pid>-<random>`, so "the last N
 * runs" is a plain sort, and two processes starting in the same millisecond still differ.
 */
export function createRunId(now: Date = new Date()): string {
  const stamp = now.toISOString().replace(/[-:.]/g, '')
  return `${stamp}-${process.pid}-${randomBytes(3).toString('hex')}`
}

const SAFE_RUN_ID = /^[A-Za-z0-9][A-Za-z0-9._-]*$/

/**
 * A name that is one safe path segment: node and output names come from user files and may
 * contain `/`, `..` or characters a file system refuses.
 */
export function safeSegment(name: string): string {
  const cleaned = name.replace(/[^A-Za-z0-9._-]/g, '_')
  return cleaned === '' || /^\.+$/.test(cleaned) ? `_${cleaned}` : cleaned
}

/**
 * A spec output path whose file name has an extension (`model.tar.gz`, `metrics.json`) is a
 * file the script writes; anything else (`output`, `out/`) is a folder the script fills.
 */
export function isFileLikePath(specPath: string): boolean {
  if (/[\\/]$/.test(specPath)) return false
  return extname(basename(specPath)) !== ''
}

export class RunWorkspace {
  readonly testDataDir: string
  readonly runId: string
  readonly runFolder: string
  readonly #executionCounters = new Map<string, number>()
  #marker: RunMarker | undefined

  /** Computes paths only; nothing is created until the first execution needs a folder. */
  constructor(testDataDir: string, runId: string = createRunId()) {
    if (!SAFE_RUN_ID.test(runId)) {
      throw new PipetestError('USAGE', `Invalid runId ${JSON.stringify(runId)}`, {
        field: 'runId',
        hint: 'Use letters, digits, ".", "_" and "-" only (it becomes a folder name).',
      })
    }
    this.testDataDir = testDataDir
    this.runId = runId
    this.runFolder = join(runsDirOf(testDataDir), runId)
  }

  get created(): boolean {
    return this.#marker !== undefined
  }

  /** Creates `.pipetest/` (with a `.gitignore` of `*`), the run folder and its marker. */
  ensure(): void {
    if (this.#marker) return
    const pipetestDir = pipetestDirOf(this.testDataDir)
    mkdirSync(this.runFolder, { recursive: true })
    const gitignore = join(pipetestDir, '.gitignore')
    // Run folders are evidence for this machine, not for the repository.
    if (!existsSync(gitignore)) writeFileSync(gitignore, '*\n')
    this.#marker = {
      tool: 'pipetest',
      runId: this.runId,
      state: 'running',
      pid: process.pid,
      hostname: hostname(),
      startedAt: new Date().toISOString(),
    }
    this.#writeMarker()
  }

  /** A new folder `<runFolder>/<node>/<n>-<purpose>/` for one execution. */
  createExecutionDir(node: string, purpose: string): string {
    this.ensure()
    const nodeDir = safeSegment(node)
    const n = (this.#executionCounters.get(nodeDir) ?? 0) + 1
    this.#executionCounters.set(nodeDir, n)
    const dir = join(this.runFolder, nodeDir, `${n}-${safeSegment(purpose)}`)
    mkdirSync(dir, { recursive: true })
    return dir
  }

  /** Marks the run finished; the marker tells pruning (and people) how it ended. */
  finish(state: Exclude<RunState, 'running'>): void {
    if (!this.#marker) return
    this.#marker = { ...this.#marker, state, endedAt: new Date().toISOString() }
    this.#writeMarker()
  }

  #writeMarker(): void {
    const file = join(this.runFolder, MARKER_FILE)
    const text = `${JSON.stringify(this.#marker, null, 2)}\n`
    try {
      writeFileAtomic(file, text, { durable: false })
    } catch (error) {
      // A full disk has no room for the atomic write's second copy, but the marker's own
      // blocks can be reused: rewrite it in place, so a run is never left marked `running`.
      const code = (error as NodeJS.ErrnoException).code
      if ((code !== 'ENOSPC' && code !== 'EDQUOT') || !existsSync(file)) throw error
      writeFileSync(file, text)
    }
  }
}

/**
 * Fresh output locations under `<executionDir>/outputs/`: a folder-like spec output becomes
 * an empty folder `outputs/<name>/`; a file-like one (`model.pkl`) becomes the path
 * `outputs/<name>/model.pkl` with its folder created, so the script writes the file it expects.
 */
export function prepareOutputPaths(
  executionDir: string,
  specOutputs: Record<string, string>,
): Record<string, string> {
  const outputsDir = join(executionDir, 'outputs')
  const used = new Set<string>()
  const paths: Record<string, string> = {}
  for (const [name, specPath] of Object.entries(specOutputs)) {
    let folder = safeSegment(name)
    for (let i = 2; used.has(folder); i++) folder = `${safeSegment(name)}-${i}`
    used.add(folder)
    const dir = join(outputsDir, folder)
    mkdirSync(dir, { recursive: true })
    paths[name] = isFileLikePath(specPath) ? join(dir, safeSegment(basename(specPath))) : dir
  }
  return paths
}

/**
 * `<executionDir>/work/`, the script's working directory unless its spec says
 * `"working_dir": "project"`: a relative write lands here, never in the user's repository.
 */
export function prepareWorkingDir(executionDir: string): string {
  const dir = join(executionDir, 'work')
  mkdirSync(dir, { recursive: true })
  return dir
}

/** Files under `dir` (relative paths, at most `limit`), and how many more there are. */
export function filesWrittenIn(dir: string, limit = 5): { files: string[]; more: number } {
  const files: string[] = []
  let more = 0
  for (const entry of walkTree(dir)) {
    if (entry.kind === 'directory') continue
    if (files.length < limit) files.push(relative(dir, entry.path))
    else more++
  }
  return { files, more }
}

export interface PruneOptions {
  /** Run ids never removed (the current run). */
  protect?: Iterable<string>
  /**
   * Runs that ended less than this many milliseconds ago are kept whatever their number:
   * one `vitest run` with many pipelines or test files makes many runs, and the failure
   * messages it printed must still point at existing folders when the user reads them.
   */
  keepEndedWithinMs?: number
}

/**
 * Keeps the newest `keep` run folders under `runsDir` and removes older ones that are
 * pipetest run folders (a readable marker with `tool: "pipetest"`), skipping runs that are
 * still going. Anything else in the folder — or outside it — is never touched. The folders
 * are removed by libuv's thread pool, so a run prunes while its executions run instead of
 * after them. Returns the removed run ids.
 */
export async function pruneRuns(
  runsDir: string,
  keep: number,
  options: PruneOptions = {},
): Promise<string[]> {
  if (!existsSync(runsDir)) return []
  const protect = new Set(options.protect ?? [])
  const runs = readdirSync(runsDir)
    .sort()
    .flatMap((runId) => {
      const marker = readMarker(join(runsDir, runId))
      return marker ? [{ runId, marker }] : []
    })
  const removed = runs
    .slice(0, Math.max(0, runs.length - Math.max(0, keep)))
    .filter(({ runId, marker }) => !protect.has(runId) && !isStillRunning(marker))
    .filter(({ marker }) => !endedWithin(marker, options.keepEndedWithinMs ?? 0))
    .map(({ runId }) => runId)
  await Promise.all(
    removed.map((runId) => rm(join(runsDir, runId), { recursive: true, force: true })),
  )
  return removed
}

function endedWithin(marker: RunMarker, ms: number): boolean {
  const ended = Date.parse(marker.endedAt ?? marker.startedAt)
  return ms > 0 && Number.isFinite(ended) && Date.now() - ended < ms
}

/** The marker of a real run folder (not a symlink), or undefined for anything else. */
export function readMarker(dir: string): RunMarker | undefined {
  try {
    if (!lstatSync(dir).isDirectory()) return undefined
    const marker = JSON.parse(readFileSync(join(dir, MARKER_FILE), 'utf8')) as Partial<RunMarker>
    if (marker.tool !== 'pipetest' || typeof marker.state !== 'string') return undefined
    return marker as RunMarker
  } catch {
    return undefined
  }
}

/**
 * A `running` marker whose process is gone (killed test run) is stale and may be pruned;
 * one from another machine (shared disk) cannot be checked and is left alone.
 */
function isStillRunning(marker: RunMarker): boolean {
  if (marker.state !== 'running') return false
  if (marker.hostname !== hostname()) return true
  if (marker.pid === process.pid) return true
  try {
    process.kill(marker.pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}
