import { isAbsolute, resolve } from 'node:path'
import { withProjectConfig } from '../config/index.js'
import { PipelineDAG, showName, type DagSource } from '../dag/index.js'
import type { PipelineRun } from '../engine/pipeline-run.js'
import type { PipelineFlowResult, ScriptTestResult } from '../engine/results.js'
import {
  DEFAULT_TEST_DATA_DIR,
  scriptExecutionSpecSchema,
  type PipelineTestingSpec,
  type ScriptExecutionSpec,
  type ScriptExecutionSpecInput,
} from '../spec/index.js'
import { attachPipelineContext } from './context.js'
import { openPipeline } from './plan.js'
import { testUsageError } from './user-error.js'
import {
  registeredPipelines,
  registerPipeline,
  sharedRunOf,
  type SharedPipeline,
} from './shared-runs.js'

/** Options of the helpers for hand-written tests. */
export interface RunHelperOptions {
  /** The pipeline. Optional for `runScript(node)` when the test file uses exactly one pipeline. */
  dag?: DagSource
  /** Project root. Default: `process.cwd()`. */
  rootDir?: string
  /** Test data dir relative to `rootDir`. Default: `test/integration/runtime`. */
  testDataDir?: string
  python?: string
  timeoutSeconds?: number
  concurrency?: number
}

/**
 * Partial changes to a node's spec for one `runScript` call, merged key by key onto it: a
 * variation runs as its own execution, in its own run folder, and leaves the spec file alone.
 */
export interface ScriptOverrides {
  environVars?: Record<string, string | number | boolean>
  jobArgs?: Record<string, unknown>
  /** Paths relative to `rootDir`, as in a spec. */
  inputPaths?: Record<string, string>
  outputPaths?: Record<string, string>
}

/**
 * Runs one script as the scripts tier does — on its spec inputs, into fresh output folders —
 * and returns the result with its pipeline attached, for the matchers. `nodeOrSpec` is a DAG
 * node, a script name, or a spec object (run on its own, or in place of the node's spec when
 * `dag` has a node named like its `stepName`). Executions are shared with every other test of
 * the file on the same pipeline.
 *
 * `environVars`, `jobArgs`, `inputPaths` and `outputPaths` in `options` vary the node's spec
 * for this call only (see {@link ScriptOverrides}).
 *
 * @example
 * const result = await runScript('Preprocess', { dag: 'pipeline.dag.json' })
 * expect(result).toProduceOutputsFor('Train')
 * const strict = await runScript('Preprocess', { environVars: { MIN_AMOUNT: 10 } })
 */
export async function runScript(
  nodeOrSpec: string | ScriptExecutionSpecInput,
  options: RunHelperOptions & ScriptOverrides = {},
): Promise<ScriptTestResult> {
  const base =
    typeof nodeOrSpec === 'string'
      ? nodeTarget(nodeOrSpec, options)
      : specTarget(parseSpec(nodeOrSpec), options)
  const target = withOverrides(base, options)
  const result = await target.run.testScript(target.node)
  return attachPipelineContext(result, {
    run: target.run,
    pipelineSpec: target.run.pipelineSpec,
    pipelineName: target.pipelineName,
  })
}

/**
 * Runs the whole DAG in topological order, inputs wired along its edges (the flow tier), and
 * returns the flow result with its pipeline attached.
 *
 * @example
 * expect(await runPipeline('pipeline.dag.json')).toRunSuccessfully()
 */
export async function runPipeline(
  dag: DagSource,
  options: Omit<RunHelperOptions, 'dag'> = {},
): Promise<PipelineFlowResult> {
  const pipeline = pipelineFor(dag, options)
  const run = sharedRunOf(pipeline)
  const result = await run.testFlow()
  return attachPipelineContext(result, {
    run,
    pipelineSpec: pipeline.pipelineSpec,
    pipelineName: pipeline.pipelineName,
  })
}

function pipelineFor(source: DagSource, given: RunHelperOptions): SharedPipeline {
  const { options, dag, builder } = openPipeline(source, given)
  const pipelineSpec = builder.buildFromDag(dag, { validate: false })
  return registerPipeline(pipelineSpec, options)
}

interface Target {
  run: PipelineRun
  node: string
  pipelineName: string
}

