import { describe, expect, test } from 'vitest'
import { PipelineDAG } from '../../src/dag/index.js'
import { errorOf } from '../support/error-of.js'

describe('PipelineDAG', () => {
  test('keeps nodes and edges in declaration order with dependencies both ways', () => {
    const dag = new PipelineDAG()
      .addNode('Load')
      .addNode('Clean')
      .addNode('Train')
      .addEdge('Load', 'Clean')
      .addEdge('Clean', 'Train', { data_output: 'input_path' })
      .addEdge('Load', 'Train')
    expect(dag.nodes).toEqual(['Load', 'Clean', 'Train'])
    expect(dag.edges).toEqual([
      { from: 'Load', to: 'Clean' },
      { from: 'Clean', to: 'Train', ports: { data_output: 'input_path' } },
      { from: 'Load', to: 'Train' },
    ])
    expect(dag.getDependencies('Train')).toEqual(['Clean', 'Load'])
    expect(dag.getDependents('Load')).toEqual(['Clean', 'Train'])
    expect(dag.getDependencies('Unknown')).toEqual([])
    expect(dag.getEdge('Clean', 'Train')?.ports).toEqual({ data_output: 'input_path' })
    expect(dag.getEdge('Train', 'Clean')).toBeUndefined()
  })

  test('hands out copies, so callers cannot change the DAG behind its back', () => {
    const dag = new PipelineDAG().addNode('A').addNode('B').addEdge('A', 'B', { x: 'y' })
    dag.edges[0]!.ports!.x = 'changed'
    dag.getEdge('A', 'B')!.ports!.x = 'changed'
    dag.getDependents('A').push('C')
    expect(dag.getEdge('A', 'B')!.ports).toEqual({ x: 'y' })
    expect(dag.getDependents('A')).toEqual(['B'])
  })

  test('merges a repeated edge with the same ports (or none) instead of adding a second edge', () => {
    const dag = new PipelineDAG()
      .addNode('A')
      .addNode('B')
      .addEdge('A', 'B')
      .addEdge('A', 'B', { a: 'x' })
      .addEdge('A', 'B', { a: 'x' })
      .addEdge('A', 'B')
    expect(dag.edges).toEqual([{ from: 'A', to: 'B', ports: { a: 'x' } }])
    expect(dag.getDependencies('B')).toEqual(['A'])
  })

  test('rejects a repeated edge with other ports, naming both', () => {
    const dag = new PipelineDAG().addNode('A').addNode('B').addEdge('A', 'B', { a: 'x' })
    expect(errorOf(() => dag.addEdge('A', 'B', { a: 'y' }))).toMatchObject({
      code: 'DAG_DUPLICATE_EDGE',
      message: expect.stringContaining(
        'Edge A → B is declared twice with different ports: {"a":"x"} and {"a":"y"}',
      ),
    })
  })

  test.each([
    ['a 101-character name', 'N'.repeat(101), '101 characters long'],
    ['ESC', 'Train\u001b[31m', 'invisible character \\u001b'],
    ['NUL', 'Tr\u0000ain', 'invisible character \\u0000'],
    ['a line separator', 'Tr\u2028ain', 'invisible character \\u2028'],
  ])('rejects a node name with %s, saying why and showing it escaped', (_, name, reason) => {
    const error = errorOf(() => new PipelineDAG().addNode(name))
    expect(error).toMatchObject({ code: 'DAG_BAD_NAME', node: name })
    expect(error.message).toContain(reason)
    expect(error.message).not.toMatch(/(?!\n)[\p{Cc}\u2028]/u)
  })

  test('accepts a 100-character name and names with spaces, dots and quotes', () => {
    const dag = new PipelineDAG().addNode('N'.repeat(100)).addNode('say "hi" <now>.v2')
    expect(dag.nodes).toHaveLength(2)
  })

  test('sorts topologically with declaration order breaking ties', () => {
    const dag = new PipelineDAG()
    for (const node of ['Z', 'Y', 'X', 'W']) dag.addNode(node)
    dag.addEdge('X', 'W').addEdge('Z', 'W').addEdge('Y', 'X')
    expect(dag.topologicalSort()).toEqual(['Z', 'Y', 'X', 'W'])
    // Same graph, other declaration order: the order follows the declarations.
    const other = new PipelineDAG()
    for (const node of ['Y', 'Z', 'X', 'W']) other.addNode(node)
    other.addEdge('Z', 'W').addEdge('Y', 'X').addEdge('X', 'W')
    expect(other.topologicalSort()).toEqual(['Y', 'Z', 'X', 'W'])
  })

  test('lists descendants and ancestors in topological order', () => {
    const dag = PipelineDAG.fromJSON({
      nodes: ['A', 'B', 'C', 'D', 'E'],
      edges: [
        ['A', 'B'],
        ['B', 'C'],
        ['A', 'D'],
        ['D', 'C'],
      ],
    })
    expect(dag.descendantsOf('B')).toEqual(['B', 'C'])
    expect(dag.descendantsOf('A')).toEqual(['A', 'B', 'D', 'C'])
    expect(dag.ancestorsOf('C')).toEqual(['A', 'B', 'D'])
    expect(dag.ancestorsOf('E')).toEqual([])
  })

  test('reports a cycle as the cycle itself', () => {
    const dag = new PipelineDAG()
    for (const node of ['Start', 'A', 'B', 'C']) dag.addNode(node)
    dag.addEdge('Start', 'A').addEdge('A', 'B').addEdge('B', 'C').addEdge('C', 'A')
    expect(dag.findCycle()).toEqual(['A', 'B', 'C', 'A'])
    const error = errorOf(() => dag.topologicalSort())
    expect(error).toMatchObject({ code: 'DAG_CYCLE', node: 'A' })
    expect(error.message).toBe(
      'The DAG has a cycle: A → B → C → A\n' +
        'Remove one of the edges A → B, B → C, C → A (a pipeline step cannot depend on its own outputs).',
    )
    expect(() => dag.validate()).toThrow(/A → B → C → A/)
  })

  test('rejects an edge to an undeclared node, naming it and the edge', () => {
    const dag = new PipelineDAG().addNode('A').addNode('B')
    const error = errorOf(() => dag.addEdge('A', 'Trian'))
    expect(error).toMatchObject({ code: 'DAG_UNKNOWN_NODE', node: 'Trian' })
    expect(error.message).toContain('Edge A → Trian names "Trian", which is not a declared node')
    expect(error.message).toContain('declared nodes: A, B')
  })

  test('rejects a self-loop', () => {
    const dag = new PipelineDAG().addNode('A')
    expect(errorOf(() => dag.addEdge('A', 'A'))).toMatchObject({
      code: 'DAG_SELF_LOOP',
      node: 'A',
      message: expect.stringContaining('Edge A → A connects "A" to itself'),
    })
  })

  test('rejects a duplicate node', () => {
    expect(errorOf(() => new PipelineDAG().addNode('A').addNode('A'))).toMatchObject({
      code: 'DAG_DUPLICATE_NODE',
      node: 'A',
      message: expect.stringContaining('Node "A" is declared twice'),
    })
  })

  test.each(['', '   '])('rejects the empty node name %j', (name) => {
    expect(errorOf(() => new PipelineDAG().addNode(name))).toMatchObject({
      code: 'DAG_EMPTY_NAME',
    })
  })

  test('rejects an empty DAG on validation', () => {
    expect(errorOf(() => new PipelineDAG().validate())).toMatchObject({ code: 'DAG_EMPTY' })
  })

  test("resolves a node's script against the DAG's folder", () => {
    const dag = new PipelineDAG({ baseDir: '/repo/pipelines' })
      .addNode('Prep', { script: 'scripts/prep.py' })
      .addNode('Train')
    expect(dag.scriptPathOf('Prep')).toBe('/repo/pipelines/scripts/prep.py')
    expect(dag.scriptPathOf('Train')).toBeUndefined()
    expect(dag.getNode('Prep')).toEqual({ name: 'Prep', script: 'scripts/prep.py' })
  })
})

