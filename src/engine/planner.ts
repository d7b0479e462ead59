import { dirname, relative, resolve } from 'node:path'
import { specSetCommandLine } from '../text.js'
import type { PipelineDAG } from '../dag/index.js'
import type { ScriptExecutionSpec } from '../spec/index.js'
import type { ExecutionPurpose } from './events.js'
import { resolvePorts, type PortResolution } from './ports.js'
import type { Outcome, PortWiring } from './results.js'
import { executionId } from './scheduler.js'
import { isFileLikePath } from './workspace.js'

/**
 * Turns "test node X", "test edge A → B" and "run the flow" into execution plans: which
 * node runs with which inputs, each input either a spec path or an upstream execution's
 * output. A plan's id depends only on what the execution does (node, script, inputs, env,
 * job args), so two tiers asking for the same work get the same id and share one execution.
 */

export type InputBinding =
  | { kind: 'spec'; path: string }
  | {
      kind: 'wired'
      from: ExecutionPlan
      output: string
      /** Below the upstream output folder, when the input lies inside it. */
      subpath?: string
      via: PortWiring['via']
    }

export interface ExecutionPlan {
  id: string
  node: string
  purpose: ExecutionPurpose
  spec: ScriptExecutionSpec | undefined
  scriptPath: string | undefined
  cwd: string
  bindings: Record<string, InputBinding>
  /** Known before anything runs (no spec, unresolvable ports): the execution fails unrun. */
  failure?: { outcome: Outcome; message: string }
}

export interface PlannerSource {
  dag: PipelineDAG
  specOf(node: string): ScriptExecutionSpec | undefined
  /** Absolute project root: relative spec paths are resolved against it. */
  rootDir: string
}

export interface EdgePlan {
  ports: PortResolution
  upstream: ExecutionPlan
  /** Absent when the ports cannot be resolved. */
  downstream?: ExecutionPlan
}

interface PathProvider {
  node: string
  output: string
  subpath?: string
}

export class ExecutionPlanner {
  readonly #source: PlannerSource
  readonly #script = new Map<string, ExecutionPlan>()
  readonly #flow = new Map<string, ExecutionPlan>()
  readonly #ports = new Map<string, PortResolution>()
  readonly #ancestors = new Map<string, Set<string>>()
  #outputs: Map<string, PathProvider[]> | undefined
  #order: Map<string, number> | undefined

  constructor(source: PlannerSource) {
    this.#source = source
  }

