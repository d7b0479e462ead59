import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect } from 'vitest'
import { PipelineRun } from '../../src/engine/index.js'
import {
  buildReport,
  renderHtml,
  renderMarkdown,
  type ReportModel,
} from '../../src/report/index.js'
import { previewOutputs } from '../../src/report/outputs.js'
import type { TableSummary } from '../../src/data/index.js'
import type { ExecutionResult } from '../../src/engine/results.js'
import { it, pipelineOf, type Project, stepSpec, writeData } from '../engine/helpers.js'
import { runPipeline, STEPS } from '../cache/cached-project.js'

const EVIL = `<img src=x onerror="alert('x')">&</script>`

/** A → EVIL → C where EVIL fails: a failed node, a blocked one, a hostile name. */
async function failedRun(project: Project) {
  writeData(project, 'data/raw/rows.csv', 'id,label\n1,0\n')
  const specs = [
    stepSpec(project, 'A', { inputs: { raw: 'data/raw' }, outputs: { data_output: 'out/A' } }),
    stepSpec(project, EVIL, {
      scriptName: 'evil',
      inputs: { data_input: 'out/A' },
      outputs: { data_output: 'out/B' },
      env: { FAIL: `boom </pre><b>not bold</b>` },
    }),
    stepSpec(project, 'C', { inputs: { data_input: 'out/B' } }),
  ]
  const run = new PipelineRun(
    pipelineOf(
      project,
      [
        ['A', EVIL],
        [EVIL, 'C'],
      ],
      specs,
    ),
  )
  await run.runTiers({ scripts: true, compatibility: true, flow: true })
  await run.close()
  return run
}

describe('the report model', () => {
  it('colours each node by its worst execution and explains the failure with its traceback', async ({
    project,
  }) => {
    const run = await failedRun(project)
    const [pipeline] = (await buildReport([run.runFolder])).pipelines
    const status = Object.fromEntries(pipeline!.nodes.map((node) => [node.name, node.status]))
    expect(status).toEqual({ A: 'passed', [EVIL]: 'failed', C: 'blocked' })
    const evil = pipeline!.nodes[1]!
    expect(evil.failure).toMatchObject({ outcome: 'exception' })
    const failed = evil.executions.find((e) => e.id === evil.failure!.executionId)!
    expect(failed.traceback).toContain('RuntimeError: boom')
    expect(failed.tiers).toContain('script')
    expect(pipeline!.nodes[2]!.blockedBy).toBe(EVIL)
    expect(pipeline!.edges.map((edge) => edge.status)).toEqual(['failed', 'blocked'])
    // A's outputs: the file with its size.
    expect(pipeline!.nodes[0]!.outputs[0]).toMatchObject({
      name: 'data_output',
      produced: true,
      files: [{ path: 'data.csv' }],
    })
    // Laid out left to right.
    const [a, b, c] = pipeline!.nodes
    expect(a!.x).toBeLessThan(b!.x)
    expect(b!.x).toBeLessThan(c!.x)
    expect(pipeline!.edges[0]!.points.length).toBeGreaterThan(1)
  })

  it('escapes user text in the page: names and messages never become markup', async ({
    project,
  }) => {
    const run = await failedRun(project)
    const html = renderHtml(await buildReport([run.runFolder]))
    expect(html).not.toContain('<img src=x')
    expect(html).not.toContain('<b>not bold</b>')
    expect(html).toContain(
      '&lt;img src=x onerror=&quot;alert(&#39;x&#39;)&quot;&gt;&amp;&lt;/script&gt;',
    )
    // The embedded JSON cannot end its <script> element.
    const data = /<script type="application\/json" id="pipetest-data">([\s\S]*?)<\/script>/.exec(
      html,
    )![1]!
    expect(data).not.toContain('<')
    expect((JSON.parse(data) as ReportModel).pipelines[0]!.failedNodes).toEqual([EVIL])
  })

  it('summarises in Markdown with the failed node, its reason and a coloured Mermaid chart', async ({
    project,
  }) => {
    const run = await failedRun(project)
    const markdown = renderMarkdown(await buildReport([run.runFolder]), '/ci/report.html')
    expect(markdown).toContain('## ❌ pipetest: test — failed')
    expect(markdown).toContain(
      '- `<img src=x onerror="alert(\'x\')">&</script>` — exception: main() raised RuntimeError: boom \\</pre\\>\\<b\\>not bold\\</b\\>',
    )
    expect(markdown).toContain('classDef failed')
    expect(markdown).toContain('#lt;img src=x onerror=#quot;alert')
    expect(markdown).toContain('Report: `/ci/report.html`')
  })
})

describe('output previews', () => {
  it('lists the files of a folder output and summarises its table with the first rows', async ({
    project,
  }) => {
    const dir = join(project.root, 'out')
    mkdirSync(join(dir, 'train'), { recursive: true })
    writeFileSync(
      join(dir, 'train', 'part-0.csv'),
      'id,amount,city\n1,2.5,"Paris, FR"\n2,,Rome\n3,7,\n',
    )
    writeFileSync(join(dir, '.hidden.tmp'), 'x')
    const [view] = await previewOutputs({
      outputs: [
        { name: 'data', path: dir, produced: true, kind: 'directory', files: 1, bytes: 60 },
      ],
    } as ExecutionResult)
    expect(view!.files).toEqual([{ path: join('train', 'part-0.csv'), bytes: 46 }])
    expect(view!.data).toMatchObject({ kind: 'table', rows: 3 })
    const data = view!.data as TableSummary
    expect(data.columns.map((c) => [c.name, c.type, c.nulls])).toEqual([
      ['id', 'integer', 0],
      ['amount', 'number', 1],
      ['city', 'string', 1],
    ])
    expect(view!.rows[0]).toEqual({ id: 1, amount: 2.5, city: 'Paris, FR' })
    expect(view!.rows).toHaveLength(3)
  })

  it('shows the keys of a JSON document output (metrics)', async ({ project }) => {
    const file = join(project.root, 'metrics.json')
    writeFileSync(file, '{"auc": 0.91}\n')
    const [view] = await previewOutputs({
      outputs: [{ name: 'metrics', path: file, produced: true, kind: 'file', files: 1, bytes: 14 }],
    } as ExecutionResult)
    expect(view!.data).toMatchObject({ kind: 'document', keys: { auc: { value: 0.91 } } })
    expect(view!.rows).toEqual([])
  })
})

describe('cached executions', () => {
  it('are marked: a node whose executions were all restored is `cached`, each execution says so', async ({
    fixtureProject,
  }) => {
    const root = await fixtureProject('cached-pipeline')
    await runPipeline(root)
    const { json } = await runPipeline(root)
    expect(Object.values(json.scripts).every((script) => script.cached !== undefined)).toBe(true)
    const runFolder = join(root, 'data/.pipetest/runs', json.runId)
    const model = await buildReport([runFolder])
    const [pipeline] = model.pipelines
    expect(pipeline!.nodes.map((node) => [node.name, node.status])).toEqual(
      STEPS.map((step) => [step, 'cached']),
    )
    for (const node of pipeline!.nodes) {
      expect(node.executions.length).toBeGreaterThan(0)
      expect(node.executions.every((execution) => execution.cached)).toBe(true)
    }
    // The page's graph draws them in the cached colour, with its key; the Mermaid chart too.
    const html = renderHtml(model)
    expect(html).toContain('class="key cached"')
    expect(html).toMatch(/class="node cached"/)
    expect(renderMarkdown(model)).toMatch(/class .*cached/)
  })
})
