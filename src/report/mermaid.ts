import type { TestStatus } from '../engine/results.js'
import type { NodeStatus } from './model.js'

/**
 * The DAG as a Mermaid flowchart, for `pipetest graph` and the CI summary (GitHub renders
 * Mermaid in Markdown). Node ids are made safe (node names may hold spaces, dots or Mermaid
 * keywords such as `end`) and the names are the labels; an edge with ports is labelled
 * `output → input`. With statuses, nodes and edges are coloured by them.
 */
export interface MermaidGraph {
  nodes: string[]
  edges: Array<{ from: string; to: string; ports?: Record<string, string> }>
}

export interface MermaidStatus {
  nodes: Record<string, NodeStatus>
  /** Keyed `"A->B"`. */
  edges: Record<string, TestStatus>
  /** A `%%` comment line naming the run. */
  comment?: string
  /** A second label line per node (e.g. when its result was obtained). */
  notes?: Record<string, string>
}

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

const CLASS_DEFS: Record<NodeStatus, string> = {
  passed: 'fill:#dcfce7,stroke:#16a34a,color:#14532d',
  failed: 'fill:#fee2e2,stroke:#dc2626,color:#7f1d1d',
  blocked: 'fill:#fef9c3,stroke:#ca8a04,color:#713f12',
  cached: 'fill:#dbeafe,stroke:#2563eb,color:#1e3a8a',
  skipped: 'fill:#f3f4f6,stroke:#9ca3af,color:#374151',
}

const LINK_STYLES: Partial<Record<TestStatus, string>> = {
  passed: 'stroke:#16a34a',
  failed: 'stroke:#dc2626,stroke-width:2px',
  blocked: 'stroke:#ca8a04,stroke-dasharray:4 3',
}

export function toMermaid(graph: MermaidGraph, status?: MermaidStatus): string {
  const ids = safeIds(graph.nodes)
  const lines = ['flowchart LR']
  if (status?.comment) lines.push(`  %% ${status.comment.replace(/\s+/g, ' ')}`)
  for (const node of graph.nodes) {
    const note = status?.notes?.[node]
    lines.push(`  ${ids.get(node)}["${escape(node)}${note ? `<br/>${escape(note)}` : ''}"]`)
  }
  const linkStyles: string[] = []
  graph.edges.forEach((edge, index) => {
    const ports = Object.entries(edge.ports ?? {})
    const label =
      ports.length > 0
        ? `|"${escape(ports.map(([output, input]) => `${output} → ${input}`).join(', '))}"|`
        : ''
    lines.push(`  ${ids.get(edge.from)} -->${label} ${ids.get(edge.to)}`)
    const edgeStatus = status?.edges[`${edge.from}->${edge.to}`]
    const style = edgeStatus && LINK_STYLES[edgeStatus]
    if (style) linkStyles.push(`  linkStyle ${index} ${style}`)
  })
  if (status) {
    const used = new Set(Object.values(status.nodes))
    for (const [name, style] of Object.entries(CLASS_DEFS)) {
      if (used.has(name as NodeStatus)) lines.push(`  classDef ${name} ${style}`)
    }
    for (const node of graph.nodes) {
      const nodeStatus = status.nodes[node]
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
    .replace(/&/g, '#amp;')
    .replace(/"/g, '#quot;')
    .replace(/</g, '#lt;')
    .replace(/>/g, '#gt;')
}
