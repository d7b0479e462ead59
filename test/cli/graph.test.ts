import { beforeAll, describe, expect } from 'vitest'
import { it } from '../support/fixtures.js'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { LastRun } from '../../src/cli/last-run.js'
import { assertBuilt, cli, completeSpecs, pythonProject, write } from './cli-harness.js'

beforeAll(assertBuilt)

describe('pipetest graph', () => {
  it('prints the DAG as a Mermaid flowchart with port labels', async ({ tempDir }) => {
    const { root, dag } = pythonProject(tempDir())
    const result = await cli(['graph', dag], { cwd: root })
    expect(result).toMatchObject({ code: 0, stderr: '' })
    expect(result.stdout).toBe(
      [
        'flowchart LR',
        '  Prepare["Prepare"]',
        '  Train["Train"]',
        '  Report["Report"]',
        '  Prepare -->|"prepared → data"| Train',
        '  Train -->|"model → model"| Report',
        '',
      ].join('\n'),
    )
  })

  it('makes node ids safe for Mermaid and keeps the names as labels', async ({ tempDir }) => {
    const cwd = tempDir()
    write(
      cwd,
      'odd.dag.json',
      JSON.stringify({
        nodes: ['end', 'load data', '1st', 'a.b', 'a-b', 'say "hi" <now>'],
        edges: [
          ['load data', 'end'],
          ['1st', 'a.b'],
          ['a.b', 'a-b'],
          ['a-b', 'say "hi" <now>'],
        ],
      }),
    )
    const result = await cli(['graph', 'odd.dag.json'], { cwd })
    expect(result.code).toBe(0)
    expect(result.stdout).toContain('  n_end["end"]')
    expect(result.stdout).toContain('  load_data["load data"]')
    expect(result.stdout).toContain('  n_1st["1st"]')
    expect(result.stdout).toContain('  a_b["a.b"]\n  a_b_2["a-b"]')
    expect(result.stdout).toContain('  say__hi___now_["say #quot;hi#quot; #lt;now#gt;"]')
    expect(result.stdout).toContain('  load_data --> n_end')
    expect(result.stdout).toContain('  a_b --> a_b_2')
  })

  it('wraps the chart in a ```mermaid block with --markdown', async ({ tempDir }) => {
    const { root, dag } = pythonProject(tempDir())
    const result = await cli(['graph', dag, '--markdown'], { cwd: root })
    expect(result.stdout.startsWith('```mermaid\nflowchart LR\n')).toBe(true)
    expect(result.stdout.endsWith('\n```\n')).toBe(true)
  })

  it('colours nodes and edges by the last run with --status', async ({ tempDir }) => {
    const project = pythonProject(tempDir())
    await completeSpecs(project)
    await cli(['spec', 'set', 'Train', '--env', 'FAIL=1'], { cwd: project.root })
    const run = await cli(['run', project.dag], { cwd: project.root })
    expect(run.code).toBe(1)
    const result = await cli(['graph', project.dag, '--status'], { cwd: project.root })
    expect(result.code).toBe(0)
    expect(result.stdout).toMatch(/^ {2}%% status: complete run \S+, finished \S+$/m)
    expect(result.stdout).toContain('  classDef passed ')
    expect(result.stdout).toContain('  classDef failed ')
    expect(result.stdout).toContain('  classDef blocked ')
    expect(result.stdout).toContain(
      '  class Prepare passed\n  class Train failed\n  class Report blocked',
    )
    expect(result.stdout).toMatch(/^ {2}linkStyle 0 stroke:#dc2626/m)
    expect(result.stdout).toMatch(/^ {2}linkStyle 1 stroke:#ca8a04/m)
    expect(result.stdout).toMatch(
      /^ {2}Train\["Train<br\/>failed \d{4}-\d\d-\d\d \d\d:\d\d UTC"\]$/m,
    )
  })

  it("keeps each node's latest known result across partial runs, with when it was obtained", async ({
    tempDir,
  }) => {
    const project = pythonProject(tempDir())
    await completeSpecs(project)
    await cli(['spec', 'set', 'Report', '--env', 'FAIL=1'], { cwd: project.root })
    expect((await cli(['run', project.dag], { cwd: project.root })).code).toBe(1)
    const lastRun = join(project.root, 'test/integration/runtime/.pipetest/last-run.json')
    const first = Object.values(
      (JSON.parse(readFileSync(lastRun, 'utf8')) as { runs: Record<string, LastRun> }).runs,
    )[0]!
    // A later partial run: Train again (Prepare as its setup); Report is not run.
    await cli(['spec', 'set', 'Report', '--env', 'FAIL=0'], { cwd: project.root })
    const partial = await cli(['run', project.dag, '--only', 'Train', '--tier', 'scripts'], {
      cwd: project.root,
    })
    expect(partial.code).toBe(0)
    const second = Object.values(
      (JSON.parse(readFileSync(lastRun, 'utf8')) as { runs: Record<string, LastRun> }).runs,
    )[0]!
    expect(second.runId).not.toBe(first.runId)
    expect(second.nodes.Train).toMatchObject({ status: 'passed', runId: second.runId })
    expect(second.nodes.Prepare).toMatchObject({ status: 'passed', runId: second.runId })
    // What only the first run learnt stays, with its run.
    expect(second.nodes.Report).toEqual(first.nodes.Report)
    expect(second.nodes.Report).toMatchObject({ status: 'failed', runId: first.runId })
    expect(second.flow).toEqual(first.flow)

    const result = await cli(['graph', project.dag, '--status'], { cwd: project.root })
    expect(result.code).toBe(0)
    expect(result.stdout).toContain(
      '  class Prepare passed\n  class Train passed\n  class Report failed',
    )
    const stamp = (at: string) => `${at.slice(0, 16).replace('T', ' ')} UTC`
    expect(result.stdout).toContain(`  Report["Report<br/>failed ${stamp(first.finishedAt)}"]`)
    expect(result.stdout).toContain(`  Train["Train<br/>passed ${stamp(second.finishedAt)}"]`)
  })

  it('says to run the pipeline first when --status has no run to show', async ({ tempDir }) => {
    const { root, dag } = pythonProject(tempDir())
    const result = await cli(['graph', dag, '--status'], { cwd: root })
    expect(result.code).toBe(1)
    expect(result.stdout).toBe('')
    expect(result.stderr).toContain('error: No recorded run of pipeline.dag.json')
    expect(result.stderr).toContain('Run "pipetest run pipeline.dag.json" first')
  })
})
