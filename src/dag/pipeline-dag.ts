import { basename, dirname, resolve } from 'node:path'
import { PipetestError } from '../errors.js'
import { readJsonFile } from '../files/json.js'
import { listSome } from '../text.js'
import { parseDagJson, type DagEdge, type DagJson, type DagNode } from './dag-schema.js'
import { nodeNameProblem, showName } from './node-name.js'

export type { DagEdge, DagNode }

export interface PipelineDAGOptions {
  name?: string
  /** Folder that node `script` paths are relative to. */
  baseDir?: string
  /** File the DAG was loaded from; named in error messages. */
  file?: string
}

/**
 * The pipeline's steps and their data dependencies.
 *
 * Mutations validate as they go (unknown nodes, self-loops, duplicates); cycles are found by
 * {@link PipelineDAG.validate} and {@link PipelineDAG.topologicalSort}, which name the cycle.
 *
 * @example
 * const dag = new PipelineDAG()
 * dag.addNode('Preprocess').addNode('Train').addEdge('Preprocess', 'Train', { data_output: 'input_path' })
 * dag.topologicalSort() // ['Preprocess', 'Train']
 */
export class PipelineDAG {
  name: string | undefined
  baseDir: string | undefined
  file: string | undefined
  readonly #nodes = new Map<string, DagNode>()
  readonly #edges: DagEdge[] = []
  /** `from\0to` → the edge, so a large DAG's edges are found without a scan. */
  readonly #edgeIndex = new Map<string, DagEdge>()
  readonly #parents = new Map<string, string[]>()
  readonly #children = new Map<string, string[]>()
  /** Topological position of each node, computed once per shape (mutations reset it). */
  #order: Map<string, number> | undefined

  constructor(options: PipelineDAGOptions = {}) {
    this.name = options.name
    this.baseDir = options.baseDir
    this.file = options.file
  }

