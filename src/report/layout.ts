import type { EdgeLabel, GraphLabel, NodeLabel } from '@dagrejs/dagre'
import type { PipelineView } from './model.js'

/**
 * Lays the DAG out left to right with dagre (a layered, Sugiyama-style layout), when the report
 * is written: the page only draws positioned SVG, so it opens instantly, needs no library and
 * no network, and looks the same in every browser.
 */

export const NODE_HEIGHT = 46
/** Of the name, 12px semibold; generous, so a name never runs past its box. */
export const CHAR_WIDTH = 7.4
const MIN_WIDTH = 150
export const MAX_WIDTH = 320
/** Status icon, padding and the duration line need this much besides the name. */
export const NODE_CHROME = 44
/** Above this many nodes dagre's network-simplex ranking takes seconds; tight-tree does not. */
const NETWORK_SIMPLEX_MAX_NODES = 150
const MARGIN = 24

export async function layOut(pipeline: PipelineView): Promise<void> {
  // Loaded when a report is written, not with the package: the adapters and most commands
  // never lay a graph out.
  const { graphlib, layout } = await import('@dagrejs/dagre')
  const graph = new graphlib.Graph<GraphLabel, NodeLabel, EdgeLabel>({ multigraph: false })
  graph.setGraph({
    rankdir: 'LR',
    nodesep: 16,
    ranksep: 44,
    marginx: MARGIN,
    marginy: MARGIN,
    ranker: pipeline.nodes.length > NETWORK_SIMPLEX_MAX_NODES ? 'tight-tree' : 'network-simplex',
  })
  graph.setDefaultEdgeLabel(() => ({}))
  for (const node of pipeline.nodes) {
    node.width = nodeWidth(node.name)
    node.height = NODE_HEIGHT
    graph.setNode(node.name, { width: node.width, height: node.height })
  }
  for (const edge of pipeline.edges) graph.setEdge(edge.from, edge.to)
  layout(graph)
  for (const node of pipeline.nodes) {
    const placed = graph.node(node.name)
    // dagre gives centres; the page draws from the top-left corner.
    node.x = Math.round(placed.x - node.width / 2)
    node.y = Math.round(placed.y - node.height / 2)
  }
  for (const edge of pipeline.edges) {
    edge.points = (graph.edge(edge.from, edge.to)?.points ?? []).map(
      (point: { x: number; y: number }) => ({
        x: Math.round(point.x * 10) / 10,
        y: Math.round(point.y * 10) / 10,
      }),
    )
  }
  const { width = 0, height = 0 } = graph.graph()
  pipeline.width = Math.ceil(width)
  pipeline.height = Math.ceil(height)
}

export function nodeWidth(name: string): number {
  return Math.round(
    Math.min(MAX_WIDTH, Math.max(MIN_WIDTH, name.length * CHAR_WIDTH + NODE_CHROME)),
  )
}
