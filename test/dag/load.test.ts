import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect } from 'vitest'
import { test } from '../support/fixtures.js'
import { PipelineDAG, loadDag } from '../../src/dag/index.js'
import { declaredScripts } from '../../src/dag/declared-scripts.js'
import { errorOf } from '../support/error-of.js'

let root: string

test.beforeEach(({ tempDir }) => {
  root = tempDir('pipetest-dag-')
})

async function dagFile(name: string, text: string): Promise<string> {
  const file = join(root, name)
  await writeFile(file, text)
  return file
}

describe('PipelineDAG.fromFile', () => {
  test('loads a cursus DAG file, named after the file, scripts relative to its folder', async () => {
    const file = await dagFile(
      'fraud.dag.json',
      JSON.stringify({ nodes: [{ name: 'A', script: 'a.py' }, 'B'], edges: [['A', 'B']] }),
    )
    const dag = PipelineDAG.fromFile(file)
    expect(dag.name).toBe('fraud')
    expect(dag.file).toBe(file)
    expect(dag.baseDir).toBe(root)
    expect(dag.scriptPathOf('A')).toBe(join(root, 'a.py'))
  })

  test("loads cursus' current DAG document ({version, metadata, dag, statistics})", () => {
    const file = fileURLToPath(
      new URL('../fixtures/dags/cursus-document.dag.json', import.meta.url),
    )
    const dag = PipelineDAG.fromFile(file)
    expect(dag.name).toBe('lightgbm-risk')
    expect(dag.nodes).toHaveLength(7)
    expect(dag.getDependencies('LightGBMModelEval_calibration')).toEqual([
      'LightGBMTraining',
      'TabularPreprocessing_calibration',
    ])
    expect(dag.topologicalSort().at(-1)).toBe('ModelCalibration_calibration')
  })

  test.each<[string, unknown, string, string]>([
    ['no graph', { version: '1.0.0', dag: null }, 'dag', 'A DAG must be a JSON object, got null'],
    [
      'no nodes',
      { version: '1.0.0', dag: { edges: [] } },
      'dag.nodes',
      'The DAG has no "nodes" list',
    ],
    [
      'a bad edge',
      { version: '1.0.0', dag: { nodes: ['A', 'B'], edges: [['A']] } },
      'dag.edges[0]',
      'dag.edges[0] must be a pair of node names, got ["A"]',
    ],
    [
      'a later major version',
      { version: '2.0.0', dag: { nodes: ['A'], edges: [] } },
      'version',
      '"version" "2.0.0" is not a version pipetest reads',
    ],
  ])('names the field of a cursus document with %s', async (_, json, field, message) => {
    const file = await dagFile('doc.dag.json', JSON.stringify(json))
    expect(errorOf(() => PipelineDAG.fromFile(file))).toMatchObject({
      code: 'DAG_INVALID',
      field,
      file,
      message: expect.stringContaining(message),
    })
  })

  test('skips a UTF-8 byte order mark at the start of the file', async () => {
    const file = await dagFile(
      'bom.dag.json',
      `\ufeff${JSON.stringify({ nodes: ['A', 'B'], edges: [['A', 'B']] })}`,
    )
    expect(PipelineDAG.fromFile(file).nodes).toEqual(['A', 'B'])
  })

  test('prefers the name written in the file', async () => {
    const file = await dagFile('x.json', JSON.stringify({ name: 'real', nodes: ['A'] }))
    expect(PipelineDAG.fromFile(file).name).toBe('real')
  })

  test.each([
    ['a missing value', '{\n  "nodes": ["A"],\n  "edges": [\n    ["A", ]\n  ]\n}', 4, 11],
    ['a trailing comma', '{\n  "nodes": ["A"],\n}', 3, 1],
    ['a bare word', '{\n  "nodes": [A]\n}', 2, 13],
    ['a cut-off file', '{\n  "nodes": ["A"', 2, 16],
    ['a missing comma', '{\n  "nodes": ["A"]\n  "edges": []\n}', 3, 3],
  ])('reports %s with the file, line and column', async (_, text, line, column) => {
    const file = await dagFile('bad.json', text)
    const error = errorOf(() => PipelineDAG.fromFile(file))
    expect(error).toMatchObject({ code: 'DAG_INVALID_JSON', file })
    expect(error.message.split('\n')[0]).toContain(
      `DAG file ${file} is not valid JSON at line ${line}, column ${column}: `,
    )
    // V8's quote of the surrounding text (with its newlines) is left out: one line says it all.
    expect(String(error.shortMessage)).not.toContain('\n')
  })

  test('says that an empty file is empty', async () => {
    const file = await dagFile('empty.json', '  \n')
    expect(errorOf(() => PipelineDAG.fromFile(file)).message).toContain('(the file is empty)')
  })

  test('names a missing file', () => {
    const file = join(root, 'missing.json')
    expect(errorOf(() => PipelineDAG.fromFile(file))).toMatchObject({
      code: 'DAG_NOT_FOUND',
      file,
      message: expect.stringContaining(`DAG file ${file} does not exist`),
    })
  })

  test('names the file in structural errors', async () => {
    const file = await dagFile('cycle.json', JSON.stringify({ nodes: ['A'], edges: [['A', 'B']] }))
    expect(errorOf(() => PipelineDAG.fromFile(file))).toMatchObject({
      code: 'DAG_UNKNOWN_NODE',
      file,
      message: expect.stringContaining(`(in ${file})`),
    })
  })
})

describe('loadDag', () => {
  test('resolves a relative path against rootDir', async () => {
    await dagFile('p.json', JSON.stringify({ nodes: ['A'] }))
    expect(loadDag('p.json', root).file).toBe(join(root, 'p.json'))
  })

  test('treats an object as JSON with scripts relative to rootDir', () => {
    const dag = loadDag({ nodes: [{ name: 'A', script: 's/a.py' }] }, root)
    expect(dag.scriptPathOf('A')).toBe(join(root, 's/a.py'))
  })

  test('validates a DAG instance before use', () => {
    const dag = new PipelineDAG().addNode('A').addNode('B').addEdge('A', 'B')
    expect(loadDag(dag, root)).toBe(dag)
    expect(() => loadDag(new PipelineDAG(), root)).toThrow(/no nodes/)
  })
})

describe('declaredScripts', () => {
  test("the scripts a DAG file's nodes name, as PipelineDAG resolves them, without the schema", async () => {
    const file = await dagFile(
      'p.dag.json',
      JSON.stringify({
        nodes: [{ name: 'A', script: 'scripts/a.py' }, 'B', { name: 'C', script: '../c.mjs' }],
        edges: [],
      }),
    )
    const dag = PipelineDAG.fromFile(file)
    expect(declaredScripts(file)).toEqual([dag.scriptPathOf('A'), dag.scriptPathOf('C')])
    expect(declaredScripts(await dagFile('broken.dag.json', '{ "nodes": ['))).toEqual([])
    expect(declaredScripts(join(root, 'missing.dag.json'))).toEqual([])
  })
})
