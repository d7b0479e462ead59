import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import type { TempDir } from '../support/fixtures.js'

/**
 * Runs the BUILT command line (`node dist/cli.cjs`, the package's bin), as a user's shell would, on throw-away
 * projects: what is tested is what `npx pipetest` runs.
 */

const here = dirname(fileURLToPath(import.meta.url))
export const repoRoot = resolve(here, '../..')
export const cliPath = join(repoRoot, 'dist', 'cli.cjs')
export const ptyDriver = join(here, 'pty-driver.py')
const countSpecReads = join(here, 'count-spec-reads.mjs')

export function assertBuilt(): void {
  if (!existsSync(cliPath)) {
    throw new Error(
      `${cliPath} does not exist: these tests run the built CLI. Run "npm run build" (or "npx tsup") first; "npm test" does it for you.`,
    )
  }
}

export interface CliResult {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
}

/** The environment of a user's CI shell: no colours forced either way. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = { ...process.env }
  delete env.FORCE_COLOR
  delete env.NO_COLOR
  delete env.CI
  // A GitHub Actions job running these tests must not get their job summaries.
  delete env.GITHUB_STEP_SUMMARY
  delete env.PIPETEST_RUN_JOURNAL
  return { ...env, ...extra }
}

export function startCli(
  args: string[],
  options: { cwd: string; env?: Record<string, string>; nodeOptions?: string[] },
): { child: ChildProcess; done: Promise<CliResult> } {
  const child = spawn(process.execPath, [...(options.nodeOptions ?? []), cliPath, ...args], {
    cwd: options.cwd,
    env: cleanEnv(options.env),
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
  const done = new Promise<CliResult>((resolvePromise, reject) => {
    child.on('error', reject)
    child.on('close', (code, signal) => resolvePromise({ code, signal, stdout, stderr }))
  })
  return { child, done }
}

export function cli(
  args: string[],
  options: { cwd: string; env?: Record<string, string>; nodeOptions?: string[] },
): Promise<CliResult> {
  return startCli(args, options).done
}

/**
 * Runs the built CLI counting how many times it reads a spec file: the work of a command
 * over many nodes, measured without timing it. The count is written in a folder of the test's
 * `tempDir` (outside the project, whose files the command reads).
 */
export async function cliCountingSpecReads(
  args: string[],
  options: { cwd: string; tempDir: TempDir },
): Promise<CliResult & { specReads: number }> {
  const countFile = join(options.tempDir('pipetest-reads-'), 'reads')
  const result = await cli(args, {
    cwd: options.cwd,
    env: { PIPETEST_SPEC_READS_FILE: countFile },
    nodeOptions: ['--import', pathToFileURL(countSpecReads).href],
  })
  return { ...result, specReads: Number(readFileSync(countFile, 'utf8')) }
}

export interface PtyStep {
  expect: string
  send: string
}

/** Runs the CLI under a real pseudo-terminal, typing `steps` at its prompts. */
export function cliInPty(
  args: string[],
  options: { cwd: string; steps?: PtyStep[]; env?: Record<string, string>; rows?: number },
): Promise<CliResult> {
  const script = join(options.cwd, `.pty-steps-${process.pid}-${Date.now()}.json`)
  writeFileSync(script, JSON.stringify(options.steps ?? []))
  const child = spawn(
    'python3',
    [
      ptyDriver,
      '--script',
      script,
      '--timeout',
      '60',
      '--rows',
      String(options.rows ?? 40),
      '--',
      process.execPath,
      cliPath,
      ...args,
    ],
    { cwd: options.cwd, env: cleanEnv(options.env), stdio: ['ignore', 'pipe', 'pipe'] },
  )
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
  return new Promise((resolvePromise, reject) => {
    child.on('error', reject)
    child.on('close', (code, signal) => {
      rmSync(script, { force: true })
      resolvePromise({ code, signal, stdout, stderr })
    })
  })
}

/** Removes ANSI escape sequences (colours, cursor movement). */
export function plain(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '')
}

export function write(root: string, path: string, content: string): string {
  const file = join(root, path)
  mkdirSync(dirname(file), { recursive: true })
  writeFileSync(file, content)
  return file
}

export function read(root: string, path: string): string {
  return readFileSync(join(root, path), 'utf8')
}

export function readJson(root: string, path: string): Record<string, unknown> {
  return JSON.parse(read(root, path)) as Record<string, unknown>
}

/**
 * A Python script with the cursus contract: it writes a file into every declared output,
 * or raises when env FAIL is set. With PID_DIR set it records its pid and starts a
 * grandchild (`sleep`) whose pid it records too, then sleeps SLEEP seconds: the
 * interruption tests need a process tree that is still running when the signal comes.
 */
