import { PipelineTestingSpecBuilder, checkPipeline, type PipelineCheck } from '../builder/index.js'
import { changedNodesSince } from '../changes/index.js'
import { withProjectConfig } from '../config/index.js'
import { loadDag, selectNodes, type DagSource, type PipelineDAG } from '../dag/index.js'
import { DEFAULT_PYTHON } from '../engine/run-options.js'
import { flowCase, edgeCase, scriptCase, type RunCaseContext } from './run-cases.js'
import { closeSharedRun, interruptSharedRun, registerPipeline, sharedRunOf } from './shared-runs.js'
import { executionOwners } from './owners.js'
import { specCase } from './spec-cases.js'
import { caseTimeoutMs } from './timeouts.js'
import type {
  CaseVerdict,
  PipelineSuiteOptions,
  PipelineSuitePlan,
  SuiteCase,
  SuiteGroup,
} from './types.js'
import { watchFilesOf } from './watch-files.js'

/** The project config applied to `given`, the DAG, and the builder of its specs. */
export function openPipeline<T extends PipelineSuiteOptions>(source: DagSource, given: T) {
  const options = withProjectConfig(given)
  const dag = loadDag(source, options.rootDir)
  const builder = new PipelineTestingSpecBuilder({
    rootDir: options.rootDir,
    ...(options.testDataDir === undefined ? {} : { testDataDir: options.testDataDir }),
    specsDir: options.specsDir,
    ...(options.persistDefaults === undefined ? {} : { persistDefaults: options.persistDefaults }),
  })
  return { options, dag, builder }
}

/**
 * Plans the tests of one pipeline, synchronously (Jest collects synchronously, and one code
 * path serves both adapters): loads the DAG and the specs, and lists the cases of each tier.
 * Nothing runs until a case does. Spec problems do not throw: they become failing cases of
 * the `specs` group that say how to fix them. A DAG that cannot be loaded throws its
 * PipetestError (the whole file is unusable).
 *
 * @example
 * const plan = planPipelineSuite('pipelines/fraud.dag.json', { tiers: { flow: false } })
 * for (const group of plan.groups) for (const c of group.cases) console.log(group.title, c.name)
 */
export function planPipelineSuite(
  source: DagSource,
  given: PipelineSuiteOptions = {},
): PipelineSuitePlan {
  const { options, dag, builder } = openPipeline(source, given)
  const { rootDir } = options
  // One resolution of the DAG for the specs, their problems and each node's spec file:
  // resolving per node would read every spec file once per node.
  const report = builder.buildFromDagWithReport(dag)
  const { pipelineSpec } = report
  const problems = new Map(report.nodes.map((entry) => [entry.node, entry.problems]))
  const specFiles = new Map(report.nodes.map((entry) => [entry.node, entry.resolution.specFile]))
  const pipelineName = dag.name ?? 'pipeline'
  const selected = nodesOf(dag, options.nodes)
  // How scripts are read without running them (--changed, the specs tier, watch mode).
  const reading = { python: options.python ?? DEFAULT_PYTHON, contractsDir: options.contractsDir }
  let emptyBecause: string | undefined
  const changedRef = options.changed ?? (process.env.PIPETEST_CHANGED?.trim() || undefined)
  if (changedRef !== undefined) {
    const { affected } = changedNodesSince(changedRef, pipelineSpec, { specFiles, ...reading })
    const kept = new Set(affected)
    for (const node of selected) if (!kept.has(node)) selected.delete(node)
    if (selected.size === 0) emptyBecause = `no selected node changed since ${changedRef}`
  }
  const edges = dag.edges.filter((edge) => selected.has(edge.from) && selected.has(edge.to))
  const tiers = {
    specs: options.tiers?.specs ?? true,
    scripts: options.tiers?.scripts ?? true,
    compatibility: options.tiers?.compatibility ?? true,
    flow: options.tiers?.flow ?? selected.size === dag.nodes.length,
  }
  const order = dag.topologicalSort().filter((node) => selected.has(node))

  // Every execution the shared run may start for the enabled tiers: one per node per script
  // tier and flow, the downstream of each edge (its upstream runs in the flow anyway).
  const executions = [
    ...(tiers.scripts ? order : []),
    ...(tiers.compatibility ? edges.map((edge) => edge.to) : []),
    ...(tiers.flow || tiers.compatibility ? dag.nodes : []),
  ]
  const groups: SuiteGroup[] = []
  const owners = executionOwners(() => groups.flatMap((group) => group.cases))
  const context: RunCaseContext = {
    pipelineSpec,
    pipelineName,
    timeoutMs: caseTimeoutMs(pipelineSpec, executions, options.timeoutSeconds),
    format: { rootDir },
    problems,
    owners,
    ...(options.snapshots
      ? { snapshots: options.snapshots === true ? {} : options.snapshots }
      : {}),
  }
  const addGroup = (title: SuiteGroup['title'], enabled: boolean, cases: () => SuiteCase[]) => {
    const list = enabled ? cases() : []
    if (list.length > 0) groups.push({ title, cases: list })
  }
  // The check `pipetest validate` runs, once per plan, started by the first specs test.
  let check: Promise<PipelineCheck> | undefined
  const checkOnce = () => (check ??= checkPipeline(report, reading))
  addGroup('specs', tiers.specs, () =>
    order.map((node) =>
      specCase({
        node,
        spec: pipelineSpec.scriptSpecs[node]!,
        specFile: specFiles.get(node),
        rootDir,
        check: checkOnce,
      }),
    ),
  )
  addGroup('scripts', tiers.scripts, () => order.map((node) => scriptCase(context, node)))
  addGroup('compatibility', tiers.compatibility, () =>
    edges.map((edge) => edgeCase(context, edge.from, edge.to)),
  )
  addGroup('flow', tiers.flow, () => [flowCase(context)])

  // Registered now so hand-written `runScript('Node')` in the same file finds this pipeline.
  const shared = registerPipeline(pipelineSpec, options, pipelineName)

  const plan: PipelineSuitePlan = {
    name: options.name ?? `pipeline ${pipelineName}`,
    pipelineName,
    dag,
    pipelineSpec,
    groups,
    ...(emptyBecause !== undefined && groups.length === 0 ? { emptyBecause } : {}),
    sharedRun: () => sharedRunOf(shared),
    prefetch(cases = groups.flatMap((group) => group.cases)) {
      owners.select(cases)
      const run = cases.some((testCase) => testCase.usesRun) ? plan.sharedRun() : undefined
      if (!run) return
      for (const testCase of cases) {
        // Each case reports its own outcome when it runs; here only the start matters.
        if (testCase.usesRun) testCase.run(run).catch(() => undefined)
      }
    },
    // A run creates its folder at its first execution, so specs-only plans leave no trace.
    runCase: (testCase: SuiteCase): Promise<CaseVerdict> => testCase.run(plan.sharedRun()),
    abort: (reason) => shared.run?.abort(reason),
    interrupt: (reason) => interruptSharedRun(shared, reason),
    close: () => closeSharedRun(shared),
    watchFiles: () => watchFilesOf(pipelineSpec, builder, [...selected], { specFiles, ...reading }),
  }
  return plan
}

/** The node filter as a set: selectors (dbt's, src/dag/selection.ts) or a predicate. */
function nodesOf(dag: PipelineDAG, filter: PipelineSuiteOptions['nodes']): Set<string> {
  if (filter === undefined) return new Set(dag.nodes)
  if (typeof filter === 'function') return new Set(dag.nodes.filter((node) => filter(node)))
  return new Set(selectNodes(dag, filter, 'nodes option'))
}
