import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect } from 'vitest'
import { PipelineRun, type PipelineEvent } from '../../src/engine/index.js'
import { executionsOf, it, pipelineOf, stepSpec, writeData, type Project } from './helpers.js'

describe('a chain wired by paths', () => {
  it('runs every tier with one execution per node and data flowing along the edges', async ({
    project,
  }) => {
    writeData(project, 'data/raw/rows.csv', 'rows')
    const specs = [
      stepSpec(project, 'A', { inputs: { raw: 'data/raw' }, outputs: { data_output: 'out/A' } }),
      stepSpec(project, 'B', {
        inputs: { data_input: 'out/A' },
        outputs: { data_output: 'out/B' },
      }),
      stepSpec(project, 'C', {
        runner: 'mjs',
        inputs: { data_input: 'out/B' },
        outputs: { model: 'out/C/model.json' },
      }),
    ]
    const run = new PipelineRun(
      pipelineOf(
        project,
        [
          ['A', 'B'],
          ['B', 'C'],
        ],
        specs,
      ),
    )
    const { scripts, edges, flow } = await run.runTiers({
      scripts: true,
      compatibility: true,
      flow: true,
    })
    await run.close()

    expect(Object.values(scripts).map((r) => r.status)).toEqual(['passed', 'passed', 'passed'])
    expect(Object.keys(edges)).toEqual(['A->B', 'B->C'])
    expect(edges['A->B']).toMatchObject({
      status: 'passed',
      compatible: true,
      scriptA: 'a',
      scriptB: 'b',
      dataFormatA: 'csv',
    })
    expect(edges['A->B']!.wiring).toEqual([
      {
        output: 'data_output',
        input: 'data_input',
        via: 'path',
        path: scripts.A!.outputs[0]!.path,
      },
    ])
    expect(flow).toMatchObject({
      status: 'passed',
      pipelineSuccess: true,
      executionOrder: ['A', 'B', 'C'],
      errors: [],
    })
    expect(flow!.dataFlowResults['B->C']!.compatible).toBe(true)
    expect(readFileSync(flow!.scriptResults.C!.outputs[0]!.path, 'utf8')).toBe('C\nB\nA\nrows\n')
    expect(scripts.B!.wiredFrom).toEqual({ data_input: { node: 'A', output: 'data_output' } })
    expect(run.executionCount).toBe(3)
    expect(['A', 'B', 'C'].map((step) => executionsOf(project, step))).toEqual([1, 1, 1])
    expect(JSON.parse(readFileSync(join(run.runFolder, 'run.json'), 'utf8'))).toMatchObject({
      state: 'complete',
    })
  })

  it('publishes started and finished events for every execution', async ({ project }) => {
    const events: PipelineEvent[] = []
    const specs = [
      stepSpec(project, 'A'),
      stepSpec(project, 'B', { inputs: { data_input: 'out/A' } }),
    ]
    const run = new PipelineRun(pipelineOf(project, [['A', 'B']], specs), {
      onEvent: (e) => events.push(e),
    })
    await run.testFlow()
    expect(events.map((e) => `${e.type} ${e.node}`)).toEqual([
      'started A',
      'finished A',
      'started B',
      'finished B',
    ])
    expect(events[0]).toMatchObject({ purpose: 'flow' })
    expect(run.events).toEqual(events)
  })
})

