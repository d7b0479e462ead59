import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect } from 'vitest'
import { it, type TempDir } from '../support/fixtures.js'
import {
  assertBuilt,
  cli,
  cliInPty,
  completeSpecs,
  isRunning,
  plain,
  pythonProject,
  readJson,
  startCli,
  waitFor,
  type Project,
} from './cli-harness.js'

beforeAll(assertBuilt)

const RUNTIME = 'test/integration/runtime'
const ESC = '\u001b'

interface RunReport {
  ok: boolean
  runDir: string
  scripts: Record<string, { status: string }>
  edges: Record<string, { status: string }>
  flow: { status: string } | null
}

interface LastRunFile {
  runs: Record<string, { state: string; runId: string; finishedAt: string }>
}

async function readyProject(tempDir: TempDir, env: Record<string, string> = {}): Promise<Project> {
  const project = pythonProject(tempDir())
  await completeSpecs(project, env)
  return project
}

async function setEnv(project: Project, node: string, env: Record<string, string>) {
  const args = Object.entries(env).flatMap(([key, value]) => ['--env', `${key}=${value}`])
  const result = await cli(['spec', 'set', node, '--dag', project.dag, ...args], {
    cwd: project.root,
  })
  expect(result.code).toBe(0)
}

describe('pipetest run (not a terminal)', () => {
  it('prints append-only progress lines and a summary, and exits 0 when all pass', async ({
    tempDir,
  }) => {
    const project = await readyProject(tempDir)
    const result = await cli(['run', project.dag], { cwd: project.root })
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    expect(result.stdout).not.toContain('\u001b[')
    const lines = result.stdout.split('\n')
    expect(lines[0]).toBe('demo: 3 nodes, scripts + compatibility + flow')
    const progress = lines.filter((line) => /^[▶✓✗⊘] /.test(line))
    expect(progress.indexOf('▶ Prepare (script) started')).toBeLessThan(
      progress.findIndex((line) => line.startsWith('✓ Prepare (script)')),
    )
    expect(progress.findIndex((line) => line.startsWith('✓ Prepare'))).toBeLessThan(
      progress.findIndex((line) => line.startsWith('▶ Train')),
    )
    expect(result.stdout).toMatch(/^Scripts {7}3 passed$/m)
    expect(result.stdout).toMatch(/^Compatibility 2 passed$/m)
    expect(result.stdout).toMatch(/^Flow {10}passed$/m)
    expect(result.stdout).toMatch(
      /^Run folder {4}test\/integration\/runtime\/\.pipetest\/runs\/\S+$/m,
    )
    expect(result.stdout).toMatch(/PASSED/)
  })

  it('exits 1 on a failure, reports downstream nodes as blocked, and shows the evidence once', async ({
    tempDir,
  }) => {
    const project = await readyProject(tempDir)
    await setEnv(project, 'Train', { FAIL: '1' })
    const result = await cli(['run', project.dag], { cwd: project.root })
    expect(result.code).toBe(1)
    expect(result.stdout).toMatch(
      /^✗ Train \(script\) \S+ ms forked exception: main\(\) raised RuntimeError: train was told to fail$/m,
    )
    expect(result.stdout).toContain('⊘ Report blocked by Train')
    expect(result.stdout).toContain('Failures')
    expect(
      result.stdout.match(/RuntimeError: train was told to fail/g)?.length,
    ).toBeGreaterThanOrEqual(2)
    // One traceback, however many tiers shared the failed execution.
    expect(result.stdout.match(/Traceback \(most recent call last\)/g)).toHaveLength(1)
    expect(result.stdout).toMatch(
      /Blocked \(not run: an upstream node failed\)\n {2}by Train: scripts Report; edges/,
    )
    expect(result.stdout).toMatch(/^Scripts {7}1 passed, 1 failed, 1 blocked$/m)
    expect(result.stdout).toMatch(/^Flow {10}failed$/m)
    expect(result.stdout.trimEnd().endsWith('FAILED')).toBe(true)
  })

  it('warns first about nodes whose specs have problems', async ({ tempDir }) => {
    const project = pythonProject(tempDir())
    const result = await cli(['run', project.dag, '--tier', 'scripts'], { cwd: project.root })
    expect(result.code).toBe(1)
    expect(result.stdout).toMatch(
      /^3 spec problems \(these nodes will likely fail; fixes: pipetest validate pipeline\.dag\.json\)$/m,
    )
    expect(result.stdout).toContain('missing-inputs')
  })

  it('prints only JSON on stdout with --json, progress on stderr', async ({ tempDir }) => {
    const project = await readyProject(tempDir)
    await setEnv(project, 'Report', { FAIL: '1' })
    const result = await cli(['run', project.dag, '--json'], { cwd: project.root })
    expect(result.code).toBe(1)
    const report = JSON.parse(result.stdout) as RunReport
    expect(report).toMatchObject({
      ok: false,
      state: 'complete',
      pipeline: 'demo',
      dag: join(project.root, project.dag),
      totals: {
        scripts: { passed: 2, failed: 1, blocked: 0, skipped: 0 },
        edges: { passed: 1, failed: 1, blocked: 0, skipped: 0 },
        flow: 'failed',
      },
    })
    expect(report.scripts.Prepare).toMatchObject({
      kind: 'script',
      status: 'passed',
      node: 'Prepare',
    })
    expect(report.scripts.Report).toMatchObject({ status: 'failed', outcome: 'exception' })
    expect(report.edges['Prepare->Train']).toMatchObject({ kind: 'edge', status: 'passed' })
    expect(report.flow).toMatchObject({ kind: 'flow', status: 'failed', failedNodes: ['Report'] })
    expect(report.runDir).toContain(join(project.root, RUNTIME, '.pipetest', 'runs'))
    expect(result.stderr).toContain('✓ Prepare (script)')
  })

  it('runs one node and everything downstream with --from, only the tiers asked for', async ({
    tempDir,
  }) => {
    const project = await readyProject(tempDir)
    const result = await cli(
      ['run', project.dag, '--from', 'Train', '--tier', 'scripts', '--json'],
      {
        cwd: project.root,
      },
    )
    expect(result.code).toBe(0)
    const report = JSON.parse(result.stdout) as RunReport
    expect(Object.keys(report.scripts)).toEqual(['Train', 'Report'])
    expect(report.edges).toEqual({})
    expect(report.flow).toBeNull()
  })

  it('selects with dbt selectors: +Node, --to, tag:NAME and a comma that intersects', async ({
    tempDir,
  }) => {
    const project = await readyProject(tempDir)
    const dag = readJson(project.root, project.dag) as { nodes: Array<{ name: string }> }
    dag.nodes = dag.nodes.map((node) =>
      node.name === 'Train' ? { ...node, tags: ['model'] } : node,
    )
    writeFileSync(join(project.root, project.dag), JSON.stringify(dag))
    const scriptsOf = async (...args: string[]) => {
      const result = await cli(['run', project.dag, '--tier', 'scripts', '--json', ...args], {
        cwd: project.root,
      })
      expect(result.stderr).not.toContain('Error')
      return Object.keys((JSON.parse(result.stdout) as RunReport).scripts)
    }
    expect(await scriptsOf('--only', '+Train')).toEqual(['Prepare', 'Train'])
    expect(await scriptsOf('--to', 'Train')).toEqual(['Prepare', 'Train'])
    expect(await scriptsOf('--only', 'tag:model+')).toEqual(['Train', 'Report'])
    expect(await scriptsOf('--only', 'Prepare+,+Train')).toEqual(['Prepare', 'Train'])
    expect(await scriptsOf('--from', 'Prepare', '--to', 'Train')).toEqual(['Prepare', 'Train'])
  })

  it('names a mistyped selector with the near miss and runs nothing', async ({ tempDir }) => {
    const project = await readyProject(tempDir)
    const result = await cli(['run', project.dag, '--only', 'Trian+'], { cwd: project.root })
    expect(result.code).toBe(1)
    expect(result.stderr).toContain('--only ("Trian+") names "Trian", which is not a node')
    expect(result.stderr).toContain('Did you mean "Train"?')
    expect(existsSync(join(project.root, RUNTIME, '.pipetest'))).toBe(false)
  })

  it('leaves out the whole-DAG flow with --only unless --tier flow is given', async ({
    tempDir,
  }) => {
    const project = await readyProject(tempDir)
    const result = await cli(['run', project.dag, '--only', 'Prepare Train'], {
      cwd: project.root,
    })
    expect(result.code).toBe(0)
    expect(result.stdout).toContain(
      'demo: 2 nodes, scripts + compatibility (flow skipped: nodes selected)',
    )
    expect(result.stdout).toMatch(/^Scripts {7}2 passed$/m)
    expect(result.stdout).toMatch(/^Compatibility 1 passed$/m)
    expect(result.stdout).toMatch(/^Flow {10}not run$/m)
  })

  it('passes --timeout to every execution', async ({ tempDir }) => {
    const project = await readyProject(tempDir)
    await setEnv(project, 'Prepare', { SLEEP: '20' })
    const result = await cli(['run', project.dag, '--timeout', '1', '--tier', 'scripts'], {
      cwd: project.root,
    })
    expect(result.code).toBe(1)
    expect(result.stdout).toMatch(/✗ Prepare \(script\) .* timeout: /)
  })

  it.for<[string[], string]>([
    [['--tier', 'unit'], '--tier "unit" is not one of scripts, compatibility, flow'],
    [['--concurrency', '0'], '--concurrency "0" must be a whole number ≥ 1'],
    [['--timeout', 'soon'], '--timeout "soon" must be a number of seconds > 0'],
    [['--only', 'Prepare', '--from', 'Train'], '--only and --from together select no node'],
  ])(
    'rejects %j as a usage error before running anything',
    async ([args, message], { tempDir }) => {
      const project = await readyProject(tempDir)
      const result = await cli(['run', project.dag, ...args], { cwd: project.root })
      expect(result.code).toBe(2)
      expect(result.stderr).toContain(message)
      expect(existsSync(join(project.root, RUNTIME, '.pipetest'))).toBe(false)
    },
  )

  it("records the run's statuses in .pipetest/last-run.json", async ({ tempDir }) => {
    const project = await readyProject(tempDir)
    await setEnv(project, 'Train', { FAIL: '1' })
    await cli(['run', project.dag], { cwd: project.root })
    const file = readJson(
      project.root,
      `${RUNTIME}/.pipetest/last-run.json`,
    ) as unknown as LastRunFile
    const run = file.runs[join(project.root, project.dag)]
    const known = (status: string) => ({ status, runId: run!.runId, at: run!.finishedAt })
    expect(run).toMatchObject({
      pipeline: 'demo',
      state: 'complete',
      nodes: { Prepare: known('passed'), Train: known('failed'), Report: known('blocked') },
      edges: { 'Prepare->Train': known('failed'), 'Train->Report': known('blocked') },
      flow: known('failed'),
    })
  })

  it('says which unselected nodes ran as setup for --only (progress, summary, --json)', async ({
    tempDir,
  }) => {
    const project = await readyProject(tempDir)
    const result = await cli(['run', project.dag, '--only', 'Train'], { cwd: project.root })
    expect(result.code).toBe(0)
    expect(result.stdout).toContain('▶ Prepare (setup) started')
    expect(result.stdout).toMatch(/^✓ Prepare \(setup\) \S+ m?s forked$/m)
    expect(result.stdout).toMatch(/^Scripts {7}1 passed$/m)
    expect(result.stdout).toMatch(
      /^Setup {9}1 passed: Prepare \(not selected; ran for the inputs of the selected nodes\)$/m,
    )
    const runDir = /^Run folder {4}(\S+)$/m.exec(result.stdout)![1]!
    expect(readdirSync(join(project.root, runDir)).sort()).toEqual([
      'Prepare',
      'Train',
      'results.json',
      'run.json',
    ])

    const json = await cli(['run', project.dag, '--only', 'Train', '--json'], { cwd: project.root })
    const report = JSON.parse(json.stdout) as RunReport & {
      setup: Array<{ node: string; status: string; executions: Array<{ node: string }> }>
    }
    expect(Object.keys(report.scripts)).toEqual(['Train'])
    expect(report.setup).toMatchObject([
      { node: 'Prepare', status: 'passed', executions: [{ node: 'Prepare', status: 'passed' }] },
    ])
  })

  it('shows a failed setup node as the failure that blocked the selected ones', async ({
    tempDir,
  }) => {
    const project = await readyProject(tempDir)
    await setEnv(project, 'Prepare', { FAIL: '1' })
    const result = await cli(['run', project.dag, '--only', 'Train'], { cwd: project.root })
    expect(result.code).toBe(1)
    expect(result.stdout).toMatch(/^✗ setup Prepare failed \(exception\)/m)
    expect(result.stdout.match(/Traceback \(most recent call last\)/g)).toHaveLength(1)
    expect(result.stdout).toMatch(/^Setup {9}0 passed, 1 failed: Prepare /m)
    expect(result.stdout).toMatch(/by Prepare: scripts Train/)
  })

  it('labels the upstream runs of --tier compatibility as edge runs, not as the flow', async ({
    tempDir,
  }) => {
    const project = await readyProject(tempDir)
    const result = await cli(['run', project.dag, '--tier', 'compatibility'], {
      cwd: project.root,
    })
    expect(result.code).toBe(0)
    expect(result.stdout).toContain('▶ Prepare (edge) started')
    expect(result.stdout).not.toContain('(flow)')
  })
})