describe('PipelineDAG JSON', () => {
  test('accepts the cursus forms: string nodes, [from, to] and {source, target} edges', () => {
    const dag = PipelineDAG.fromJSON({
      nodes: ['A', 'B', 'C'],
      edges: [['A', 'B'], { source: 'B', target: 'C' }],
    })
    expect(dag.edges).toEqual([
      { from: 'A', to: 'B' },
      { from: 'B', to: 'C' },
    ])
  })

  test('accepts our form: node objects with script, edges with ports', () => {
    const dag = PipelineDAG.fromJSON(
      {
        name: 'fraud',
        nodes: [{ name: 'Prep', script: 'prep.py' }, 'Train'],
        edges: [{ from: 'Prep', to: 'Train', ports: { data_output: 'input_path' } }],
      },
      { baseDir: '/p' },
    )
    expect(dag.name).toBe('fraud')
    expect(dag.scriptPathOf('Prep')).toBe('/p/prep.py')
    expect(dag.getEdge('Prep', 'Train')?.ports).toEqual({ data_output: 'input_path' })
  })

  test('round-trips through toJSON and fromJSON', () => {
    const json = {
      name: 'p',
      nodes: [{ name: 'Prep', script: 'prep.py' }, 'Train', 'Eval'],
      edges: [
        { from: 'Prep', to: 'Train', ports: { data_output: 'input_path' } },
        { from: 'Train', to: 'Eval' },
      ],
    }
    const dag = PipelineDAG.fromJSON(json)
    expect(dag.toJSON()).toEqual(json)
    expect(PipelineDAG.fromJSON(JSON.parse(JSON.stringify(dag))).toJSON()).toEqual(json)
  })

  test('validates what it loads: a cycle in a file names the cycle', () => {
    expect(() =>
      PipelineDAG.fromJSON({
        nodes: ['A', 'B', 'C'],
        edges: [
          ['A', 'B'],
          ['B', 'C'],
          ['C', 'A'],
        ],
      }),
    ).toThrow('The DAG has a cycle: A → B → C → A')
  })

  test.each<[string, unknown, string, string]>([
    ['not an object', ['A'], '', 'A DAG must be a JSON object, got a list'],
    ['no nodes', { edges: [] }, 'nodes', 'The DAG has no "nodes" list'],
    ['nodes not a list', { nodes: 'A' }, 'nodes', '"nodes" must be a list'],
    [
      'a node without a name',
      { nodes: [{ script: 'a.py' }] },
      'nodes[0].name',
      'nodes[0] has no string "name"',
    ],
    [
      'a non-string script',
      { nodes: [{ name: 'A', script: 3 }] },
      'nodes[0].script',
      'nodes[0].script must be a path string',
    ],
    ['a numeric node', { nodes: ['A', 7] }, 'nodes[1]', 'nodes[1] must be a node name'],
    ['edges not a list', { nodes: ['A'], edges: {} }, 'edges', '"edges" must be a list'],
    [
      'a three-element edge',
      { nodes: ['A', 'B'], edges: [['A', 'B', 'C']] },
      'edges[0]',
      'edges[0] must be a pair of node names',
    ],
    [
      'an edge without target',
      { nodes: ['A', 'B'], edges: [{ source: 'A' }] },
      'edges[0]',
      'edges[0] needs string "from" and "to"',
    ],
    [
      'ports with a number',
      { nodes: ['A', 'B'], edges: [{ from: 'A', to: 'B', ports: { a: 1 } }] },
      'edges[0].ports',
      'edges[0].ports must map output names of "A" to input names of "B"',
    ],
  ])('rejects %s, naming the field', (_, json, field, message) => {
    expect(errorOf(() => PipelineDAG.fromJSON(json))).toMatchObject({
      code: 'DAG_INVALID',
      field,
      message: expect.stringContaining(message),
    })
  })

  test('rejects empty node names and duplicates in JSON too', () => {
    expect(errorOf(() => PipelineDAG.fromJSON({ nodes: ['A', ''] }))).toMatchObject({
      code: 'DAG_EMPTY_NAME',
    })
    expect(errorOf(() => PipelineDAG.fromJSON({ nodes: ['A', { name: 'A' }] }))).toMatchObject({
      code: 'DAG_DUPLICATE_NODE',
    })
    expect(errorOf(() => PipelineDAG.fromJSON({ nodes: [], edges: [] }))).toMatchObject({
      code: 'DAG_EMPTY',
    })
  })
})
