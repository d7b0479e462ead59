import { dirname, resolve } from 'node:path'
import { PipetestError } from '../errors.js'
import { readJsonFile } from '../files/json.js'
import { parseDagJson, type DagJson } from './dag-json.js'

/** A step of the pipeline. `script` is relative to the DAG's `baseDir` (the DAG file's folder). */
export interface DagNode {
  name: string
  script?: string
}

/**
 * A data dependency `from → to`. `ports` maps an output name of `from` to the input name of
 * `to` that consumes it; without it, ports are resolved by name when the edge is tested.
 */
export interface DagEdge {
  from: string
  to: string
  ports?: Record<string, string>
}

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
    return this.#edges.map((edge) => ({
      ...edge,
      ...(edge.ports ? { ports: { ...edge.ports } } : {}),
    }))
  }

  hasNode(name: string): boolean {
    return this.#nodes.has(name)
  }

  /** The node's declaration (name and optional script), or undefined. */
  getNode(name: string): DagNode | undefined {
    const node = this.#nodes.get(name)
    return node && { ...node }
  }

  /** Absolute path of the node's declared script, or undefined when the node names none. */
  scriptPathOf(name: string): string | undefined {
    const script = this.#nodes.get(name)?.script
    if (script === undefined) return undefined
    return resolve(this.baseDir ?? process.cwd(), script)
  }

  addNode(name: string, options: { script?: string } = {}): this {
    if (typeof name !== 'string' || name.trim() === '') {
      throw this.#error(
        'DAG_EMPTY_NAME',
        'A DAG node has an empty name',
        'Give every node a non-empty name.',
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
    this.#nodes.set(
      name,
      options.script === undefined ? { name } : { name, script: options.script },
    )
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
          `Edge ${from} → ${to} names "${end}", which is not a declared node`,
          `Declare "${end}" in "nodes", or fix the spelling of the edge (declared nodes: ${this.nodes.join(', ') || 'none'}).`,
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
    const existing = this.#edges.find((edge) => edge.from === from && edge.to === to)
    if (existing) {
      // A repeated edge adds nothing but may name more ports; merge them.
      if (ports) existing.ports = { ...existing.ports, ...ports }
      return this
    }
    this.#edges.push(ports ? { from, to, ports: { ...ports } } : { from, to })
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
    const edge = this.#edges.find((e) => e.from === from && e.to === to)
    return edge && { ...edge, ...(edge.ports ? { ports: { ...edge.ports } } : {}) }
  }

  /** `node` and every node reachable downstream of it, in topological order. */
  descendantsOf(node: string): string[] {
    const seen = new Set<string>([node])
    const stack = [node]
    while (stack.length > 0) {
      for (const child of this.#children.get(stack.pop()!) ?? []) {
        if (!seen.has(child)) {
          seen.add(child)
          stack.push(child)
        }
      }
    }
    return this.#inTopologicalOrder(seen)
  }

  /** Every node upstream of `node` (transitively), in topological order. */
  ancestorsOf(node: string): string[] {
    const seen = new Set<string>()
    const stack = [node]
    while (stack.length > 0) {
      for (const parent of this.#parents.get(stack.pop()!) ?? []) {
        if (!seen.has(parent)) {
          seen.add(parent)
          stack.push(parent)
        }
      }
    }
    return this.#inTopologicalOrder(seen)
  }

  /** Sorting a few nodes must not cost a sort of the whole DAG each time (large DAGs call this per node). */
  #inTopologicalOrder(nodes: Set<string>): string[] {
    this.#order ??= new Map(this.topologicalSort().map((name, i) => [name, i]))
    const order = this.#order
    return [...nodes].sort((a, b) => order.get(a)! - order.get(b)!)
  }

  /**
   * Kahn's algorithm where, among the nodes that are ready, the one declared first goes
   * first: the order is deterministic and reads like the DAG file.
   */
  topologicalSort(): string[] {
    const index = new Map(this.nodes.map((name, i) => [name, i]))
    const waiting = new Map(this.nodes.map((name) => [name, this.#parents.get(name)!.length]))
    const ready = this.nodes.filter((name) => waiting.get(name) === 0)
    const order: string[] = []
    while (ready.length > 0) {
      const next = ready.shift()!
      order.push(next)
      for (const child of this.#children.get(next)!) {
        const left = waiting.get(child)! - 1
        waiting.set(child, left)
        if (left === 0) insertByIndex(ready, child, index)
      }
    }
    if (order.length !== this.#nodes.size) {
      const cycle = this.findCycle() ?? []
      throw this.#error(
        'DAG_CYCLE',
        `The DAG has a cycle: ${cycle.join(' → ')}`,
        `Remove one of the edges ${pairs(cycle).join(', ')} (a pipeline step cannot depend on its own outputs).`,
        cycle[0],
      )
    }
    return order
  }

  /** A cycle as a closed path (`[A, B, C, A]`), or undefined when the DAG is acyclic. */
  findCycle(): string[] | undefined {
    const state = new Map<string, 'open' | 'done'>()
    const path: string[] = []
    const visit = (node: string): string[] | undefined => {
      state.set(node, 'open')
      path.push(node)
      for (const child of this.#children.get(node)!) {
        if (state.get(child) === 'open') return [...path.slice(path.indexOf(child)), child]
        if (!state.has(child)) {
          const found = visit(child)
          if (found) return found
        }
      }
      path.pop()
      state.set(node, 'done')
      return undefined
    }
    for (const node of this.nodes) {
      if (!state.has(node)) {
        const found = visit(node)
        if (found) return found
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

  /** Our JSON form: node objects when they carry a script, edges with `from`/`to`/`ports`. */
  toJSON(): DagJson {
    return {
      ...(this.name !== undefined ? { name: this.name } : {}),
      nodes: [...this.#nodes.values()].map((node) =>
        node.script === undefined ? node.name : { ...node },
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
    for (const node of parsed.nodes)
      dag.addNode(node.name, node.script === undefined ? {} : { script: node.script })
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
    return PipelineDAG.fromJSON(json, {
      file: path,
      baseDir: dirname(path),
      name: defaultName(path, json),
    })
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

function insertByIndex(ready: string[], node: string, index: Map<string, number>): void {
  const at = ready.findIndex((other) => index.get(other)! > index.get(node)!)
  if (at === -1) ready.push(node)
  else ready.splice(at, 0, node)
}

function pairs(cycle: string[]): string[] {
  return cycle.slice(0, -1).map((node, i) => `${node} → ${cycle[i + 1]}`)
}

function defaultName(file: string, json: unknown): string | undefined {
  if (json && typeof json === 'object' && typeof (json as { name?: unknown }).name === 'string')
    return undefined
  const base = file.split(/[\\/]/).at(-1) ?? file
  return base.replace(/(\.dag)?\.json$/i, '')
}