  /** Node names in declaration order. */
  get nodes(): string[] {
    return [...this.#nodes.keys()]
  }

  /** Edges in declaration order (copies: mutate through `addEdge`). */
  get edges(): DagEdge[] {
    return this.#edges.map(copyEdge)
  }

  hasNode(name: string): boolean {
    return this.#nodes.has(name)
  }

  /** The node's declaration (name and optional script), or undefined. */
  getNode(name: string): DagNode | undefined {
    const node = this.#nodes.get(name)
    return node && { ...node, ...(node.tags ? { tags: [...node.tags] } : {}) }
  }

  /** The node's tags (empty when it has none). */
  tagsOf(name: string): string[] {
    return [...(this.#nodes.get(name)?.tags ?? [])]
  }

  /** Absolute path of the node's declared script, or undefined when the node names none. */
  scriptPathOf(name: string): string | undefined {
    const script = this.#nodes.get(name)?.script
    if (script === undefined) return undefined
    return resolve(this.baseDir ?? process.cwd(), script)
  }

  addNode(name: string, options: { script?: string; tags?: string[] } = {}): this {
    if (typeof name !== 'string' || name.trim() === '') {
      throw this.#error(
        'DAG_EMPTY_NAME',
        'A DAG node has an empty name',
        'Give every node a non-empty name.',
      )
    }
    const problem = nodeNameProblem(name)
    if (problem !== undefined) {
      throw this.#error(
        'DAG_BAD_NAME',
        `Node name "${showName(name)}" cannot be used: ${problem}`,
        'Rename the node (in "nodes" and in its edges); letters, digits, "_", "-" and "." are always safe.',
        name,
      )
    }
    if (this.#nodes.has(name)) {
      throw this.#error(
        'DAG_DUPLICATE_NODE',
        `Node "${name}" is declared twice`,
        `Remove the second declaration of "${name}" (node names must be unique).`,
        name,
      )
    }
    this.#nodes.set(name, {
      name,
      ...(options.script === undefined ? {} : { script: options.script }),
      ...(options.tags === undefined || options.tags.length === 0
        ? {}
        : { tags: [...new Set(options.tags)] }),
    })
    this.#parents.set(name, [])
    this.#children.set(name, [])
    this.#order = undefined
    return this
  }

  addEdge(from: string, to: string, ports?: Record<string, string>): this {
    for (const end of [from, to]) {
      if (!this.#nodes.has(end)) {
        throw this.#error(
          'DAG_UNKNOWN_NODE',
          `Edge ${showName(from)} → ${showName(to)} names "${showName(end)}", which is not a declared node`,
          `Declare "${showName(end)}" in "nodes", or fix the spelling of the edge (declared nodes: ${listSome(this.nodes) || 'none'}).`,
          end,
        )
      }
    }
    if (from === to) {
      throw this.#error(
        'DAG_SELF_LOOP',
        `Edge ${from} → ${to} connects "${from}" to itself`,
        'Remove the edge: a step cannot consume its own outputs.',
        from,
      )
    }
    const existing = this.#edgeIndex.get(edgeKey(from, to))
    if (existing) {
      // A plain repeat adds nothing; a repeat with other ports would silently replace some.
      if (ports && existing.ports && !samePorts(existing.ports, ports)) {
        throw this.#error(
          'DAG_DUPLICATE_EDGE',
          `Edge ${from} → ${to} is declared twice with different ports: ${JSON.stringify(existing.ports)} and ${JSON.stringify(ports)}`,
          `Declare ${from} → ${to} once, with every port it carries in one "ports" map.`,
          to,
        )
      }
      if (ports) existing.ports = { ...ports }
      return this
    }
    const edge: DagEdge = ports ? { from, to, ports: { ...ports } } : { from, to }
    this.#edges.push(edge)
    this.#edgeIndex.set(edgeKey(from, to), edge)
    this.#parents.get(to)!.push(from)
    this.#children.get(from)!.push(to)
    this.#order = undefined
    return this
  }

  /** Direct upstream nodes of `node`, in edge declaration order. */
  getDependencies(node: string): string[] {
    return [...(this.#parents.get(node) ?? [])]
  }

  /** Direct downstream nodes of `node`, in edge declaration order. */
  getDependents(node: string): string[] {
    return [...(this.#children.get(node) ?? [])]
  }

  getEdge(from: string, to: string): DagEdge | undefined {
    const edge = this.#edgeIndex.get(edgeKey(from, to))
    return edge && copyEdge(edge)
  }

  /** `node` and every node reachable downstream of it, in topological order. */
  descendantsOf(node: string): string[] {
    return this.#inTopologicalOrder(this.reachable([node], 'down').add(node))
  }

  /** Every node upstream of `node` (transitively), in topological order. */
  ancestorsOf(node: string): string[] {
    return this.#inTopologicalOrder(this.reachable([node], 'up'))
  }

  /**
   * The nodes reachable from `starts` along edges upstream or downstream, within `limit`
   * steps; a start is in it only when another start (or a cycle) leads to it.
   */
  reachable(starts: readonly string[], direction: 'up' | 'down', limit = Infinity): Set<string> {
    const links = direction === 'up' ? this.#parents : this.#children
    const seen = new Set<string>()
    let frontier = [...starts]
    for (let step = 0; step < limit && frontier.length > 0; step++) {
      const next: string[] = []
      for (const node of frontier) {
        for (const neighbour of links.get(node) ?? []) {
          if (seen.has(neighbour)) continue
          seen.add(neighbour)
          next.push(neighbour)
        }
      }
      frontier = next
    }
    return seen
  }

  /** Sorting a few nodes must not cost a sort of the whole DAG each time (large DAGs call this per node). */
  #inTopologicalOrder(nodes: Set<string>): string[] {
    this.#order ??= new Map(this.topologicalSort().map((name, i) => [name, i]))
    const order = this.#order
    return [...nodes].sort((a, b) => order.get(a)! - order.get(b)!)
  }

  /**
   * Kahn's algorithm where, among the nodes that are ready, the one declared first goes
   * first: the order is deterministic and reads like the DAG file. The ready nodes are a
   * heap of declaration indexes, so a wide DAG sorts in O(n log n).
   */
  topologicalSort(): string[] {
    const nodes = this.nodes
    const index = new Map(nodes.map((name, i) => [name, i]))
    const waiting = nodes.map((name) => this.#parents.get(name)!.length)
    const ready = new MinHeap()
    waiting.forEach((count, i) => count === 0 && ready.push(i))
    const order: string[] = []
    while (ready.size > 0) {
      const next = nodes[ready.pop()]!
      order.push(next)
      for (const child of this.#children.get(next)!) {
        const i = index.get(child)!
        if (--waiting[i]! === 0) ready.push(i)
      }
    }
    if (order.length !== this.#nodes.size) {
      const cycle = this.findCycle() ?? []
      throw this.#error(
        'DAG_CYCLE',
        `The DAG has a cycle: ${pathText(cycle)}`,
        cycle.length <= LONG_CYCLE
          ? `Remove one of the edges ${cycle
              .slice(1)
              .map((to, i) => `${cycle[i]} → ${to}`)
              .join(', ')} (a pipeline step cannot depend on its own outputs).`
          : `Remove one of the ${cycle.length - 1} edges of this cycle (a pipeline step cannot depend on its own outputs).`,
        cycle[0],
      )
    }
    return order
  }

  /**
   * A cycle as a closed path (`[A, B, C, A]`), or undefined when the DAG is acyclic.
   * Depth-first with an explicit stack: a cycle of 50,000 nodes must not exhaust the call
   * stack.
   */
  findCycle(): string[] | undefined {
    const state = new Map<string, 'open' | 'done'>()
    for (const start of this.nodes) {
      if (state.has(start)) continue
      // The current path, each node with the index of the next child to visit.
      const path: string[] = [start]
      const next: number[] = [0]
      state.set(start, 'open')
      while (path.length > 0) {
        const node = path.at(-1)!
        const child = this.#children.get(node)![next[next.length - 1]!++]
        if (child === undefined) {
          state.set(node, 'done')
          path.pop()
          next.pop()
        } else if (state.get(child) === 'open') {
          return [...path.slice(path.lastIndexOf(child)), child]
        } else if (!state.has(child)) {
          state.set(child, 'open')
          path.push(child)
          next.push(0)
        }
      }
    }
    return undefined
  }

  /** Throws the first structural problem (empty DAG, cycle). Returns the DAG for chaining. */
  validate(): this {
    if (this.#nodes.size === 0) {
      throw this.#error(
        'DAG_EMPTY',
        'The DAG has no nodes',
        'Add at least one node to "nodes" (e.g. {"nodes": ["Preprocess"], "edges": []}).',
      )
    }
    this.topologicalSort()
    return this
  }

  /** Our JSON form: node objects when they carry a script or tags, edges with `from`/`to`/`ports`. */
  toJSON(): DagJson {
    return {
      ...(this.name !== undefined ? { name: this.name } : {}),
      nodes: [...this.#nodes.values()].map((node) =>
        node.script === undefined && node.tags === undefined
          ? node.name
          : { ...node, ...(node.tags ? { tags: [...node.tags] } : {}) },
      ),
      edges: this.edges,
    }
  }

  /**
   * Builds a DAG from the cursus form (`{nodes: [...], edges: [[a, b]] | [{source, target}]}`)
   * or ours (node objects with `script`, edges with `from`/`to`/`ports`), and validates it.
   */
  static fromJSON(value: unknown, options: PipelineDAGOptions = {}): PipelineDAG {
    const parsed = parseDagJson(value, options.file)
    const dag = new PipelineDAG({ ...options, name: options.name ?? parsed.name })
    for (const { name, ...options } of parsed.nodes) dag.addNode(name, options)
    for (const edge of parsed.edges) dag.addEdge(edge.from, edge.to, edge.ports)
    return dag.validate()
  }

  /** Loads a DAG JSON file synchronously; node scripts are relative to the file's folder. */
  static fromFile(file: string): PipelineDAG {
    const path = resolve(file)
    const json = readJsonFile(
      path,
      { notFound: 'DAG_NOT_FOUND', unreadable: 'DAG_NOT_FOUND', invalid: 'DAG_INVALID_JSON' },
      'DAG file',
    )
    const dag = PipelineDAG.fromJSON(json, { file: path, baseDir: dirname(path) })
    // A DAG that names no pipeline is named after its file.
    dag.name ??= basename(path).replace(/(\.dag)?\.json$/i, '')
    return dag
  }

  #error(
    code: ConstructorParameters<typeof PipetestError>[0],
    message: string,
    hint: string,
    node?: string,
  ) {
    const where = this.file ? ` (in ${this.file})` : ''
    return new PipetestError(code, `${message}${where}`, {
      hint,
      ...(this.file ? { file: this.file } : {}),
      ...(node !== undefined ? { node } : {}),
    })
  }
}

