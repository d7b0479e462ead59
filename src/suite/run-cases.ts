import type { SpecProblem } from '../builder/index.js'
import type { SnapshotOptions } from '../data/index.js'
import type { ExecutionResult } from '../engine/results.js'
import { isPipetestError } from '../errors.js'
import type { PipelineTestingSpec } from '../spec/index.js'
import { formatSharedEdgeFailure, type FormatOptions } from './format.js'
import type { ExecutionOwners } from './owners.js'
import { snapshotsOf } from './output-snapshot.js'
import type { CaseVerdict, SuiteCase } from './types.js'
import { edgeVerdict, flowVerdict, scriptVerdict } from './verdict.js'

/** The tiers that run scripts: one case per node, per edge, and one for the whole flow. */

export interface RunCaseContext {
  pipelineSpec: PipelineTestingSpec
  pipelineName: string
  /** Upper bound shared by every case of the plan (see `caseTimeoutMs`). */
  timeoutMs: number
  format: FormatOptions
  /** Spec problems per node, recalled when the node's script fails because of them. */
  problems: Map<string, SpecProblem[]>
  /** Which test shows a failed execution in full (the others name it). */
  owners: ExecutionOwners
  /** Snapshot every output of a passed script (`describePipeline`'s `snapshots`). */
  snapshots?: SnapshotOptions
}

export function scriptCase(context: RunCaseContext, node: string): SuiteCase {
  const outputs = Object.keys(context.pipelineSpec.scriptSpecs[node]?.outputPaths ?? {})
  return {
    // A spec without outputs is a specs-tier failure; here the script can only show it runs.
    name: outputs.length > 0 ? `${node} runs and writes ${outputs.join(', ')}` : `${node} runs`,
    tier: 'scripts',
    node,
    timeoutMs: context.timeoutMs,
    usesRun: true,
    run: async (run) => {
      const result = await run.testScript(node)
      const verdict = withSpecProblems(scriptVerdict(result, context.format), context, [node])
      if (verdict.status !== 'passed' || context.snapshots === undefined) return verdict
      return withSnapshots(verdict, result, context.snapshots)
    },
    execution: (run) => run.testScript(node),
  }
}

export function edgeCase(context: RunCaseContext, from: string, to: string): SuiteCase {
  const testCase: SuiteCase = {
    name: `${from} → ${to}: ${to} consumes ${from}'s outputs`,
    tier: 'compatibility',
    edge: { from, to },
    node: to,
    timeoutMs: context.timeoutMs,
    usesRun: true,
    run: async (run) => {
      const result = await run.testEdge(from, to)
      const verdict = edgeVerdict(result, context.format)
      const downstream = await testCase.execution!(run)
      const owner =
        verdict.status === 'failed' && downstream?.status === 'failed'
          ? await context.owners.ownerOf(testCase, run, downstream)
          : undefined
      if (owner !== undefined)
        return { ...verdict, message: formatSharedEdgeFailure(result, owner) }
      return withSpecProblems(verdict, context, [from, to])
    },
    // A schema mismatch is the edge's own finding: its downstream did not run.
    execution: async (run) => {
      const result = await run.testEdge(from, to)
      return result.outcome === 'input-contract' ? undefined : result.downstream
    },
  }
  return testCase
}

export function flowCase(context: RunCaseContext): SuiteCase {
  const testCase: SuiteCase = {
    name: `${context.pipelineName}: the whole DAG runs in topological order`,
    tier: 'flow',
    timeoutMs: context.timeoutMs,
    usesRun: true,
    run: async (run) => {
      const result = await run.testFlow()
      const owners = new Map<string, string>()
      for (const node of result.status === 'failed' ? result.failedNodes : []) {
        const execution = result.scriptResults[node]
        const owner = execution && (await context.owners.ownerOf(testCase, run, execution))
        if (owner) owners.set(node, owner)
      }
      const verdict = flowVerdict(result, context.pipelineName, context.format, (node) =>
        owners.get(node),
      )
      const unexplained = result.failedNodes.filter((node) => !owners.has(node))
      return withSpecProblems(verdict, context, unexplained)
    },
  }
  return testCase
}

/** A passed script's outputs as snapshots; options that do not fit an output fail the test. */
async function withSnapshots(
  verdict: CaseVerdict,
  result: ExecutionResult,
  options: SnapshotOptions,
): Promise<CaseVerdict> {
  try {
    const snapshots = await snapshotsOf(result, options)
    return {
      ...verdict,
      snapshots: snapshots.map(({ output, snapshot }) => ({ hint: output, snapshot })),
    }
  } catch (error) {
    if (!isPipetestError(error)) throw error
    return { ...verdict, status: 'failed', message: `${result.node}: ${error.message}` }
  }
}

/**
 * A script that fails because its spec is not ready (defaults in use, script missing) fails
 * for a reason the specs tier already explains; say so, so nobody debugs the script first.
 */
function withSpecProblems(
  verdict: CaseVerdict,
  context: RunCaseContext,
  nodes: string[],
): CaseVerdict {
  if (verdict.status !== 'failed') return verdict
  const notes = nodes.flatMap((node) =>
    (context.problems.get(node) ?? []).map((problem) => `  - ${problem.message}`),
  )
  if (notes.length === 0) return verdict
  return {
    ...verdict,
    message: `${verdict.message}\n\nNote: the spec is not ready, see the specs tests:\n${notes.join('\n')}`,
  }
}