describe('pipetest run on a terminal', () => {
  it('redraws one line per node in place and ends with the summary', async ({ tempDir }) => {
    const project = await readyProject(tempDir)
    await setEnv(project, 'Prepare', { SLEEP: '0.5' })
    const result = await cliInPty(['run', project.dag], { cwd: project.root })
    expect(result.code).toBe(0)
    // Cursor up over the previous frame, then each line cleared and rewritten.
    expect(result.stdout).toMatch(new RegExp(`${ESC}\\[\\d+A`))
    expect(result.stdout).toContain('\u001b[2K')
    const text = plain(result.stdout)
    expect(text).toMatch(/running script/)
    expect(text).toMatch(/✓ Prepare +[\d.]+ m?s/)
    expect(text).toMatch(/Scripts +3 passed/)
    expect(text).not.toContain('started')
  })
})

describe('pipetest run interrupted', () => {
  it('finishes quietly when its reader goes away (pipetest run | head): no EPIPE stack, the run closed', async ({
    tempDir,
  }) => {
    const project = await readyProject(tempDir)
    const { child, done } = startCli(['run', project.dag], { cwd: project.root })
    // Like `head -1`: read the first chunk, then close the pipe while the run goes on.
    child.stdout!.once('data', () => child.stdout!.destroy())
    const result = await done
    expect(result.stderr).not.toMatch(/EPIPE|bug in pipetest|Unhandled/)
    expect(result.code).toBe(0)
    const runs = join(project.root, RUNTIME, '.pipetest', 'runs')
    const [runId] = readdirSync(runs)
    expect(readJson(runs, `${runId}/run.json`)).not.toMatchObject({ state: 'running' })
  })

  it('stops on Ctrl-C in a terminal, restores the cursor and exits 130', async ({ tempDir }) => {
    const project = await readyProject(tempDir)
    await setEnv(project, 'Prepare', { SLEEP: '300' })
    const result = await cliInPty(['run', project.dag], {
      cwd: project.root,
      steps: [{ expect: 'running script', send: '\u0003' }],
    })
    expect(result.code).toBe(130)
    const text = plain(result.stdout)
    expect(text).toContain('Interrupted (SIGINT): stopping the running scripts')
    expect(text).toContain('Interrupted by SIGINT: stopped Prepare')
    const hidden = result.stdout.lastIndexOf(`${ESC}[?25l`)
    expect(result.stdout.lastIndexOf(`${ESC}[?25h`)).toBeGreaterThan(hidden)
  })

  async function interrupt(tempDir: TempDir, signal: 'SIGINT' | 'SIGTERM') {
    const project = await readyProject(tempDir)
    const pids = join(project.root, 'pids')
    await setEnv(project, 'Prepare', { PID_DIR: pids, SLEEP: '300' })
    const { child, done } = startCli(['run', project.dag], { cwd: project.root })
    const scriptPid = join(pids, 'prepare.pid')
    const grandchildPid = join(pids, 'prepare.grandchild.pid')
    await waitFor(() => existsSync(scriptPid) && existsSync(grandchildPid), 'the script to start')
    const running = [scriptPid, grandchildPid].map((file) => Number(readFileSync(file, 'utf8')))
    expect(running.every(isRunning)).toBe(true)
    child.kill(signal)
    const result = await done
    await waitFor(() => !running.some(isRunning), 'the script and its child to be killed', 5000)
    return { project, result }
  }

  it('on SIGINT kills the running scripts with their children, marks the run, exits 130', async ({
    tempDir,
  }) => {
    const { project, result } = await interrupt(tempDir, 'SIGINT')
    expect(result.code).toBe(130)
    expect(result.stdout).toContain('Interrupted (SIGINT): stopping the running scripts')
    expect(result.stdout).toMatch(/Stopped \(interrupted\): Prepare/)
    expect(result.stderr).toMatch(
      /Interrupted by SIGINT: stopped Prepare; the run folder \S+ is marked interrupted/,
    )
    const runs = join(project.root, RUNTIME, '.pipetest', 'runs')
    const [runId] = readdirSync(runs)
    expect(readJson(runs, `${runId}/run.json`)).toMatchObject({ state: 'interrupted' })
    const last = readJson(
      project.root,
      `${RUNTIME}/.pipetest/last-run.json`,
    ) as unknown as LastRunFile
    expect(last.runs[join(project.root, project.dag)]?.state).toBe('interrupted')

    // The next run works.
    await setEnv(project, 'Prepare', { SLEEP: '0' })
    const next = await cli(['run', project.dag], { cwd: project.root })
    expect(next.code).toBe(0)
  })

  it('on SIGTERM does the same and exits 143', async ({ tempDir }) => {
    const { result } = await interrupt(tempDir, 'SIGTERM')
    expect(result.code).toBe(143)
    expect(result.stderr).toContain('Interrupted by SIGTERM: stopped Prepare')
  })
})
