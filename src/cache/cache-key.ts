import { createHash } from 'node:crypto'
import { readFileSync, realpathSync, statSync } from 'node:fs'
import { delimiter, isAbsolute, join, relative, resolve, sep } from 'node:path'
import { stableStringify } from '../files/json.js'
import { loadLibrary } from '../files/load-library.js'
import { harnessPath, packagePath } from '../runners/harness.js'
import type { RunnerKind } from '../spec/index.js'
import { hashFile, hashTree } from './content-hash.js'
import { localModulesOf } from './local-modules.js'

/** Bumped when the key's ingredients or the entry format change: old entries then miss. */
const KEY_FORMAT = 'pipetest-cache-1'

/** One input of an execution, as the key sees it. */
export type KeyInput =
  | { kind: 'data'; path: string }
  /** Fed by an upstream execution that has a key: its key says what its outputs hold. */
  | { kind: 'wired'; upstreamKey: string; output: string; subpath?: string | undefined }

/** Everything that determines what an execution writes (see README, "Execution cache"). */
export interface KeyRequest {
  /** The project root: paths in the key are relative to it, so clones at other paths share. */
  rootDir: string
  runner: RunnerKind
  scriptPath: string | undefined
  /** The resolved Python executable (python runner). */
  python: string
  command: string[] | undefined
  environVars: Record<string, string>
  jobArgs: Record<string, unknown>
  workingDir: string | undefined
  /** Output name → spec path: names and file names shape what the script is asked to write. */
  outputPaths: Record<string, string>
  inputs: Record<string, KeyInput>
  /** The spec's declared extra reads. */
  declared: { files?: string[] | undefined; env?: string[] | undefined }
  /** Folders left out of input digests (pipetest's own, inside the test data folder). */
  exclude: string[]
  /** Where Python import lists are remembered. */
  memoDir: string
  env?: NodeJS.ProcessEnv
}

export interface CacheKey {
  /** sha256 (hex) of the ingredients. */
  key: string
  /** What went into it, for `--json` readers and for tests that check one ingredient. */
  ingredients: Record<string, unknown>
}

/**
 * The key of an execution. Rejects with {@link UnhashableError} when an input cannot be
 * fingerprinted (too many files): such an execution is simply not cached.
 */
export async function cacheKeyOf(request: KeyRequest): Promise<CacheKey> {
  const { rootDir, runner } = request
  const env = request.env ?? process.env
  const script =
    request.scriptPath === undefined ? undefined : await fileIngredient(request.scriptPath, rootDir)
  const modules =
    request.scriptPath === undefined
      ? []
      : (await localModulesOf(request.scriptPath, runner, request.python, request.memoDir)).map(
          (module) => ({ path: projectPath(module.path, rootDir), sha256: module.sha256 }),
        )
  const inputs: Record<string, unknown> = {}
  for (const [name, input] of Object.entries(request.inputs)) {
    inputs[name] =
      input.kind === 'wired'
        ? { upstream: input.upstreamKey, output: input.output, subpath: input.subpath }
        : { data: await hashTree(input.path, request.exclude) }
  }
  const declaredFiles = await declaredFilesOf(request.declared.files ?? [], rootDir)
  const declaredEnv = Object.fromEntries(
    [...new Set(request.declared.env ?? [])].sort().map((name) => [name, env[name] ?? null]),
  )
  const ingredients: Record<string, unknown> = {
    format: KEY_FORMAT,
    pipetest: pipetestVersion(),
    // The shipped harness that loads the script: a new pipetest may call `main` differently.
    harness:
      runner === 'command'
        ? null
        : await hashFile(
            harnessPath(runner === 'python' ? 'python_harness.py' : 'node_harness.mjs'),
          ),
    runner,
    interpreter: interpreterOf(request),
    script,
    modules,
    command: request.command,
    environVars: request.environVars,
    jobArgs: request.jobArgs,
    workingDir: request.workingDir ?? 'execution',
    outputs: request.outputPaths,
    inputs,
    declaredFiles,
    declaredEnv,
  }
  const key = createHash('sha256').update(stableStringify(ingredients)).digest('hex')
  return { key, ingredients }
}

async function fileIngredient(path: string, rootDir: string) {
  try {
    return { path: projectPath(path, rootDir), sha256: await hashFile(path) }
  } catch {
    return { path: projectPath(path, rootDir), sha256: null }
  }
}

/** Declared globs (relative to the project root), each matched file with its digest. */
async function declaredFilesOf(globs: string[], rootDir: string) {
  if (globs.length === 0) return []
  // Loaded here, not with the module: few specs declare files, and every run computes keys.
  const { globSync } = await loadLibrary(() => import('tinyglobby'), 'tinyglobby')
  const files = globSync(globs, { cwd: rootDir, absolute: true, dot: true, onlyFiles: true })
  const sorted = [...new Set(files.map((file) => resolve(file)))].sort()
  return Promise.all(sorted.map((file) => fileIngredient(file, rootDir)))
}

/**
 * Which interpreter runs the script, down to its build: the executable's real path, size and
 * modification time change with any upgrade, which a version string like `3.11` would not.
 */
function interpreterOf(request: KeyRequest): unknown {
  if (request.runner === 'node')
    return { node: process.version, executable: fileIdentity(process.execPath) }
  if (request.runner === 'python') return { python: fileIdentity(request.python) }
  const program = request.command?.[0]
  if (program === undefined || program.includes('{')) return null
  return { program, executable: fileIdentity(whichProgram(program, request.rootDir)) }
}

function fileIdentity(path: string | undefined): unknown {
  if (path === undefined) return null
  try {
    const real = realpathSync(path)
    const stats = statSync(real)
    return { path: real, size: stats.size, mtimeMs: Math.trunc(stats.mtimeMs) }
  } catch {
    return { path, missing: true }
  }
}

/** A command's program as the child process will find it: a path, or the first on PATH. */
function whichProgram(program: string, rootDir: string): string | undefined {
  if (program.includes('/') || program.includes(sep)) return resolve(rootDir, program)
  for (const folder of (process.env.PATH ?? '').split(delimiter)) {
    if (folder === '') continue
    const candidate = join(folder, program)
    try {
      if (statSync(candidate).isFile()) return candidate
    } catch {
      // not in this folder
    }
  }
  return undefined
}

let version: string | undefined

function pipetestVersion(): string {
  if (version === undefined) {
    try {
      const json = JSON.parse(readFileSync(packagePath('package.json'), 'utf8')) as {
        version?: string
      }
      version = json.version ?? 'unknown'
    } catch {
      version = 'unknown'
    }
  }
  return version
}

/** Relative to the project root with `/`, or absolute when outside it. */
function projectPath(path: string, rootDir: string): string {
  const inside = relative(rootDir, path)
  return inside.startsWith('..') || isAbsolute(inside) ? path : inside.split(sep).join('/')
}