const SCRIPT = `import os, pathlib, subprocess, time

NAME = "__NAME__"

def main(input_paths, output_paths, environ_vars, job_args):
    child = None
    pid_dir = environ_vars.get("PID_DIR")
    if pid_dir:
        folder = pathlib.Path(pid_dir)
        folder.mkdir(parents=True, exist_ok=True)
        child = subprocess.Popen(["sleep", "300"])
        (folder / f"{NAME}.grandchild.pid").write_text(str(child.pid))
        (folder / f"{NAME}.pid").write_text(str(os.getpid()))
    try:
        time.sleep(float(environ_vars.get("SLEEP", "0")))
        if environ_vars.get("FAIL"):
            raise RuntimeError(f"{NAME} was told to fail")
        for path in output_paths.values():
            out = pathlib.Path(path)
            out.mkdir(parents=True, exist_ok=True)
            (out / "part-0.txt").write_text(f"{NAME} read {', '.join(input_paths.keys())}\\n")
    finally:
        if child:
            child.kill()
`

export interface Project {
  root: string
  dag: string
}

/** Prepare → Train → Report in `root`, with raw input data for Prepare; specs are left to the test. */
export function pythonProject(root: string): Project {
  for (const name of ['prepare', 'train', 'report']) {
    write(root, `scripts/${name}.py`, SCRIPT.replaceAll('__NAME__', name))
  }
  write(root, 'data/raw/rows.csv', 'id,label\n1,0\n2,1\n')
  const dag = {
    name: 'demo',
    nodes: [
      { name: 'Prepare', script: 'scripts/prepare.py' },
      { name: 'Train', script: 'scripts/train.py' },
      { name: 'Report', script: 'scripts/report.py' },
    ],
    edges: [
      { from: 'Prepare', to: 'Train', ports: { prepared: 'data' } },
      { from: 'Train', to: 'Report', ports: { model: 'model' } },
    ],
  }
  write(root, 'pipeline.dag.json', `${JSON.stringify(dag, null, 2)}\n`)
  return { root, dag: 'pipeline.dag.json' }
}

/**
 * A chain of `count` nodes running one script, each with its own complete spec file unless
 * `specs` is false: enough nodes that work done once per node per spec file shows.
 */
export function chainProject(
  root: string,
  count: number,
  options: { specs?: boolean } = {},
): Project {
  write(root, 'scripts/step.py', SCRIPT.replaceAll('__NAME__', 'step'))
  const name = (i: number) => `Step${String(i).padStart(3, '0')}_training`
  const nodes = Array.from({ length: count }, (_, i) => name(i))
  const edges = nodes.slice(1).map((node, i) => ({ from: nodes[i]!, to: node }))
  write(root, 'pipeline.dag.json', JSON.stringify({ name: 'chain', nodes, edges }))
  if (options.specs ?? true) {
    for (let i = 0; i < count; i++) {
      const script = `step${String(i).padStart(3, '0')}`
      const spec = {
        script_name: script,
        step_name: name(i),
        script_path: 'scripts/step.py',
        input_paths: {},
        output_paths: { data_output: `out/${i}` },
        environ_vars: {},
        job_args: {},
      }
      write(
        root,
        `test/integration/runtime/.specs/${script}_runtime_test_spec.json`,
        JSON.stringify(spec),
      )
    }
  }
  return { root, dag: 'pipeline.dag.json' }
}

/** Complete specs for the three nodes (written through the CLI, as a user would). */
export async function completeSpecs(project: Project, env: Record<string, string> = {}) {
  const envArgs = Object.entries(env).flatMap(([key, value]) => ['--env', `${key}=${value}`])
  const sets = [
    ['Prepare', '--input', 'raw=data/raw', '--output', 'prepared=out/prepared', ...envArgs],
    ['Train', '--input', 'data=out/prepared', '--output', 'model=out/model', ...envArgs],
    ['Report', '--input', 'model=out/model', '--output', 'report=out/report', ...envArgs],
  ]
  for (const args of sets) {
    const result = await cli(['spec', 'set', ...args, '--dag', project.dag], { cwd: project.root })
    if (result.code !== 0) throw new Error(`spec set failed: ${result.stderr}`)
  }
}

/** True while `pid` runs; a zombie (killed, not yet reaped by its parent) is not running. */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0)
  } catch {
    return false
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z'
  } catch {
    return false
  }
}

/** Polls `check` until it holds or the deadline passes (no fixed sleeps). */
export async function waitFor(check: () => boolean, what: string, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`)
    await new Promise((resolvePromise) => setTimeout(resolvePromise, 50))
  }
}