function copyEdge(edge: DagEdge): DagEdge {
  return { ...edge, ...(edge.ports ? { ports: { ...edge.ports } } : {}) }
}

function samePorts(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = Object.keys(a)
  return keys.length === Object.keys(b).length && keys.every((key) => a[key] === b[key])
}

function edgeKey(from: string, to: string): string {
  return `${from}\0${to}`
}

/** The smallest number first; what the topological sort needs of a priority queue. */
class MinHeap {
  readonly #items: number[] = []

  get size(): number {
    return this.#items.length
  }

  push(value: number): void {
    const items = this.#items
    let i = items.push(value) - 1
    // Sift up: move parents larger than `value` down until its place is found.
    for (let parent = (i - 1) >> 1; i > 0 && items[parent]! > value; parent = (i - 1) >> 1) {
      items[i] = items[parent]!
      i = parent
    }
    items[i] = value
  }

  pop(): number {
    const items = this.#items
    const top = items[0]!
    const last = items.pop()!
    const size = items.length
    // Sift down: move the smaller child up until `last` fits.
    let i = 0
    for (let child = 1; child < size; child = 2 * i + 1) {
      if (child + 1 < size && items[child + 1]! < items[child]!) child++
      if (items[child]! >= last) break
      items[i] = items[child]!
      i = child
    }
    if (size > 0) items[i] = last
    return top
  }
}

/** A cycle longer than this is shown by its ends: a 50,000-node ring must not fill the screen. */
const LONG_CYCLE = 12

function pathText(cycle: string[]): string {
  if (cycle.length <= LONG_CYCLE) return cycle.join(' → ')
  const left = cycle.length - 10
  return [...cycle.slice(0, 5), `… ${left} more …`, ...cycle.slice(-5)].join(' → ')
}
