import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import { loadDag, type DagSource } from '../dag/load.js'
import { PipelineDAG } from '../dag/pipeline-dag.js'
import { PipetestError, isPipetestError } from '../errors.js'
import type { PipelineTestingSpec } from '../spec/pipeline-testing-spec.js'
import type {
  ScriptExecutionSpec,
  ScriptExecutionSpecInput,
} from '../spec/script-execution-spec.js'
import { DEFAULT_TEST_DATA_DIR } from '../spec/test-data-dir.js'
import {
  listSpecNames,
  loadSpecFile,
  saveSpecFile,
  specFilePath,
  specsDirOf,
} from '../spec/spec-store.js'
import { parseScriptSpec } from '../spec/spec-codec.js'
import {
  isSpecComplete,
  specIssues,
  problemsOfNode,
  upstreamOutputs,
  specsIncompleteError,
} from './completeness.js'
import type { SpecProblem } from './spec-problem.js'
import { createMissingSpecs, type SpecCreation, type SpecTemplate } from './missing-specs.js'
import {
  resolveNodeDetailed,
  type BuilderPaths,
  type DetailedResolution,
  type NodeResolution,
} from './resolve-node.js'
import { SpecCatalog } from './spec-catalog.js'
import { identityProblems } from './spec-identity.js'
import { displayPath } from '../text.js'
import { isRecord } from '../files/json.js'
import { matchStepToSpec } from './spec-matching.js'

export interface BuilderOptions {
  /** Project root; relative spec paths are resolved against it. Default: `process.cwd()`. */
  rootDir?: string
  /** Test data dir, relative to rootDir (holds `.specs/`). Default: `test/integration/runtime`. */
  testDataDir?: string
  /**
   * The spec files' folder, relative to rootDir. Default: `<testDataDir>/.specs`, or
   * `<testDataDir>/specs` when only that one holds spec files (cursus's later layout).
   */
  specsDir?: string | undefined
  /**
   * Write a default spec file for each node that has none when building. Never over an
   * existing file, and never when the `CI` environment variable is set (CI must not
   * change the repository it tests; `CI=false` and `CI=0` count as unset). A default
   * written this way is the node's spec from then on: it is no longer a "missing spec".
   */
  persistDefaults?: boolean
}

export interface UpdateSpecOptions {
  /** Replace `inputPaths`, `outputPaths`, `environVars` and `jobArgs` instead of merging key by key. */
  replaceMaps?: boolean
  /** The DAG the node belongs to (its declared `script` decides which spec file is updated). */
  dag?: DagSource
}

/** One node of a {@link DagReport}: how it resolves and what keeps it from being tested. */
export interface NodeReport {
  node: string
  /** What {@link PipelineTestingSpecBuilder.resolveNode} returns; a default when `error` is set. */
  resolution: NodeResolution
  /** The spec file the node would use cannot be loaded: what `resolveNode` throws for it. */
  error?: PipetestError
  /** The node's spec problems (as {@link PipelineTestingSpecBuilder.checkSpecs}); none when ready. */
  problems: SpecProblem[]
}

/** Every node of a DAG resolved with one read of the specs folder. */
export interface DagReport {
  dag: PipelineDAG
  /** One per node, in the DAG's node order. */
  nodes: NodeReport[]
  /** Every problem of every node, in the order `checkSpecs` returns them. */
  problems: SpecProblem[]
}

/** The four arguments a script's `main` receives. */
export type ScriptMainParams = Pick<
  ScriptExecutionSpec,
  'inputPaths' | 'outputPaths' | 'environVars' | 'jobArgs'
>

/**
 * Builds a {@link PipelineTestingSpec} from a DAG by finding each node's spec, and manages
 * the user-owned spec files under `<testDataDir>/.specs/` (or where {@link BuilderOptions.specsDir} says).
 *
 * Constructing it touches nothing on disk (cursus created five folders); defaults stay in
 * memory unless `persistDefaults` is set; every problem of every node is reported at once,
 * each with the command that fixes it.
 *
 * @example
 * const builder = new PipelineTestingSpecBuilder({ rootDir: '/repo' })
 * builder.checkSpecs('pipelines/fraud.dag.json') // [] when every node is ready
 * const pipelineSpec = builder.buildFromDag('pipelines/fraud.dag.json')
 */
export class PipelineTestingSpecBuilder {
  readonly rootDir: string
  readonly testDataDir: string
  readonly specsDir: string
  readonly persistDefaults: boolean
  /** The folders every resolution and report works with. */
  readonly #paths: BuilderPaths

