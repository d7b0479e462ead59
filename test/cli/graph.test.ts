import { beforeAll, describe, expect, it } from 'vitest'
import { assertBuilt, cli, completeSpecs, pythonProject, tempDir, write } from './cli-harness.js'

beforeAll(assertBuilt)

describe('pipetest graph', () => {
  it('prints the DAG as a Mermaid flowchart with port labels', async () => {
    const { root, dag } = pythonProject()
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

  it('makes node ids safe for Mermaid and keeps the names as labels', async () => {
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

  it('wraps the chart in a ```mermaid block with --markdown', async () => {
    const { root, dag } = pythonProject()
    const result = await cli(['graph', dag, '--markdown'], { cwd: root })
    expect(result.stdout.startsWith('```mermaid\nflowchart LR\n')).toBe(true)
    expect(result.stdout.endsWith('\n```\n')).toBe(true)
  })

  it('colours nodes and edges by the last run with --status', async () => {
    const project = pythonProject()
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
  })

  it('says to run the pipeline first when --status has no run to show', async () => {
    const { root, dag } = pythonProject()
    const result = await cli(['graph', dag, '--status'], { cwd: root })
    expect(result.code).toBe(1)
    expect(result.stdout).toBe('')
    expect(result.stderr).toContain('error: No recorded run of pipeline.dag.json')
    expect(result.stderr).toContain('Run "pipetest run pipeline.dag.json" first')
  })
})
