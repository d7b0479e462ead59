import type { PipelineDAG } from '../dag/index.js'
import type { TestStatus } from '../engine/index.js'
import { PipetestError } from '../errors.js'
import { EXIT, flag, type CommandDef } from './command.js'
import { readLastRun, lastRunFile, type LastRun } from './last-run.js'
import { loadDagArg, openProject, projectOptions } from './project.js'
import { displayPath, shellQuote } from './text.js'

/** Words Mermaid reads as syntax when used as a node id. */
const RESERVED = new Set([
  'end',
  'graph',
  'flowchart',
  'subgraph',
  'style',
  'class',
  'classdef',
  'click',
  'linkstyle',
  'direction',
  'call',
  'href',
  'default',
])

const CLASS_DEFS: Record<TestStatus, string> = {
  passed: 'fill:#dcfce7,stroke:#16a34a,color:#14532d',
  failed: 'fill:#fee2e2,stroke:#dc2626,color:#7f1d1d',
  blocked: 'fill:#fef9c3,stroke:#ca8a04,color:#713f12',
  skipped: 'fill:#f3f4f6,stroke:#9ca3af,color:#374151',
}

const LINK_STYLES: Partial<Record<TestStatus, string>> = {
  passed: 'stroke:#16a34a',
  failed: 'stroke:#dc2626,stroke-width:2px',
  blocked: 'stroke:#ca8a04,stroke-dasharray:4 3',
}

/**
 * The DAG as a Mermaid flowchart. Node ids are made safe (node names may hold spaces, dots
 * or Mermaid keywords such as `end`) and the names are the labels; an edge with ports is
 * labelled `output → input`. With a last run, nodes and edges are coloured by status.
 */
export function toMermaid(dag: PipelineDAG, status?: LastRun): string {
  const ids = safeIds(dag.nodes)
  const lines = ['flowchart LR']
  if (status) {
    lines.push(`  %% status: ${status.state} run ${status.runId}, finished ${status.finishedAt}`)
  }
  for (const node of dag.nodes) {
    // Results may come from different runs (`run --only`): each says when it was obtained.
    const known = status?.nodes[node]
    const when = known ? `<br/>${known.status} ${known.at.slice(0, 16).replace('T', ' ')} UTC` : ''
    lines.push(`  ${ids.get(node)}["${escape(node)}${when}"]`)
  }
  const linkStyles: string[] = []
  dag.edges.forEach((edge, index) => {
    const ports = Object.entries(edge.ports ?? {})
    const label =
      ports.length > 0
        ? `|"${escape(ports.map(([output, input]) => `${output} → ${input}`).join(', '))}"|`
        : ''
    lines.push(`  ${ids.get(edge.from)} -->${label} ${ids.get(edge.to)}`)
    const edgeStatus = status?.edges[`${edge.from}->${edge.to}`]?.status
    const style = edgeStatus && LINK_STYLES[edgeStatus]
    if (style) linkStyles.push(`  linkStyle ${index} ${style}`)
  })
  if (status) {
    const used = new Set(dag.nodes.map((node) => status.nodes[node]?.status))
    for (const [name, style] of Object.entries(CLASS_DEFS)) {
      if (used.has(name as TestStatus)) lines.push(`  classDef ${name} ${style}`)
    }
    for (const node of dag.nodes) {
      const nodeStatus = status.nodes[node]?.status
      if (nodeStatus) lines.push(`  class ${ids.get(node)} ${nodeStatus}`)
    }
    lines.push(...linkStyles)
  }
  return `${lines.join('\n')}\n`
}

function safeIds(nodes: string[]): Map<string, string> {
  const ids = new Map<string, string>()
  const taken = new Set<string>()
  for (const node of nodes) {
    let id = node.replace(/[^A-Za-z0-9_]/g, '_')
    if (id === '' || /^\d/.test(id) || RESERVED.has(id.toLowerCase())) id = `n_${id}`
    let unique = id
    for (let i = 2; taken.has(unique); i++) unique = `${id}_${i}`
    taken.add(unique)
    ids.set(node, unique)
  }
  return ids
}

/** Mermaid entity codes for the characters that end or reinterpret a quoted label. */
function escape(text: string): string {
  return text
    .replace(/#/g, '#35;')
    .replace(/"/g, '#quot;')
    .replace(/</g, '#lt;')
    .replace(/>/g, '#gt;')
}

export const graphCommand: CommandDef = {
  name: 'graph',
  summary: 'Print the DAG as a Mermaid flowchart, optionally coloured by the last run',
  positionals: [{ name: 'dag', required: true, description: 'the pipeline DAG JSON file' }],
  options: {
    status: {
      type: 'boolean',
      description:
        'Colour nodes and edges by their latest "pipetest run" result (passed/failed/blocked), with when it was obtained',
    },
    markdown: {
      type: 'boolean',
      description: 'Wrap it in a ```mermaid block, ready to paste into a README or PR',
    },
    ...projectOptions,
  },
  examples: [
    'pipetest graph pipelines/fraud/pipeline.dag.json --markdown >> README.md',
    'pipetest graph pipeline.dag.json --status',
  ],
  async run({ values, positionals }, ctx) {
    const dagFile = positionals.dag!
    const dag = loadDagArg(dagFile, ctx)
    let status: LastRun | undefined
    if (flag(values, 'status')) {
      const { builder } = openProject(values, ctx)
      status = readLastRun(builder.testDataDir, dag.file!)
      if (!status) {
        throw new PipetestError(
          'LAST_RUN_NOT_FOUND',
          `No recorded run of ${displayPath(dag.file!, ctx.cwd)} in ${displayPath(lastRunFile(builder.testDataDir), ctx.cwd)}`,
          {
            hint: `Run "pipetest run ${shellQuote(dagFile)}" first (with the same --test-data-dir), or leave out --status.`,
          },
        )
      }
    }
    const mermaid = toMermaid(dag, status)
    ctx.stdout.write(flag(values, 'markdown') ? `\`\`\`mermaid\n${mermaid}\`\`\`\n` : mermaid)
    return EXIT.ok
  },
}