/** A node (or script name) of the given pipeline, or of the one pipeline this file uses. */
function nodeTarget(name: string, options: RunHelperOptions): Target {
  const candidates =
    options.dag === undefined ? registeredPipelines() : [pipelineFor(options.dag, options)]
  const found = candidates
    .map((pipeline) => ({ pipeline, node: nodeNamed(pipeline.pipelineSpec, name) }))
    .filter(
      (match): match is { pipeline: SharedPipeline; node: string } => match.node !== undefined,
    )
  const distinct = new Set(found.map((match) => match.pipeline.pipelineSpec.dag))
  if (found.length > 0 && distinct.size === 1) {
    const { pipeline, node } = found[0]!
    return { run: sharedRunOf(pipeline), node, pipelineName: pipeline.pipelineName }
  }
  if (options.dag !== undefined) {
    const dag = candidates[0]!.pipelineSpec.dag
    throw testUsageError(
      'UNKNOWN_NODE',
      `"${showName(name)}" is neither a node nor a script of the DAG`,
      {
        ...(dag.file ? { file: dag.file } : {}),
        hint: `Use one of its nodes: ${dag.nodes.join(', ')}.`,
      },
    )
  }
  throw testUsageError(
    'USAGE',
    found.length === 0
      ? `runScript("${name}") does not know which pipeline "${name}" belongs to`
      : `runScript("${name}") is ambiguous: ${distinct.size} pipelines of this test file have it`,
    { hint: `Pass the DAG: runScript("${name}", { dag: "path/to/pipeline.dag.json" }).` },
  )
}

/** The node itself, else the single node whose spec runs the script named `name`. */
function nodeNamed(pipelineSpec: PipelineTestingSpec, name: string): string | undefined {
  if (pipelineSpec.dag.hasNode(name)) return name
  const matches = Object.entries(pipelineSpec.scriptSpecs)
    .filter(([, spec]) => spec.scriptName === name)
    .map(([node]) => node)
  return matches.length === 1 ? matches[0] : undefined
}

/**
 * A spec object: in place of its node's spec when `dag` has that node — on the pipeline's
 * shared run, so edges and the matchers still see the pipeline — else as a one-node pipeline
 * of its own.
 */
function specTarget(spec: ScriptExecutionSpec, given: RunHelperOptions): Target {
  const options = withProjectConfig(given)
  const { rootDir } = options
  const resolved: ScriptExecutionSpec =
    spec.scriptPath === undefined || isAbsolute(spec.scriptPath)
      ? spec
      : { ...spec, scriptPath: resolve(rootDir, spec.scriptPath) }
  const node = spec.stepName
  if (options.dag !== undefined) {
    const pipeline = pipelineFor(options.dag, options)
    const base = pipeline.pipelineSpec
    if (base.dag.hasNode(node)) {
      const pipelineSpec = { ...base, scriptSpecs: { ...base.scriptSpecs, [node]: resolved } }
      const run = sharedRunOf(pipeline).withPipeline(pipelineSpec)
      return { run, node, pipelineName: pipeline.pipelineName }
    }
  }
  const dag = new PipelineDAG({ name: node, baseDir: rootDir }).addNode(node)
  const pipelineSpec: PipelineTestingSpec = {
    dag,
    scriptSpecs: { [node]: resolved },
    testWorkspaceRoot: resolve(rootDir, options.testDataDir ?? DEFAULT_TEST_DATA_DIR),
    rootDir,
  }
  const pipeline = registerPipeline(pipelineSpec, options)
  return { run: sharedRunOf(pipeline), node, pipelineName: pipeline.pipelineName }
}

/** The target with its node's spec varied by `overrides` (the same target when there are none). */
function withOverrides(target: Target, overrides: ScriptOverrides): Target {
  const maps = ['environVars', 'jobArgs', 'inputPaths', 'outputPaths'] as const
  if (maps.every((key) => overrides[key] === undefined)) return target
  const pipelineSpec = target.run.pipelineSpec
  const spec = pipelineSpec.scriptSpecs[target.node]!
  const varied: ScriptExecutionSpecInput = { ...spec }
  for (const key of maps) {
    if (overrides[key] !== undefined) {
      Object.assign(varied, { [key]: { ...spec[key], ...overrides[key] } })
    }
  }
  const run = target.run.withPipeline({
    ...pipelineSpec,
    scriptSpecs: { ...pipelineSpec.scriptSpecs, [target.node]: parseSpec(varied) },
  })
  return { ...target, run }
}

function parseSpec(input: ScriptExecutionSpecInput): ScriptExecutionSpec {
  const result = scriptExecutionSpecSchema().safeParse(input)
  if (result.success) return result.data
  const issue = result.error.issues[0]
  const field = issue?.path.map(String).join('.') ?? ''
  throw testUsageError(
    'SPEC_INVALID',
    `runScript got an invalid spec: ${field ? `${field}: ` : ''}${issue?.message ?? 'invalid'}`,
    {
      field,
      hint: 'Pass { scriptName, stepName, scriptPath, inputPaths, outputPaths } (camelCase), or a node name.',
    },
  )
}