describe('blocked propagation', () => {
  function failingChain(project: Project, failing: string) {
    const specs = ['A', 'B', 'C'].map((node, i, all) =>
      stepSpec(project, node, {
        ...(i > 0 ? { inputs: { data_input: `out/${all[i - 1]}` } } : {}),
        ...(node === failing ? { env: { FAIL: `${node} exploded` } } : {}),
      }),
    )
    specs.push(stepSpec(project, 'Side'))
    const run = new PipelineRun(
      pipelineOf(
        project,
        [
          ['A', 'B'],
          ['B', 'C'],
        ],
        specs,
      ),
    )
    return { project, run }
  }

  it('blocks the nodes downstream of a failure, never runs them, and names the failed node', async ({
    project,
  }) => {
    const { run } = failingChain(project, 'B')
    const blocked: string[] = []
    run.subscribe(
      (event) => event.type === 'blocked' && blocked.push(`${event.node}<-${event.blockedBy}`),
    )
    const flow = await run.testFlow()
    expect(flow).toMatchObject({
      status: 'failed',
      outcome: 'exception',
      failedNodes: ['B'],
      blockedNodes: ['C'],
    })
    expect(flow.scriptResults.C).toMatchObject({
      status: 'blocked',
      outcome: 'blocked',
      blockedBy: 'B',
    })
    expect(flow.scriptResults.Side!.status).toBe('passed')
    expect(flow.message.split('\n')[0]).toBe(
      '1 of 4 nodes failed: B (exception); 1 blocked: C (by B).',
    )
    expect(flow.errors).toEqual([
      expect.stringMatching(/^Script B failed: .*B exploded/),
      'C blocked by B',
    ])
    expect(flow.dataFlowResults['B->C']).toMatchObject({ status: 'blocked', blockedBy: 'B' })
    expect(flow.dataFlowResults['A->B']).toMatchObject({ status: 'failed', compatible: false })
    expect(blocked).toEqual(['C<-B'])
    expect(executionsOf(project, 'C')).toBe(0)

    const script = await run.testScript('C')
    expect(script).toMatchObject({ status: 'blocked', blockedBy: 'B', success: false })
    const edge = await run.testEdge('B', 'C')
    expect(edge).toMatchObject({ status: 'blocked', outcome: 'blocked', blockedBy: 'B' })
    expect(executionsOf(project, 'C')).toBe(0)
  })

  it('names the root cause, not an intermediate blocked node', async ({ project }) => {
    const { run } = failingChain(project, 'A')
    const flow = await run.testFlow()
    expect(flow.failedNodes).toEqual(['A'])
    expect(flow.scriptResults.B!.blockedBy).toBe('A')
    expect(flow.scriptResults.C!.blockedBy).toBe('A')
    expect((await run.testEdge('B', 'C')).blockedBy).toBe('A')
    expect(executionsOf(project, 'B') + executionsOf(project, 'C')).toBe(0)
  })
})

describe('edges', () => {
  it("feeds B the upstream's real output folders through the edge's explicit ports", async ({
    project,
  }) => {
    writeData(project, 'samples/x/x.csv', 'sample-x')
    writeData(project, 'samples/y/y.csv', 'sample-y')
    const specs = [
      stepSpec(project, 'A', { outputs: { features: 'out/f', labels: 'out/l' } }),
      stepSpec(project, 'B', { inputs: { x: 'samples/x', y: 'samples/y' } }),
    ]
    const run = new PipelineRun(
      pipelineOf(project, [['A', 'B', { features: 'x', labels: 'y' }]], specs),
    )
    const [script, edge] = await Promise.all([run.testScript('B'), run.testEdge('A', 'B')])
    expect(script.inputs).toEqual({
      x: join(project.root, 'samples/x'),
      y: join(project.root, 'samples/y'),
    })
    expect(edge).toMatchObject({ status: 'passed', compatible: true })
    expect(edge.wiring.map((w) => `${w.output}->${w.input}:${w.via}`)).toEqual([
      'features->x:ports',
      'labels->y:ports',
    ])
    expect(edge.downstream!.inputs.x).toBe(edge.upstream!.outputs[0]!.path)
    expect(readFileSync(edge.downstream!.outputs[0]!.path + '/data.csv', 'utf8')).toBe('B\nA\nA\n')
    // B ran twice: on its samples (script tier) and on A's outputs (edge tier).
    expect(run.executionCount).toBe(3)
  })

  it('wires by similarity when names differ', async ({ project }) => {
    writeData(project, 'samples/eval.csv', 'e')
    const specs = [
      stepSpec(project, 'Eval', { outputs: { eval_output: 'out/e', model_output: 'out/m' } }),
      stepSpec(project, 'Calibrate', { inputs: { evaluation_data: 'samples/eval.csv' } }),
    ]
    const run = new PipelineRun(pipelineOf(project, [['Eval', 'Calibrate']], specs))
    expect(run.resolvePorts('Eval', 'Calibrate')).toEqual({
      ok: true,
      wiring: [{ output: 'eval_output', input: 'evaluation_data', via: 'similarity' }],
    })
    const edge = await run.testEdge('Eval', 'Calibrate')
    expect(edge.status).toBe('passed')
  })

  it('fails an edge with ambiguous ports without running B, naming the DAG file and the fix', async ({
    project,
  }) => {
    writeData(project, 'samples/d.csv', 'd')
    const specs = [
      stepSpec(project, 'A', { outputs: { x_data: 'out/x', y_data: 'out/y' } }),
      stepSpec(project, 'B', { inputs: { data_input: 'samples/d.csv' } }),
    ]
    const pipeline = pipelineOf(project, [['A', 'B']], specs)
    pipeline.dag.file = join(project.root, 'pipeline.dag.json')
    const run = new PipelineRun(pipeline)
    const edge = await run.testEdge('A', 'B')
    expect(edge).toMatchObject({
      status: 'failed',
      outcome: 'unresolved-ports',
      compatible: false,
      wiring: [],
    })
    expect(edge.message).toContain(
      `add "ports": {"x_data": "data_input"} to the edge in ${pipeline.dag.file}`,
    )
    expect(edge.message).toContain('A outputs: x_data')
    expect(edge.message).toContain('B inputs: data_input')
    expect(run.executionCount).toBe(0)

    const flow = await run.testFlow()
    expect(flow.scriptResults.B).toMatchObject({ status: 'failed', outcome: 'unresolved-ports' })
    expect(flow.dataFlowResults['A->B']!.outcome).toBe('unresolved-ports')
    expect(executionsOf(project, 'B')).toBe(0)
  })

  it('fails a fan-in whose two parents both claim the same input', async ({ project }) => {
    const specs = [
      stepSpec(project, 'Left', { outputs: { data: 'out/l' } }),
      stepSpec(project, 'Right', { outputs: { data: 'out/r' } }),
      stepSpec(project, 'Join', { inputs: { data: 'samples/d' } }),
    ]
    const run = new PipelineRun(
      pipelineOf(
        project,
        [
          ['Left', 'Join'],
          ['Right', 'Join'],
        ],
        specs,
      ),
    )
    const flow = await run.testFlow()
    expect(flow.scriptResults.Join).toMatchObject({ status: 'failed', outcome: 'unresolved-ports' })
    expect(flow.scriptResults.Join!.message).toContain(
      'Input "data" of Join is fed by both Left.data and Right.data',
    )
  })

  it('tests a pair of nodes that has no edge as if it had one', async ({ project }) => {
    writeData(project, 'samples/d', 'x')
    const specs = [
      stepSpec(project, 'A'),
      stepSpec(project, 'B', { inputs: { data_input: 'samples/d' } }),
    ]
    const run = new PipelineRun(pipelineOf(project, [], specs))
    expect(await run.testEdge('A', 'B')).toMatchObject({
      status: 'passed',
      wiring: [expect.objectContaining({ via: 'single' })],
    })
  })

  it('rejects unknown nodes with the list of known ones', async ({ project }) => {
    const run = new PipelineRun(pipelineOf(project, [], [stepSpec(project, 'A')]))
    await expect(run.testScript('Nope')).rejects.toThrow('Node "Nope" is not in the DAG')
    expect(() => run.resolvePorts('A', 'Nope')).toThrow(/Use one of: A/)
  })
})