  /**
   * Node X on its spec inputs — except that an input whose path is an ancestor's declared
   * output (or lies inside it) is wired from that ancestor's script-tier execution, because
   * pipetest's executions write to fresh run folders, never to the spec's paths.
   */
  script(node: string): ExecutionPlan {
    return memo(this.#script, node, () => {
      const bindings: Record<string, InputBinding> = {}
      for (const [name, path] of Object.entries(this.#source.specOf(node)?.inputPaths ?? {}))
        bindings[name] = this.#pathBinding(node, path, (upstream) => this.script(upstream))
      return this.#plan(node, 'script', bindings)
    })
  }

  /**
   * Node X in the flow: inputs matched to a parent's outputs by the edge's ports come from
   * that parent's flow execution; the rest as in the script tier, wired to flow executions.
   */
  flow(node: string, purpose: ExecutionPurpose = 'flow'): ExecutionPlan {
    return memo(this.#flow, node, () => this.#flowPlan(node, purpose))
  }

  /** B fed by A's flow execution through the edge's ports; B's other inputs as in its script tier. */
  edge(from: string, to: string): EdgePlan {
    const ports = this.ports(from, to)
    // Labelled as run for an edge test: without the flow tier, "(flow)" would name a test
    // that is not running.
    const upstream = this.flow(from, 'edge')
    if (!ports.ok) return { ports, upstream }
    const bindings = { ...this.script(to).bindings }
    for (const wire of ports.wiring) bindings[wire.input] = wired(upstream, wire)
    return { ports, upstream, downstream: this.#plan(to, 'edge', bindings) }
  }

  /** Port resolution of A → B (an edge of the DAG, or a pair tested as if it were one). */
  ports(from: string, to: string): PortResolution {
    return memo(this.#ports, `${from}\0${to}`, () => this.#resolvePorts(from, to))
  }

  #resolvePorts(from: string, to: string): PortResolution {
    const { dag, rootDir } = this.#source
    const edge = dag.getEdge(from, to) ?? { from, to }
    const upstream = this.#source.specOf(from)
    const downstream = this.#source.specOf(to)
    if (!upstream || !downstream) {
      const missing = !upstream ? from : to
      return {
        ok: false,
        reason: 'unresolvable',
        message: `Cannot wire edge ${from} → ${to}: ${missingSpec(missing)}`,
        fix: specSetCommandLine(missing, {
          script: 'PATH',
          inputs: { NAME: 'PATH' },
          outputs: { NAME: 'PATH' },
        }),
      }
    }
    return resolvePorts(edge, upstream, downstream, rootDir, {
      fedElsewhere: this.#fedElsewhere(from, to),
      ...(dag.file ? { dagFile: dag.file } : {}),
    })
  }

  /**
   * Inputs of `to` that something other than `from` feeds: another edge's explicit ports, or
   * a path equal to (or inside) another ancestor's output. They are never guessed for `from`.
   */
  #fedElsewhere(from: string, to: string): Set<string> {
    const fed = new Set<string>()
    const { dag } = this.#source
    for (const parent of dag.getDependencies(to)) {
      if (parent === from) continue
      for (const input of Object.values(dag.getEdge(parent, to)?.ports ?? {})) fed.add(input)
    }
    for (const [name, path] of Object.entries(this.#source.specOf(to)?.inputPaths ?? {})) {
      const provider = this.#pathProvider(to, path)
      if (provider && provider.node !== from) fed.add(name)
    }
    return fed
  }

  #flowPlan(node: string, purpose: ExecutionPurpose): ExecutionPlan {
    const spec = this.#source.specOf(node)
    const bindings: Record<string, InputBinding> = {}
    const feeders = new Map<string, string>()
    const problems: string[] = []
    for (const parent of this.#source.dag.getDependencies(node)) {
      const ports = this.ports(parent, node)
      if (!ports.ok) {
        problems.push(ports.message)
        continue
      }
      for (const wire of ports.wiring) {
        const other = feeders.get(wire.input)
        if (other !== undefined) {
          problems.push(
            `Input "${wire.input}" of ${node} is fed by both ${other} and ${parent}.${wire.output}; ` +
              `say which with "ports" on the edges into ${node} in ${this.#source.dag.file ?? 'the DAG'}.`,
          )
          continue
        }
        feeders.set(wire.input, `${parent}.${wire.output}`)
        bindings[wire.input] = wired(this.flow(parent, purpose), wire)
      }
    }
    for (const [name, path] of Object.entries(spec?.inputPaths ?? {})) {
      if (!(name in bindings))
        bindings[name] = this.#pathBinding(node, path, (upstream) => this.flow(upstream, purpose))
    }
    const failure =
      problems.length > 0
        ? { outcome: 'unresolved-ports' as const, message: problems.join('\n') }
        : undefined
    return this.#plan(node, purpose, bindings, failure)
  }

  #pathBinding(node: string, path: string, planOf: (node: string) => ExecutionPlan): InputBinding {
    const provider = this.#pathProvider(node, path)
    if (!provider) return { kind: 'spec', path: resolve(this.#source.rootDir, path) }
    return wired(planOf(provider.node), { ...provider, via: 'path' })
  }

  /**
   * The ancestor whose declared output is this input's path: an exact match first, then the
   * deepest output folder containing it; among equals, the nearest ancestor (latest in
   * topological order). Looked up in an index of every declared output, so a wide DAG costs
   * one lookup per folder level, not a scan of every ancestor.
   */
  #pathProvider(node: string, inputPath: string): PathProvider | undefined {
    const path = resolve(this.#source.rootDir, inputPath)
    const ancestors = this.#ancestorsOf(node)
    const nearest = (folder: string) =>
      (this.#outputIndex().get(folder) ?? [])
        .filter((candidate) => ancestors.has(candidate.node))
        .sort((a, b) => this.#orderOf(b.node) - this.#orderOf(a.node))[0]
    const exact = nearest(path)
    if (exact) return exact
    for (let folder = dirname(path); folder !== dirname(folder); folder = dirname(folder)) {
      const containing = nearest(folder)
      if (containing) return { ...containing, subpath: relative(folder, path) }
    }
    return undefined
  }

  /** Absolute output path → the (node, output) pairs declaring it, in declaration order. */
  #outputIndex(): Map<string, PathProvider[]> {
    if (!this.#outputs) {
      const { dag, rootDir } = this.#source
      this.#outputs = new Map()
      for (const node of dag.nodes) {
        for (const [output, path] of Object.entries(this.#source.specOf(node)?.outputPaths ?? {})) {
          const key = resolve(rootDir, path)
          const list = this.#outputs.get(key) ?? []
          list.push({ node, output })
          this.#outputs.set(key, list)
        }
      }
    }
    return this.#outputs
  }

  #ancestorsOf(node: string): Set<string> {
    return memo(this.#ancestors, node, () => new Set(this.#source.dag.ancestorsOf(node)))
  }

  #orderOf(node: string): number {
    this.#order ??= new Map(this.#source.dag.topologicalSort().map((name, i) => [name, i]))
    return this.#order.get(node) ?? -1
  }

  /** The node's script: its spec's `script_path` (from the project root), else the DAG's. */
  scriptPathOf(node: string): string | undefined {
    const { dag, rootDir } = this.#source
    const spec = this.#source.specOf(node)
    if (spec?.scriptPath) return resolve(rootDir, spec.scriptPath)
    return dag.hasNode(node) ? dag.scriptPathOf(node) : undefined
  }

  #plan(
    node: string,
    purpose: ExecutionPurpose,
    bindings: Record<string, InputBinding>,
    failure?: ExecutionPlan['failure'],
  ): ExecutionPlan {
    const { rootDir } = this.#source
    const spec = this.#source.specOf(node)
    const scriptPath = this.scriptPathOf(node)
    const noSpec = spec
      ? undefined
      : { outcome: 'invalid-spec' as const, message: capitalize(missingSpec(node)) }
    const known = noSpec ?? failure
    return {
      id: executionId({
        node,
        scriptPath,
        runner: spec?.runner,
        command: spec?.command,
        python: spec?.python,
        environVars: spec?.environVars,
        jobArgs: spec?.jobArgs,
        // Output names and file-like basenames shape what the script is asked to write.
        outputs: Object.fromEntries(
          Object.entries(spec?.outputPaths ?? {}).map(([name, path]) => [
            name,
            isFileLikePath(path) ? path.split(/[\\/]/).at(-1) : '/',
          ]),
        ),
        inputs: Object.fromEntries(
          Object.entries(bindings).map(([name, binding]) => [name, bindingKey(binding)]),
        ),
        failure: known?.message,
      }),
      node,
      purpose,
      spec,
      scriptPath,
      cwd: rootDir,
      bindings,
      ...(known ? { failure: known } : {}),
    }
  }
}

function wired(
  from: ExecutionPlan,
  wire: Pick<PortWiring, 'output' | 'via' | 'subpath'>,
): InputBinding {
  const { output, via, subpath } = wire
  return { kind: 'wired', from, output, via, ...(subpath !== undefined ? { subpath } : {}) }
}

/** The value for `key`, made by `make` the first time it is asked for. */
function memo<K, V>(map: Map<K, V>, key: K, make: () => V): V {
  let value = map.get(key)
  if (value === undefined) {
    value = make()
    map.set(key, value)
  }
  return value
}

function bindingKey(binding: InputBinding): unknown {
  return binding.kind === 'spec'
    ? { path: binding.path }
    : { from: binding.from.id, output: binding.output, subpath: binding.subpath }
}

function missingSpec(node: string): string {
  return `there is no ScriptExecutionSpec for node "${node}". Create one (pipetest init writes defaults) or set it: ${specSetCommandLine(node, { script: 'PATH' })}`
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1)
}
