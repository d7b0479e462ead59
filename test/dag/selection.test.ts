import { describe, expect, test } from 'vitest'
import { PipelineDAG, selectNodes } from '../../src/dag/index.js'
import { errorOf } from '../support/error-of.js'

/**
 *   Load ─► Clean ─► Train ─► Evaluate ─► Package
 *     └──► Profile      ▲
 *   Vocab ──────────────┘
 */
function pipeline(): PipelineDAG {
  return PipelineDAG.fromJSON(
    {
      name: 'demo',
      nodes: [
        { name: 'Load', tags: ['io'] },
        'Clean',
        { name: 'Profile', tags: ['report', 'nightly'] },
        'Vocab',
        { name: 'Train', tags: ['gpu', 'nightly'] },
        { name: 'Evaluate', tags: ['nightly'] },
        { name: 'Package', tags: ['io'] },
      ],
      edges: [
        ['Load', 'Clean'],
        ['Load', 'Profile'],
        ['Clean', 'Train'],
        ['Vocab', 'Train'],
        ['Train', 'Evaluate'],
        ['Evaluate', 'Package'],
      ],
    },
    { file: '/p/demo.dag.json' },
  )
}

describe('selectNodes (dbt selectors)', () => {
  const dag = pipeline()
  const select = (selectors: string | string[]) => selectNodes(dag, selectors, '--only')

  test('+Node adds every ancestor, Node+ every descendant, both in topological order', () => {
    expect(select('+Train')).toEqual(['Load', 'Clean', 'Vocab', 'Train'])
    expect(select('Clean+')).toEqual(['Clean', 'Train', 'Evaluate', 'Package'])
    expect(select('+Evaluate+')).toEqual(['Load', 'Clean', 'Vocab', 'Train', 'Evaluate', 'Package'])
  })

  test('a number bounds the depth, as in dbt (1+Train, Train+1)', () => {
    expect(select('1+Train')).toEqual(['Clean', 'Vocab', 'Train'])
    expect(select('Clean+2')).toEqual(['Clean', 'Train', 'Evaluate'])
  })

  test('@Node is the node, its descendants and everything they need', () => {
    expect(select('@Clean')).toEqual(['Load', 'Clean', 'Vocab', 'Train', 'Evaluate', 'Package'])
  })

  test('tag:NAME picks the nodes whose DAG entry lists the tag', () => {
    expect(select('tag:nightly')).toEqual(['Profile', 'Train', 'Evaluate'])
    expect(select('tag:io')).toEqual(['Load', 'Package'])
  })

  test('a space or a list unites; a comma intersects', () => {
    expect(select('Profile Package')).toEqual(['Profile', 'Package'])
    expect(select(['Profile', 'Package'])).toEqual(['Profile', 'Package'])
    expect(select('tag:nightly,Clean+')).toEqual(['Train', 'Evaluate'])
    expect(select('tag:nightly,Clean+ tag:io')).toEqual(['Load', 'Train', 'Evaluate', 'Package'])
  })

  test('a wildcard matches node names', () => {
    expect(select('P*')).toEqual(['Profile', 'Package'])
  })

  test('a node whose name looks like a selector is that node', () => {
    const odd = new PipelineDAG().addNode('a,b').addNode('c d').addNode('x').addEdge('a,b', 'x')
    expect(selectNodes(odd, 'a,b')).toEqual(['a,b'])
    expect(selectNodes(odd, 'c d')).toEqual(['c d'])
  })

  test('an unknown node names the selector, suggests the near miss and lists the nodes', () => {
    const error = errorOf(() => select('+Trian'))
    expect(error.code).toBe('UNKNOWN_NODE')
    expect(error.message).toContain(
      '--only ("+Trian") names "Trian", which is not a node of /p/demo.dag.json',
    )
    expect(error.hint).toContain('Did you mean "Train"?')
    expect(error.hint).toContain('Load, Clean, Profile, Vocab, Train, Evaluate, Package')
    expect(error.field).toBe('--only')
  })

  test('an unknown tag suggests the near miss and lists the tags', () => {
    const error = errorOf(() => select('tag:nighty'))
    expect(error.code).toBe('UNKNOWN_NODE')
    expect(error.message).toContain('no node of /p/demo.dag.json has the tag "nighty"')
    expect(error.hint).toBe('Did you mean tag:nightly? Tags in the DAG: io, report, nightly, gpu.')
  })

  test('two names joined by a comma select nothing, and the message explains dbt’s comma', () => {
    const error = errorOf(() => select('Clean,Train'))
    expect(error.code).toBe('SELECTION_EMPTY')
    expect(error.message).toContain('--only "Clean,Train" selects no node')
    expect(error.hint).toContain('A comma intersects')
    expect(error.hint).toContain('"A B"')
  })

  test.each([
    ['+', 'is not a selector'],
    ['tag:', 'names no tag'],
    ['+@Train', 'combines @ and a leading +'],
    ['path:scripts', 'uses "path:", which pipetest does not know'],
  ])('rejects the malformed selector %j', (selector, why) => {
    const error = errorOf(() => select(selector))
    expect(error.code).toBe('SELECTOR_INVALID')
    expect(error.message).toContain(why)
    expect(error.hint).toContain('+Node (with ancestors)')
  })
})

describe('DAG node tags', () => {
  test('are read from node objects, kept by toJSON and ignored by cursus forms', () => {
    const dag = pipeline()
    expect(dag.tagsOf('Train')).toEqual(['gpu', 'nightly'])
    expect(dag.tagsOf('Clean')).toEqual([])
    expect(dag.toJSON().nodes[0]).toEqual({ name: 'Load', tags: ['io'] })
    expect(PipelineDAG.fromJSON(dag.toJSON()).tagsOf('Load')).toEqual(['io'])
  })

  test('a tag that is not a list of names is DAG_INVALID naming the field', () => {
    const error = errorOf(() =>
      PipelineDAG.fromJSON({ nodes: [{ name: 'A', tags: 'nightly' }], edges: [] }),
    )
    expect(error.code).toBe('DAG_INVALID')
    expect(error.field).toBe('nodes[0].tags')
    expect(error.hint).toContain('"tags" as a list of names')
  })
})