  constructor(options: BuilderOptions = {}) {
    this.rootDir = resolve(options.rootDir ?? process.cwd())
    this.testDataDir = resolve(this.rootDir, options.testDataDir ?? DEFAULT_TEST_DATA_DIR)
    this.specsDir = specsDirOf(
      this.testDataDir,
      options.specsDir === undefined ? undefined : resolve(this.rootDir, options.specsDir),
    )
    this.persistDefaults = options.persistDefaults ?? false
    this.#paths = {
      rootDir: this.rootDir,
      testDataDir: this.testDataDir,
      specsDir: this.specsDir,
      testDataDirForSpecs: displayPath(this.testDataDir, this.rootDir),
    }
  }

  /**
   * A spec per DAG node. With `validate` (the default) it throws one
   * PipetestError('SPECS_INCOMPLETE') listing every problem of every node; without it the
   * nodes without a usable spec get defaults and {@link checkSpecs} tells what is wrong.
   * A found script's path is absolute in the returned specs.
   */
  buildFromDag(source: DagSource, options: { validate?: boolean } = {}): PipelineTestingSpec {
    const dag = loadDag(source, this.rootDir)
    const resolved = this.#resolveForBuild(dag)
    if (options.validate ?? true) {
      const problems = this.#report(dag, resolved).problems
      if (problems.length > 0) throw specsIncompleteError(problems, dag)
    }
    return this.#pipelineSpec(dag, resolved)
  }

  /**
   * `buildFromDag(source, { validate: false })`, `checkSpecs` and `resolveNode` for every node
   * in one pass: each spec file is read once, where calling them one after another resolves
   * the DAG again each time. The problems are those of the specs as built (a default written
   * by `persistDefaults` is the node's spec file). Never throws for a spec problem.
   *
   * @example
   * const { pipelineSpec, problems, nodes } = builder.buildFromDagWithReport('pipeline.dag.json')
   */
  buildFromDagWithReport(source: DagSource): DagReport & { pipelineSpec: PipelineTestingSpec } {
    const dag = loadDag(source, this.rootDir)
    const resolved = this.#resolveForBuild(dag)
    return { ...this.#report(dag, resolved), pipelineSpec: this.#pipelineSpec(dag, resolved) }
  }

  /**
   * How one node resolves to a spec and a script. Throws PipetestError for a node that is not
   * in the DAG and for a spec file that the node would use but that cannot be loaded. Reads
   * every spec file: for many nodes use {@link resolveNodes}, which reads them once.
   */
  resolveNode(dag: DagSource, node: string): NodeResolution {
    return resolved(this.#resolve(loadDag(dag, this.rootDir), node))
  }

  /**
   * Every node's resolution and problems, reading each spec file once: `resolveNode` and
   * `checkSpecs` for the whole DAG. A spec file that cannot be loaded does not throw: the
   * node's report carries the error `resolveNode` would throw. Writes nothing.
   */
  resolveNodes(source: DagSource): DagReport {
    const dag = loadDag(source, this.rootDir)
    return this.#report(dag, this.#resolveAll(dag))
  }

  /** Every spec problem of every node (missing, incomplete, invalid, script not found…). */
  checkSpecs(source: DagSource): SpecProblem[] {
    return this.resolveNodes(source).problems
  }

  /** Throws PipetestError('SPECS_INCOMPLETE') listing all problems, grouped per node. */
  validateSpecsCompleteness(source: DagSource): void {
    const { dag, problems } = this.resolveNodes(source)
    if (problems.length > 0) throw specsIncompleteError(problems, dag)
  }

  /**
   * Writes a default spec file for every node that has none (what `pipetest init` does),
   * never over an existing file, even in CI (this is an explicit request, unlike
   * `persistDefaults`). Nodes are resolved in DAG order, each seeing the files written for
   * the nodes before it: a node running the same script as an earlier one shares its file.
   * With `specFor`, a new spec is what it returns for the default (init fills it from the
   * script's contract), and nodes come in topological order so parents' specs are known.
   */
  createMissingSpecs(source: DagSource, options: { specFor?: SpecTemplate } = {}): SpecCreation[] {
    return this.planMissingSpecs(source).create(options.specFor)
  }

  /**
   * The nodes {@link createMissingSpecs} would write a spec for (with the script each runs,
   * for reading its contract first), and `create`, which writes them. Both share one read of
   * the specs folder, so no spec file is read twice.
   */
  planMissingSpecs(source: DagSource): {
    missing: NodeResolution[]
    create(specFor?: SpecTemplate): SpecCreation[]
  } {
    const dag = loadDag(source, this.rootDir)
    const catalog = new SpecCatalog(this.specsDir)
    const missing = dag.nodes
      .map((node) => this.#resolve(dag, node, catalog))
      .filter(({ resolution, invalid }) => !invalid && resolution.source === 'default')
      .map(({ resolution }) => resolution)
    return {
      missing,
      create: (specFor) =>
        createMissingSpecs(
          // A template may wire a node's inputs to its parents' outputs: parents come first.
          specFor ? dag.topologicalSort() : dag.nodes,
          (node) => this.#resolve(dag, node, catalog),
          catalog,
          specFor,
        ),
    }
  }

  /** Names its script and step, declares an output and has no blank path. */
  isSpecComplete(spec: ScriptExecutionSpec): boolean {
    return isSpecComplete(spec)
  }

  /** Validates and saves a spec atomically (sets `lastUpdated`); returns the saved spec and file. */
  saveScriptSpec(spec: ScriptExecutionSpecInput): { spec: ScriptExecutionSpec; file: string } {
    return saveSpecFile(parseScriptSpec(spec, spec.stepName), this.specsDir)
  }

  /**
   * Loads the node's spec (or starts from its default), applies `updates`, validates and saves
   * it atomically. Maps are merged key by key unless `replaceMaps`; unknown keys of the file
   * are kept. On any error nothing is written.
   *
   * @example
   * builder.updateScriptSpec('TabularPreprocessing_training', { inputPaths: { data_input: 'data/raw' } })
   */
  updateScriptSpec(
    node: string,
    updates: Partial<ScriptExecutionSpec>,
    options: UpdateSpecOptions = {},
  ): ScriptExecutionSpec {
    return this.updateNodeSpec(node, updates, options).spec
  }

  /**
   * {@link updateScriptSpec}, returning how the node resolves once saved, from one read of
   * the specs folder. `options.check` sees the resolution before anything is written and
   * may throw to refuse the write (the CLI refuses a new spec for an unknown name).
   */
  updateNodeSpec(
    node: string,
    updates: Partial<ScriptExecutionSpec>,
    options: UpdateSpecOptions & { check?: (resolution: NodeResolution) => void } = {},
  ): NodeResolution {
    const dag =
      options.dag === undefined
        ? new PipelineDAG({ baseDir: this.rootDir }).addNode(node)
        : loadDag(options.dag, this.rootDir)
    const resolution = resolved(this.#resolve(dag, node))
    options.check?.(resolution)
    // A node without a spec file starts from placeholder defaults (data_input/data_output):
    // the maps the user gives replace those placeholders instead of joining them.
    const fromDefaults = resolution.specFile === undefined
    const merged = mergeSpec(resolution.spec, updates, options.replaceMaps ?? fromDefaults)
    // An explicit step_name is a rename; otherwise the file keeps its own.
    const target =
      updates.stepName === undefined
        ? resolution
        : { ...resolution, fileStepName: updates.stepName }
    const saved = this.saveNodeSpec(target, merged)
    return {
      ...resolution,
      spec: saved.spec,
      specFile: saved.file,
      fileStepName: saved.spec.stepName,
      ...(resolution.source === 'default' ? { source: 'step-name' as const } : {}),
    }
  }

  /**
   * Saves `spec` as the node's spec: into the file the node resolves to (the one `spec show`
   * shows and the run reads), or a new `<script>_runtime_test_spec.json` for a node without
   * one. The file keeps its own `step_name` (a file shared by two nodes is not handed from
   * one to the other). Values `validate` would reject (an output over an input) are refused
   * with its message, unless the spec had them already; nothing is written then.
   */
  saveNodeSpec(
    resolution: NodeResolution,
    spec: ScriptExecutionSpecInput,
  ): { spec: ScriptExecutionSpec; file: string } {
    const { node } = resolution
    const parsed = parseScriptSpec({ ...spec, stepName: resolution.fileStepName ?? node }, node)
    const before = new Set(specIssues(resolution.spec, this.rootDir).map((issue) => issue.message))
    const added = specIssues(parsed, this.rootDir).filter((issue) => !before.has(issue.message))
    if (added.length > 0) {
      throw new PipetestError(
        'SPEC_INVALID',
        `The spec for "${node}" was not saved: ${added.map((issue) => issue.message).join('; ')}`,
        {
          node,
          ...(resolution.specFile ? { file: resolution.specFile } : {}),
          hint: 'Nothing was written. Give values that `pipetest validate` accepts and try again.',
        },
      )
    }
    return saveSpecFile(parsed, this.specsDir, { file: resolution.specFile })
  }

  /** Script names that have a spec file, sorted. */
  listSavedSpecs(): string[] {
    return listSpecNames(this.specsDir)
  }

  /** The saved spec of a script, or undefined when it has none; a broken file throws. */
  getScriptSpecByName(scriptName: string): ScriptExecutionSpec | undefined {
    const file = specFilePath(this.specsDir, scriptName)
    try {
      return loadSpecFile(file)
    } catch (error) {
      if (isPipetestError(error) && error.code === 'SPEC_NOT_FOUND') return undefined
      throw error
    }
  }

  /** See {@link matchStepToSpec}: exact, variations, then deterministic token similarity. */
  matchStepToSpec(stepName: string, available: readonly string[]): string | undefined {
    return matchStepToSpec(stepName, available)
  }

  /** Copies of the arguments `main` receives, so a script cannot change the spec. */
  getScriptMainParams(spec: ScriptExecutionSpec): ScriptMainParams {
    return {
      inputPaths: { ...spec.inputPaths },
      outputPaths: { ...spec.outputPaths },
      environVars: { ...spec.environVars },
      jobArgs: structuredClone(spec.jobArgs),
    }
  }

  /** One node against `catalog`: one read of the specs folder serves every node resolved with it. */
  #resolve(dag: PipelineDAG, node: string, catalog = new SpecCatalog(this.specsDir)) {
    return resolveNodeDetailed(this.#paths, catalog, dag, node)
  }

  #resolveAll(dag: PipelineDAG): DetailedResolution[] {
    const catalog = new SpecCatalog(this.specsDir)
    return dag.nodes.map((node) => this.#resolve(dag, node, catalog))
  }

  /** Every node resolved with one catalog, with the defaults written when `persistDefaults`. */
  #resolveForBuild(dag: PipelineDAG): DetailedResolution[] {
    const resolved = this.#resolveAll(dag)
    if (this.persistDefaults && !isCI()) this.#saveDefaults(resolved)
    return resolved
  }

  #pipelineSpec(dag: PipelineDAG, resolved: DetailedResolution[]): PipelineTestingSpec {
    const scriptSpecs = Object.fromEntries(resolved.map((d) => [d.resolution.node, builtSpec(d)]))
    return { dag, scriptSpecs, testWorkspaceRoot: this.testDataDir, rootDir: this.rootDir }
  }

  #report(dag: PipelineDAG, resolved: DetailedResolution[]): DagReport {
    const context = { ...this.#paths, dag, upstream: upstreamOutputs(dag, resolved, this.rootDir) }
    const nodes = resolved.map((detailed): NodeReport => ({
      node: detailed.resolution.node,
      resolution: detailed.resolution,
      ...(detailed.invalid && { error: detailed.invalid.error }),
      problems: problemsOfNode(detailed, context),
    }))
    // A file shared or claimed across nodes is reported on the node concerned.
    for (const problem of identityProblems(resolved, this.rootDir)) {
      nodes.find((report) => report.node === problem.node)?.problems.push(problem)
    }
    return { dag, nodes, problems: nodes.flatMap((node) => node.problems) }
  }

  /** Writes the defaults in use, never over a file (a user's or a broken one). */
  #saveDefaults(resolved: DetailedResolution[]): void {
    const written = new Set<string>()
    for (const { resolution, invalid } of resolved) {
      if (resolution.source !== 'default' || invalid) continue
      const file = specFilePath(this.specsDir, resolution.scriptName)
      if (!written.has(file)) {
        if (existsSync(file)) continue
        resolution.spec = saveSpecFile(resolution.spec, this.specsDir, { overwrite: false }).spec
        written.add(file)
      }
      resolution.specFile = file
    }
  }
}

