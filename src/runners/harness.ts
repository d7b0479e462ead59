import { existsSync, readFileSync } from 'node:fs'
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { stringifyJson } from '../files/json.js'
import type { ExecutionRequest } from './types.js'

/**
 * The Python and Node harnesses are plain files shipped in the package (`files` in
 * package.json), not bundled code. They talk to us through two files in the execution's log
 * folder: a request written before the start, and a result written by the harness. A file is
 * a channel that nothing the script prints can corrupt, and it stays behind as evidence.
 */
export type HarnessFile =
  'python_harness.py' | 'python_worker.py' | 'node_harness.mjs' | 'group_watchdog.mjs'

/** What the harness asks for; the same shape for both languages (snake_case, as in cursus). */
export interface HarnessRequest {
  script_path: string
  input_paths: Record<string, string>
  output_paths: Record<string, string>
  environ_vars: Record<string, string>
  job_args: Record<string, unknown>
  result_file: string
  /** Python: where faulthandler writes the stacks when pipetest signals a timeout. */
  stack_file: string
}

const HARNESS_OUTCOMES = [
  'success',
  'import-error',
  'no-main',
  'bad-signature',
  'exception',
  'exit',
] as const

/** What the harness reports. `exit`: main() ended the process itself (sys.exit / process.exit). */
export interface HarnessResult {
  outcome: (typeof HARNESS_OUTCOMES)[number]
  message: string
  traceback?: string
  exit_code?: number
}

let packageRoot: string | undefined

/**
 * Absolute path of a shipped harness (or of the group watchdog, shipped beside them). Found by walking up from this module to the
 * package.json named "pipetest": that works from `src/` under Vitest and from `dist/` after
 * bundling (ESM or CJS; tsup shims `import.meta.url`), installed or linked.
 */
export function harnessPath(file: HarnessFile): string {
  return packagePath('src', 'runners', 'harness', file)
}

/** Absolute path of a file shipped in the package (`files` in package.json). */
export function packagePath(...segments: string[]): string {
  packageRoot ??= findPackageRoot(dirname(fileURLToPath(import.meta.url)))
  return join(packageRoot, ...segments)
}

function findPackageRoot(start: string): string {
  for (let dir = start; ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json')
    if (existsSync(manifest) && readPackageName(manifest) === 'pipetest') return dir
    if (dirname(dir) === dir) {
      throw new Error(
        `pipetest: cannot find its own package.json above ${start}; the installation is incomplete (reinstall pipetest).`,
      )
    }
  }
}

function readPackageName(manifest: string): unknown {
  try {
    return (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown }).name
  } catch {
    return undefined
  }
}

/** Writes the request file (and removes a stale result) in the execution's log folder. */
export async function writeHarnessRequest(
  request: ExecutionRequest,
): Promise<{ requestFile: string; resultFile: string; stackFile: string }> {
  await mkdir(request.logDir, { recursive: true })
  const requestFile = join(request.logDir, 'harness-request.json')
  const resultFile = join(request.logDir, 'harness-result.json')
  const stackFile = join(request.logDir, 'stack-at-timeout.txt')
  await rm(resultFile, { force: true })
  const payload: HarnessRequest = {
    script_path: request.scriptPath,
    input_paths: request.inputPaths,
    output_paths: request.outputPaths,
    environ_vars: request.environVars,
    job_args: request.jobArgs,
    result_file: resultFile,
    stack_file: stackFile,
  }
  // Numbers as the spec file wrote them (1.0, 2**63, NaN): Python's json reads them as cursus does.
  await writeFile(requestFile, stringifyJson(payload, 2))
  return { requestFile, resultFile, stackFile }
}

/**
 * The stacks faulthandler wrote when the timeout hit, without the harness's own frames and
 * bounded; undefined when there are none (not Python, or it could not answer in time).
 */
export async function readStackAtTimeout(stackFile: string): Promise<string | undefined> {
  let text: string
  try {
    text = await readFile(stackFile, 'utf8')
  } catch {
    return undefined
  }
  // pipetest's own frames (the harness, and the worker a forked child started in) are not the user's.
  const ours = [harnessPath('python_harness.py'), harnessPath('python_worker.py')]
  const lines = text
    .split('\n')
    .filter((line) => line.trim() !== '' && !ours.some((file) => line.includes(file)))
  if (lines.length === 0) return undefined
  const shown = lines.slice(0, STACK_MAX_LINES)
  if (lines.length > shown.length)
    shown.push(`  … ${lines.length - shown.length} more lines in ${stackFile}`)
  return shown.join('\n')
}

const STACK_MAX_LINES = 60

/**
 * A script's exception message can be megabytes (a whole DataFrame in a ValueError): results
 * keep a bounded head and tail; the full text stays in stderr.log.
 */
const MESSAGE_MAX_CHARS = 2000
const TRACEBACK_MAX_CHARS = 16_000

function bounded(text: string, max: number): string {
  if (text.length <= max) return text
  const half = Math.floor(max / 2)
  const cut = text.length - 2 * half
  return `${text.slice(0, half)} … [${cut.toLocaleString('en-US')} characters cut; the full text is in stderr.log] … ${text.slice(-half)}`
}

/** The harness's report, or undefined when it wrote none (killed, os._exit, crashed). */
export async function readHarnessResult(resultFile: string): Promise<HarnessResult | undefined> {
  let data: unknown
  try {
    data = JSON.parse(await readFile(resultFile, 'utf8'))
  } catch {
    return undefined
  }
  if (typeof data !== 'object' || data === null) return undefined
  const { outcome, message, traceback, exit_code } = data as Record<string, unknown>
  const known = HARNESS_OUTCOMES.find((name) => name === outcome)
  if (known === undefined) return undefined
  return {
    outcome: known,
    message: bounded(typeof message === 'string' ? message : known, MESSAGE_MAX_CHARS),
    ...(typeof traceback === 'string' && traceback !== ''
      ? { traceback: bounded(traceback, TRACEBACK_MAX_CHARS) }
      : {}),
    ...(typeof exit_code === 'number' ? { exit_code } : {}),
  }
}
