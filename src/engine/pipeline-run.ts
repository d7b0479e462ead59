import { resolve } from 'node:path'
import { prewarmPython, scriptsToPreload } from '../runners/index.js'
import { PipetestError } from '../errors.js'
import { showName } from '../dag/index.js'
import { specsDirOf, type PipelineTestingSpec } from '../spec/index.js'
import type { PipelineEvent } from './events.js'
import { ExecutionEngine } from './execution-engine.js'
import { ExecutionPlanner } from './planner.js'
import type { PortResolution } from './ports.js'
import type { RunOptions } from './run-options.js'
import { writeRunRecord } from './run-record.js'
import type {
  DataCheck,
  DataCompatibilityResult,
  ExecutionResult,
  PortWiring,
  PipelineFlowResult,
  ScriptTestResult,
} from './results.js'
import { checkPortData } from './data-checks.js'
import { toEdgeResult, toFlowResult, toScriptTestResult, wiredPaths } from './tier-results.js'

export interface TierSelection {
  scripts?: boolean
  compatibility?: boolean
  flow?: boolean
  /** Only these nodes' script tests and the edges between them; the flow is always the whole DAG. */
  nodes?: string[]
}

export interface TierResults {
  scripts: Record<string, ScriptTestResult>
  /** Keyed `"A->B"`. */
  edges: Record<string, DataCompatibilityResult>
  flow?: PipelineFlowResult
}

const ENGINE = Symbol('engine')

/**
 * One test run of one pipeline: every tier's tests ask it for executions, and identical
 * executions (same node, same inputs) happen once and are shared. Independent nodes run in
 * parallel up to `concurrency`; a node whose upstream failed is `blocked` by that node.
 *
 * @example
 * const run = new PipelineRun(pipelineSpec, { concurrency: 4 })
 * const { scripts, edges, flow } = await run.runTiers({ scripts: true, compatibility: true, flow: true })
 * await run.close()
 */
export class PipelineRun {
  readonly pipelineSpec: PipelineTestingSpec
  readonly rootDir: string
  readonly testDataDir: string
  readonly #engine: ExecutionEngine
  readonly #planner: ExecutionPlanner
  /** What this run's tests got, for the run folder's `results.json` (see run-record.ts). */
  readonly #recorded: TierResults = { scripts: {}, edges: {} }
  readonly #record: boolean

