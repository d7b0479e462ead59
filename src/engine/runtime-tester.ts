import { PipelineDAG, showName } from '../dag/index.js'
import { PipetestError } from '../errors.js'
import {
  runtimeTestingConfigurationSchema,
  scriptExecutionSpecSchema,
  type PipelineTestingSpec,
  type RuntimeTestingConfiguration,
  type RuntimeTestingConfigurationInput,
  type ScriptExecutionSpec,
  type ScriptExecutionSpecInput,
} from '../spec/index.js'
import { PipelineRun, type TierResults } from './pipeline-run.js'
import type { RunOptions } from './run-options.js'
import type { DataCompatibilityResult, PipelineFlowResult, ScriptTestResult } from './results.js'
import { stableStringify } from '../files/json.js'
import { skippedEdgeResult, skippedFlowResult, skippedScriptResult } from './tier-results.js'

/** What cursus' `get_script_main_params` returns; any of it overrides the spec for one test. */
export type MainParams = Partial<
  Pick<ScriptExecutionSpec, 'inputPaths' | 'outputPaths' | 'environVars' | 'jobArgs'>
>

/** Every tier's results, a disabled tier's as `skipped`. */
export type ConfiguredTierResults = Required<TierResults>

/**
 * The plan's RuntimeTester on top of one {@link PipelineRun}: every method shares the run's
 * executions, so testing a script, then its edges, then the flow runs each (node, inputs)
 * pair once. Unlike cursus, the configuration's tier flags are honoured: a disabled tier's
 * methods return `skipped` results without running anything.
 *
 * @example
 * const tester = new RuntimeTester({ pipelineSpec: builder.buildFromDag('pipeline.dag.json') })
 * const result = await tester.testScript('TabularPreprocessing_training')
 * const { flow } = await tester.runConfiguredTiers()
 * await tester.close()
 */
export class RuntimeTester {
  readonly config: RuntimeTestingConfiguration
  readonly pipelineSpec: PipelineTestingSpec
  readonly run: PipelineRun

  constructor(
    config: RuntimeTestingConfiguration | RuntimeTestingConfigurationInput,
    options: RunOptions = {},
  ) {
    const parsed = runtimeTestingConfigurationSchema().safeParse(config)
    if (!parsed.success) {
      throw new PipetestError(
        'USAGE',
        `Invalid RuntimeTestingConfiguration: ${describeIssues(parsed.error)}`,
        {
          hint: 'Build the pipeline spec with PipelineTestingSpecBuilder.buildFromDag(), and pass it as { pipelineSpec }.',
        },
      )
    }
    this.config = parsed.data
    this.pipelineSpec = parsed.data.pipelineSpec
    this.run = new PipelineRun(this.pipelineSpec, options)
  }

  /**
   * Runs one script from its spec. `mainParams` (as from the builder's `getScriptMainParams`)
   * replaces the spec's maps; outputs still go to fresh run folders, under the same names.
   * A spec whose `stepName` is a DAG node runs in the pipeline's context (inputs that are an
   * upstream's output path come from that upstream's run).
   */
  async testScriptWithSpec(
    spec: ScriptExecutionSpec | ScriptExecutionSpecInput,
    mainParams?: MainParams,
  ): Promise<ScriptTestResult> {
    const resolved = { ...parseSpec(spec), ...definedParams(mainParams) }
    if (!this.config.testIndividualScripts) return this.#skippedScript(resolved.stepName, resolved)
    return this.#runWith([resolved]).testScript(resolved.stepName)
  }

  /**
   * Runs B on A's real outputs. The specs' `stepName`s are looked up in the DAG; two specs
   * outside it are tested as a two-node pipeline A → B.
   */
  async testDataCompatibilityWithSpecs(
    specA: ScriptExecutionSpec | ScriptExecutionSpecInput,
    specB: ScriptExecutionSpec | ScriptExecutionSpecInput,
  ): Promise<DataCompatibilityResult> {
    const [a, b] = [parseSpec(specA), parseSpec(specB)]
    if (a.stepName === b.stepName) {
      throw new PipetestError('USAGE', `Both specs name step "${a.stepName}"`, {
        hint: 'Pass the upstream spec first and the downstream spec second; they must be different steps.',
      })
    }
    if (!this.config.testDataCompatibility) {
      return this.#skippedEdge(a.stepName, b.stepName, a.scriptName, b.scriptName)
    }
    return this.#runWith([a, b]).testEdge(a.stepName, b.stepName)
  }

  /** The whole DAG of `pipelineSpec` (default: the configuration's) in topological order. */
  async testPipelineFlowWithSpec(pipelineSpec?: PipelineTestingSpec): Promise<PipelineFlowResult> {
    const run = pipelineSpec ? this.run.withPipeline(pipelineSpec) : this.run
    return this.config.testPipelineFlow ? run.testFlow() : this.#skippedFlow(run)
  }

  /** cursus' `test_script`: a DAG node, or the script name of one of its specs. */
  async testScript(nodeOrScriptName: string): Promise<ScriptTestResult> {
    const node = this.#node(nodeOrScriptName)
    if (!this.config.testIndividualScripts) return this.#skippedScript(node)
    return this.run.testScript(node)
  }