describe('abort and run folders', () => {
  it('kills a running script on abort and reports it aborted', async ({ project }) => {
    const run = new PipelineRun(
      pipelineOf(project, [], [stepSpec(project, 'Slow', { env: { SLEEP: '60' } })]),
    )
    run.subscribe((event) => event.type === 'started' && run.abort('test is over'))
    const started = Date.now()
    const result = await run.testScript('Slow')
    expect(result).toMatchObject({ status: 'failed', outcome: 'aborted' })
    expect(Date.now() - started).toBeLessThan(30_000)
    await run.close('interrupted')
    expect(JSON.parse(readFileSync(join(run.runFolder, 'run.json'), 'utf8')).state).toBe(
      'interrupted',
    )
  })

  it('keeps the last keepRuns run folders and leaves other folders alone', async ({ project }) => {
    const runsDir = join(project.root, 'data', '.pipetest', 'runs')
    mkdirSync(join(runsDir, 'my-notes'), { recursive: true })
    writeFileSync(join(runsDir, 'my-notes', 'keep.txt'), 'mine')
    const ids: string[] = []
    for (let i = 0; i < 4; i++) {
      const run = new PipelineRun(pipelineOf(project, [], [stepSpec(project, 'A')]), {
        keepRuns: 2,
        keepRecentRunsMs: 0,
        runId: `2025010${i}T000000000Z-1-aaaaaa`,
      })
      await run.testScript('A')
      await run.close()
      ids.push(run.runId)
    }
    expect(readdirSync(runsDir).sort()).toEqual([ids[2], ids[3], 'my-notes'])
    expect(readFileSync(join(runsDir, 'my-notes', 'keep.txt'), 'utf8')).toBe('mine')
    expect(readFileSync(join(project.root, 'data', '.pipetest', '.gitignore'), 'utf8')).toBe('*\n')
  })

  it('keeps runs that ended recently beyond keepRuns, so one session keeps its failure folders', async ({
    project,
  }) => {
    const runsDir = join(project.root, 'data', '.pipetest', 'runs')
    const ids: string[] = []
    for (let i = 0; i < 3; i++) {
      const run = new PipelineRun(pipelineOf(project, [], [stepSpec(project, 'A')]), {
        keepRuns: 1,
        runId: `2025020${i}T000000000Z-1-bbbbbb`,
      })
      await run.testScript('A')
      await run.close()
      ids.push(run.runId)
    }
    expect(readdirSync(runsDir).sort()).toEqual(ids)
  })
})