  constructor(
    pipelineSpec: PipelineTestingSpec,
    options: RunOptions & { [ENGINE]?: ExecutionEngine } = {},
  ) {
    // A cycle or an empty DAG is a user mistake: say so now, with the cycle, not mid-run.
    pipelineSpec.dag.validate()
    this.pipelineSpec = pipelineSpec
    this.rootDir = resolve(pipelineSpec.rootDir)
    this.testDataDir = resolve(this.rootDir, pipelineSpec.testWorkspaceRoot)
    this.#engine = options[ENGINE] ?? new ExecutionEngine(this.testDataDir, options)
    this.#planner = new ExecutionPlanner({
      dag: pipelineSpec.dag,
      specOf: (node) => pipelineSpec.scriptSpecs[node],
      rootDir: this.rootDir,
    })
    // A run seen through another spec (withPipeline) shares the folder, not the pipeline.
    this.#record = options[ENGINE] === undefined
    // A file pipetest depends on that changes during an execution fails it (`project-modified`).
    Object.assign(this.#engine.projectFiles, this.#projectFiles())
    this.#prewarmPython(options.pythonWorker === undefined && this.#record)
  }

  /**
   * The Python scripts' libraries start loading in the preloading worker now (runners/
   * python-worker.ts), while the run plans and hashes, not when each script first runs —
   * with the cache on, when the first execution misses it (a run the cache serves whole
   * starts no interpreter), unless the cache holds nothing yet. Unless the pipeline has a
   * single Python script (`auto`: the run option is unset): its one execution would wait for
   * the worker's start and gain nothing from it, so it runs in a fresh interpreter (or a
   * worker already running), saying so.
   */
  #prewarmPython(auto: boolean): void {
    const { python, pythonWorker } = this.#engine.options
    const { dag, scriptSpecs } = this.pipelineSpec
    const scriptsOf = scriptsToPreload(
      dag.nodes.map((node) => ({
        ...scriptSpecs[node],
        scriptPath: this.#planner.scriptPathOf(node),
      })),
      python,
    )
    if (auto && [...scriptsOf.values()].flat().length === 1) {
      this.#engine.options.pythonWorker = 'if-running'
      return
    }
    const prewarm = () => {
      for (const [interpreter, scripts] of scriptsOf) {
        void prewarmPython(interpreter, scripts, pythonWorker !== false)
      }
    }
    // An empty cache serves nothing: every execution will run, so the worker can start now.
    if (this.#engine.cache && !this.#engine.cache.isEmpty()) this.#engine.beforeFirstRun(prewarm)
    else prewarm()
  }

  /** The files this run depends on: the DAG file, the specs folder, every node's script. */
  #projectFiles(): Record<string, string> {
    const { dag } = this.pipelineSpec
    const files: Record<string, string> = { specs: specsDirOf(this.testDataDir) }
    if (dag.file) files.DAG = resolve(dag.file)
    for (const node of dag.nodes) {
      const script = this.#planner.scriptPathOf(node)
      if (script) files[`script of ${node}`] = script
    }
    return files
  }

  /**
   * The same run (folder, shared executions, concurrency limit, abort) seen through another
   * pipeline spec — used to test specs that differ from the pipeline's own.
   */
  withPipeline(pipelineSpec: PipelineTestingSpec): PipelineRun {
    return new PipelineRun(pipelineSpec, { [ENGINE]: this.#engine })
  }

  /** `<testDataDir>/.pipetest/runs/<runId>` (created by the first execution). */
  get runFolder(): string {
    return this.#engine.workspace.runFolder
  }

  get runId(): string {
    return this.#engine.workspace.runId
  }

  /** Script processes started so far; shared executions count once. */
  get executionCount(): number {
    return this.#engine.scheduler.executionCount
  }

  /** Every progress event so far, in order. */
  get events(): readonly PipelineEvent[] {
    return this.#engine.scheduler.events
  }

  /** Calls `listener` for every later event; returns the unsubscribe function. */
  subscribe(listener: (event: PipelineEvent) => void): () => void {
    return this.#engine.scheduler.subscribe(listener)
  }

  /** Node on its spec inputs (inputs that are an ancestor's output path come from its run). */
  async testScript(node: string): Promise<ScriptTestResult> {
    this.#assertNode(node)
    const result = toScriptTestResult(await this.#engine.execute(this.#planner.script(node)))
    this.#recorded.scripts[node] = result
    return result
  }

  /**
   * Edge A → B: B run on A's real outputs (A's flow execution), wired by the edge's ports.
   * Works for any two nodes, tested as if the edge existed.
   */
  async testEdge(from: string, to: string): Promise<DataCompatibilityResult> {
    this.#assertNode(from)
    this.#assertNode(to)
    const plan = this.#planner.edge(from, to)
    const evidence = this.#edgeEvidence(from, to, plan.ports)
    let result: DataCompatibilityResult
    if (!plan.ports.ok) {
      result = toEdgeResult(evidence)
    } else {
      const [upstream, downstream] = await Promise.all([
        this.#engine.execute(plan.upstream),
        plan.downstream ? this.#engine.execute(plan.downstream) : undefined,
      ])
      // A failed only its output contract: its outputs are there, so the edge can still say
      // whether B's input contract takes them (B itself is blocked).
      const inputChecks =
        upstream.outcome === 'output-contract'
          ? await this.#edgeInputChecks(to, upstream, plan.ports.wiring)
          : undefined
      result = toEdgeResult({
        ...evidence,
        upstream,
        ...(downstream ? { downstream } : {}),
        ...(inputChecks ? { inputChecks } : {}),
      })
    }
    this.#recorded.edges[`${from}->${to}`] = result
    return result
  }

  /** The whole DAG, inputs wired along the edges; executionOrder is the topological order. */
  async testFlow(): Promise<PipelineFlowResult> {
    const { dag } = this.pipelineSpec
    const order = dag.topologicalSort()
    const flowOf = (node: string) => this.#engine.execute(this.#planner.flow(node))
    const executed = await Promise.all(order.map(flowOf))
    const results = Object.fromEntries(order.map((node, i) => [node, executed[i]!]))
    const edges: Record<string, DataCompatibilityResult> = {}
    for (const { from, to } of dag.edges) {
      edges[`${from}->${to}`] = toEdgeResult({
        ...this.#edgeEvidence(from, to, this.#planner.ports(from, to)),
        upstream: results[from]!,
        downstream: results[to]!,
      })
    }
    const flow = toFlowResult({ order, results, edges, runFolder: this.runFolder })
    this.#recorded.flow = flow
    return flow
  }

  /** How the outputs of `from` feed the inputs of `to` (no execution). */
  resolvePorts(from: string, to: string): PortResolution {
    this.#assertNode(from)
    this.#assertNode(to)
    return this.#planner.ports(from, to)
  }

  /**
   * Starts everything the enabled tiers need at once — the scheduler keeps every core busy
   * and runs shared executions once — and resolves when all have settled.
   */
  async runTiers(tiers: TierSelection): Promise<TierResults> {
    const { dag } = this.pipelineSpec
    const nodes = tiers.nodes ?? dag.nodes
    nodes.forEach((node) => this.#assertNode(node))
    const selected = new Set(nodes)
    const edges = dag.edges.filter(({ from, to }) => selected.has(from) && selected.has(to))
    // Requested in this order, an execution shared by several tiers is labelled by the first:
    // the flow before the edges, so an edge's upstream reads "(flow)" when the flow runs too.
    const scriptsDone = tiers.scripts ? Promise.all(nodes.map((node) => this.testScript(node))) : []
    const flowDone = tiers.flow ? this.testFlow() : undefined
    const edgesDone = tiers.compatibility
      ? Promise.all(edges.map(({ from, to }) => this.testEdge(from, to)))
      : []
    const [scripts, edgeResults, flow] = await Promise.all([scriptsDone, edgesDone, flowDone])
    return {
      scripts: Object.fromEntries(scripts.map((result) => [result.node, result])),
      edges: Object.fromEntries(
        edgeResults.map((result) => [`${result.from}->${result.to}`, result]),
      ),
      ...(flow ? { flow } : {}),
    }
  }

  /** Kills every running process tree; executions not yet started end as `aborted`. */
  abort(reason?: string): void {
    this.#engine.abort(reason)
  }

  /**
   * Waits for running executions, writes the run folder's `results.json` (when a test got a
   * result), marks the folder and prunes old runs (keepRuns).
   */
  async close(state: 'complete' | 'interrupted' = 'complete'): Promise<void> {
    if (this.#record) {
      if (state === 'interrupted') this.#engine.abort('run interrupted')
      await this.#engine.scheduler.settled()
      this.#writeRecord(state)
    }
    return this.#engine.close(state)
  }

  #edgeInputChecks(
    to: string,
    upstream: ExecutionResult,
    wiring: PortWiring[],
  ): Promise<DataCheck[]> {
    const wired = wiredPaths(wiring, upstream).filter((wire) => wire.path !== undefined)
    return checkPortData(
      'input',
      this.pipelineSpec.scriptSpecs[to]?.inputContracts,
      Object.fromEntries(wired.map((wire) => [wire.input, wire.path!])),
      Object.fromEntries(
        wired.map((wire) => [wire.input, { node: upstream.node, output: wire.output }]),
      ),
    )
  }

  #writeRecord(state: 'complete' | 'interrupted'): void {
    const { scripts, edges, flow } = this.#recorded
    if (Object.keys(scripts).length + Object.keys(edges).length === 0 && !flow) return
    // A run that started no process leaves no trace (no folder): nothing to record either.
    if (!this.#engine.workspace.created) return
    const { dag, scriptSpecs } = this.pipelineSpec
    try {
      writeRunRecord({
        tool: 'pipetest',
        kind: 'run-results',
        version: 1,
        runId: this.runId,
        runDir: this.runFolder,
        state,
        pipeline: dag.name ?? null,
        dagFile: dag.file ?? null,
        rootDir: this.rootDir,
        testDataDir: this.testDataDir,
        recordedAt: new Date().toISOString(),
        dag: dag.toJSON(),
        specs: scriptSpecs,
        scripts,
        edges,
        flow: flow ?? null,
      })
    } catch {
      // The record feeds reports; a full disk must not turn passed tests into failures.
    }
  }

  #assertNode(node: string): void {
    const { dag } = this.pipelineSpec
    if (dag.hasNode(node)) return
    throw new PipetestError('UNKNOWN_NODE', `Node "${showName(node)}" is not in the DAG`, {
      node,
      ...(dag.file ? { file: dag.file } : {}),
      hint: `Use one of: ${dag.nodes.join(', ')}.`,
    })
  }

  #edgeEvidence(from: string, to: string, ports: PortResolution) {
    return { from, to, scriptA: this.#scriptName(from), scriptB: this.#scriptName(to), ports }
  }

  #scriptName(node: string): string {
    return this.pipelineSpec.scriptSpecs[node]?.scriptName ?? node
  }
}
