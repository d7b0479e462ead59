import { resolve } from 'node:path'
import { readContracts, type ReadContractsOptions, type ScriptContract } from '../contract/index.js'
import type { PipelineTestingSpec } from '../spec/index.js'
import type { SpecProblem } from './spec-problem.js'
import { contractProblems, type ContractProblem } from './contract-check.js'
import type { DagReport } from './pipeline-testing-spec-builder.js'
import { portProblems, type PortProblem } from './port-check.js'
import { displayPath } from '../text.js'

/**
 * One thing `validate` reports and the node's `specs` test fails on (errors) or only shows
 * (warnings): a spec problem, a port problem, or a disagreement between spec and code.
 */
export type PipelineProblem =
  (SpecProblem & { severity: 'error' }) | (PortProblem & { severity: 'error' }) | ContractProblem

export interface PipelineCheckOptions extends ReadContractsOptions {
  /** The environment runs inherit (os.environ reads found there are satisfied); default process.env. */
  environment?: NodeJS.ProcessEnv
}

export interface PipelineCheck {
  problems: PipelineProblem[]
  /** Each node's contract, when its script could be looked at. */
  contracts: Map<string, ScriptContract>
}

/**
 * A node with one of these problems has defaults only: checking them against the code would
 * bury the one fix that matters ("create the spec") under noise.
 */
const NO_SPEC = new Set(['missing-spec', 'invalid-spec', 'unknown-runner', 'script-not-found'])

/**
 * Everything about a pipeline that can be known without running it, every problem at once:
 * the builder's spec problems, the edges' ports against the specs, and each spec against
 * its script's contract (keys, main's signature, imports the interpreter lacks, cursus
 * contract files). `pipetest validate` prints it; the `specs` tests fail on the same
 * errors, node by node, so the two always agree. Reads every script in one interpreter
 * process per Python; runs none.
 *
 * @example
 *   const report = builder.buildFromDagWithReport('pipeline.dag.json')
 *   const { problems } = await checkPipeline(report, { python: 'python3' })
 */
export async function checkPipeline(
  report: DagReport & { pipelineSpec: PipelineTestingSpec },
  options: PipelineCheckOptions,
): Promise<PipelineCheck> {
  const { dag, pipelineSpec } = report
  const { rootDir } = pipelineSpec
  const problems: PipelineProblem[] = report.problems.map((problem) => ({
    ...problem,
    severity: 'error' as const,
  }))
  const unusable = new Set(report.problems.filter((p) => NO_SPEC.has(p.kind)).map((p) => p.node))
  const usable = new Set(dag.nodes.filter((node) => !unusable.has(node)))
  const specOf = (node: string) => (usable.has(node) ? pipelineSpec.scriptSpecs[node] : undefined)
  for (const problem of portProblems(dag, specOf, rootDir)) {
    problems.push({ ...problem, severity: 'error' })
  }

  const nodes = dag.nodes.filter(
    (node) => usable.has(node) && pipelineSpec.scriptSpecs[node]?.scriptPath !== undefined,
  )
  const targets = nodes.map((node) => {
    const { scriptPath, runner, command, python } = pipelineSpec.scriptSpecs[node]!
    return { scriptPath: resolve(rootDir, scriptPath!), runner, command, python }
  })
  const read = await readContracts(targets, options)
  const contracts = new Map(nodes.map((node, i) => [node, read[i]!]))
  const specFiles = new Map(report.nodes.map((entry) => [entry.node, entry.resolution.specFile]))
  for (const [node, contract] of contracts) {
    problems.push(
      ...contractProblems({
        node,
        spec: pipelineSpec.scriptSpecs[node]!,
        contract,
        rootDir,
        testDataDirForSpecs: displayPath(pipelineSpec.testWorkspaceRoot, rootDir),
        specFile: specFiles.get(node),
        environment: options.environment ?? process.env,
      }),
    )
  }
  // Node by node, in the DAG's order, as validate prints them.
  const order = new Map(dag.nodes.map((node, i) => [node, i]))
  problems.sort((a, b) => (order.get(a.node) ?? 0) - (order.get(b.node) ?? 0))
  return { problems, contracts }
}
