import { existsSync, readFileSync } from 'node:fs'
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import type { ExecutionRequest } from '../../src/runners/types.js'
import { afterEach } from 'vitest'
import { it as baseIt } from '../support/fixtures.js'

export const scriptsDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'scripts')

export function fixture(...parts: string[]): string {
  return join(scriptsDir, ...parts)
}

/** A request as the engine would build it: fresh output folder, logs in the run folder. */
export async function makeRequest(
  root: string,
  overrides: Partial<ExecutionRequest> & Pick<ExecutionRequest, 'runner' | 'scriptPath'>,
): Promise<ExecutionRequest> {
  const output = join(root, 'run', 'outputs', 'data_output')
  await mkdir(output, { recursive: true })
  return {
    inputPaths: {},
    outputPaths: { data_output: output },
    environVars: {},
    jobArgs: {},
    cwd: root,
    timeoutMs: 60_000,
    logDir: join(root, 'run'),
    python: 'python3',
    ...overrides,
  }
}

/**
 * True while the process runs. A zombie (dead, waiting to be reaped by a slow PID 1) is not
 * running, although `kill(pid, 0)` still succeeds for it.
 */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0)
  } catch {
    return false
  }
  const stat = `/proc/${pid}/stat`
  if (!existsSync(stat)) return true
  try {
    const text = readFileSync(stat, 'utf8')
    const state = text.slice(text.lastIndexOf(')') + 2).split(' ')[0]
    return state !== 'Z' && state !== 'X'
  } catch {
    return false
  }
}

/** Polls until `condition` holds; fails the test after `timeoutMs`. */
export async function waitFor(
  condition: () => boolean,
  timeoutMs = 10_000,
  what = 'condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

/** Reads "pid pid …" written by a fixture script; anything else fails the test loudly. */
export function readPids(file: string): number[] {
  const text = readFileSync(file, 'utf8')
  const pids = text.trim().split(/\s+/).map(Number)
  // kill(0, 0) would probe our own process group and "find" a live process.
  if (!pids.every((pid) => Number.isInteger(pid) && pid > 0)) {
    throw new Error(`${file} does not hold pids: ${JSON.stringify(text)}`)
  }
  return pids
}

/**
 * The runner tests' fixtures, plus `bundleDriver` (one per test file): bundles a TypeScript
 * driver from `test/fixtures/scripts/drivers/` (it imports src/) so a plain `node` can run it
 * as a separate host process, and returns the bundle's path. The bundle lives inside the
 * repository (node_modules/.cache), not in tempDir's OS temp folder, so that, like an installed
 * pipetest, it finds pipetest's package.json and the shipped harness files by walking up from
 * its own folder. Removed after the file's last test.
 */
/* eslint-disable-next-line no-empty-pattern -- Vitest reads a fixture's dependencies from its first parameter's destructuring. */
export const it = baseIt.extend('bundleDriver', { scope: 'file' }, async ({}, { onCleanup }) => {
  const bundles: string[] = []
  onCleanup(async () => {
    await Promise.all(bundles.splice(0).map((dir) => rm(dir, { recursive: true, force: true })))
  })
  return async (name: string): Promise<string> => {
    const cache = join(scriptsDir, '..', '..', '..', 'node_modules', '.cache')
    await mkdir(cache, { recursive: true })
    const dir = await mkdtemp(join(cache, `pipetest-${name}-`))
    bundles.push(dir)
    const file = join(dir, `${name}.mjs`)
    await build({
      entryPoints: [fixture('drivers', `${name}.ts`)],
      outfile: file,
      bundle: true,
      platform: 'node',
      format: 'esm',
      logLevel: 'silent',
      // Some bundled CommonJS dependencies of execa call require() for Node built-ins.
      banner: {
        js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
      },
    })
    return file
  }
})

/**
 * Pids of processes a test lets out of pipetest's reach on purpose, or that a failing test
 * would leave behind: the test pushes them, and each is SIGKILLed after every test.
 */
export function killedAfterEach(): number[] {
  const pids: number[] = []
  afterEach(() => {
    for (const pid of pids.splice(0)) {
      try {
        process.kill(pid, 'SIGKILL')
      } catch {
        // already gone
      }
    }
  })
  return pids
}