  /** cursus' `test_data_compatibility`: A → B by node or script name. */
  async testDataCompatibility(a: string, b: string): Promise<DataCompatibilityResult> {
    const [from, to] = [this.#node(a), this.#node(b)]
    if (!this.config.testDataCompatibility) return this.#skippedEdge(from, to)
    return this.run.testEdge(from, to)
  }

  /** cursus' `test_pipeline_flow`, on the configuration's pipeline. */
  testPipelineFlow(): Promise<PipelineFlowResult> {
    return this.testPipelineFlowWithSpec()
  }

  /**
   * Every enabled tier at once (shared executions, all cores); a disabled tier gives
   * `skipped` results for each of its tests.
   */
  async runConfiguredTiers(): Promise<ConfiguredTierResults> {
    const { testIndividualScripts, testDataCompatibility, testPipelineFlow } = this.config
    const ran: TierResults = await this.run.runTiers({
      scripts: testIndividualScripts,
      compatibility: testDataCompatibility,
      flow: testPipelineFlow,
    })
    const { dag } = this.pipelineSpec
    const scripts = testIndividualScripts
      ? ran.scripts
      : Object.fromEntries(dag.nodes.map((node) => [node, this.#skippedScript(node)]))
    const edges = testDataCompatibility
      ? ran.edges
      : Object.fromEntries(
          dag.edges.map(({ from, to }) => [`${from}->${to}`, this.#skippedEdge(from, to)]),
        )
    return { scripts, edges, flow: ran.flow ?? this.#skippedFlow(this.run) }
  }

  abort(reason?: string): void {
    this.run.abort(reason)
  }

  /** Marks the run folder and prunes old runs; call once the tests are done. */
  close(state?: 'complete' | 'interrupted'): Promise<void> {
    return this.run.close(state)
  }

  #skippedScript(node: string, spec = this.pipelineSpec.scriptSpecs[node]): ScriptTestResult {
    return skippedScriptResult(node, spec, tierOff('testIndividualScripts'), this.run.runFolder)
  }

  #skippedFlow(run: PipelineRun): PipelineFlowResult {
    const order = run.pipelineSpec.dag.topologicalSort()
    return skippedFlowResult(order, tierOff('testPipelineFlow'), run.runFolder)
  }

  #skippedEdge(
    from: string,
    to: string,
    scriptA = this.#scriptName(from),
    scriptB = this.#scriptName(to),
  ): DataCompatibilityResult {
    return skippedEdgeResult(from, to, scriptA, scriptB, tierOff('testDataCompatibility'))
  }

  #scriptName(node: string): string {
    return this.pipelineSpec.scriptSpecs[node]?.scriptName ?? node
  }

  /**
   * The shared run seen with these specs: the pipeline itself when they are its own specs,
   * the pipeline with them swapped in when they are DAG nodes, else a pipeline of just them
   * (chained in the given order).
   */
  #runWith(specs: ScriptExecutionSpec[]): PipelineRun {
    const { dag, scriptSpecs } = this.pipelineSpec
    if (specs.every((spec) => dag.hasNode(spec.stepName))) {
      const same = specs.every(
        (spec) => stableStringify(spec) === stableStringify(scriptSpecs[spec.stepName]),
      )
      if (same) return this.run
      const overrides = Object.fromEntries(specs.map((spec) => [spec.stepName, spec]))
      return this.run.withPipeline({
        ...this.pipelineSpec,
        scriptSpecs: { ...scriptSpecs, ...overrides },
      })
    }
    const adHoc = new PipelineDAG({ name: specs.map((spec) => spec.stepName).join(' → ') })
    for (const spec of specs) adHoc.addNode(spec.stepName)
    for (let i = 1; i < specs.length; i++) adHoc.addEdge(specs[i - 1]!.stepName, specs[i]!.stepName)
    return this.run.withPipeline({
      ...this.pipelineSpec,
      dag: adHoc,
      scriptSpecs: Object.fromEntries(specs.map((spec) => [spec.stepName, spec])),
    })
  }

  #node(nameOrScript: string): string {
    const { dag, scriptSpecs } = this.pipelineSpec
    if (dag.hasNode(nameOrScript)) return nameOrScript
    const byScript = dag.nodes.find((node) => scriptSpecs[node]?.scriptName === nameOrScript)
    if (byScript !== undefined) return byScript
    throw new PipetestError(
      'UNKNOWN_NODE',
      `"${showName(nameOrScript)}" is neither a DAG node nor the script of one`,
      {
        node: nameOrScript,
        ...(dag.file ? { file: dag.file } : {}),
        hint: `Use a node (${dag.nodes.join(', ')}) or its script name.`,
      },
    )
  }
}

function parseSpec(spec: ScriptExecutionSpec | ScriptExecutionSpecInput): ScriptExecutionSpec {
  const parsed = scriptExecutionSpecSchema().safeParse(spec)
  if (parsed.success) return parsed.data
  throw new PipetestError(
    'SPEC_INVALID',
    `Invalid ScriptExecutionSpec: ${describeIssues(parsed.error)}`,
    {
      hint: 'Load specs with the builder (getScriptSpecByName) or pass scriptName, stepName and path maps.',
    },
  )
}

function describeIssues(error: {
  issues: Array<{ path: PropertyKey[]; message: string }>
}): string {
  return error.issues
    .map((issue) => `${issue.path.map(String).join('.') || '(root)'}: ${issue.message}`)
    .join('; ')
}

function definedParams(params: MainParams | undefined): MainParams {
  return Object.fromEntries(Object.entries(params ?? {}).filter(([, value]) => value !== undefined))
}

function tierOff(flag: string): string {
  return `${flag} is false in the RuntimeTestingConfiguration.`
}