/** The node's resolution; throws what keeps its spec file from loading. */
function resolved({ resolution, invalid }: DetailedResolution): NodeResolution {
  if (invalid) throw invalid.error
  return resolution
}

/** The spec as the engine gets it: the script's absolute path when known. */
function builtSpec({ resolution, script }: DetailedResolution): ScriptExecutionSpec {
  const spec = structuredClone(resolution.spec)
  if (script.found) spec.scriptPath = script.path
  // A declared but missing script keeps its absolute path, so the failure names it.
  else if ('declared' in script) spec.scriptPath = script.declared.path
  else if (spec.scriptPath === '') delete spec.scriptPath
  return spec
}

/** The fields `updateScriptSpec` merges key by key (unless `replaceMaps`). */
const MAP_FIELDS = new Set<string>(['inputPaths', 'outputPaths', 'environVars', 'jobArgs', 'extra'])

function mergeSpec(
  base: ScriptExecutionSpec,
  updates: Partial<ScriptExecutionSpec>,
  replaceMaps: boolean,
): ScriptExecutionSpecInput {
  const merged: ScriptExecutionSpecInput = { ...structuredClone(base) }
  for (const [key, value] of Object.entries(updates) as Array<
    [keyof ScriptExecutionSpec, unknown]
  >) {
    if (value === undefined) continue
    const current = merged[key]
    ;(merged as Record<string, unknown>)[key] =
      MAP_FIELDS.has(key) && !replaceMaps && isRecord(current) && isRecord(value)
        ? { ...current, ...value }
        : value
  }
  return merged
}

/** `CI=false` and `CI=0` are how people turn the variable off, so they do not count as set. */
function isCI(): boolean {
  const ci = process.env.CI
  return ci !== undefined && ci !== '' && ci !== 'false' && ci !== '0'
}
