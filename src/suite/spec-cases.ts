import type { PipelineCheck, PipelineProblem } from '../builder/index.js'
import { selectRunner } from '../engine/runner-facts.js'
import type { ScriptExecutionSpec } from '../spec/index.js'
import { displayPath } from '../text.js'
import { SPEC_CASE_TIMEOUT_MS } from './timeouts.js'
import type { CaseVerdict, SuiteCase } from './types.js'

export interface SpecCaseInput {
  node: string
  spec: ScriptExecutionSpec
  specFile: string | undefined
  rootDir: string
  /**
   * The pipeline's static check, the one `pipetest validate` prints (spec problems, ports,
   * spec against code); started by the first specs test and shared by the others.
   */
  check: () => Promise<PipelineCheck>
}

/**
 * The specs tier: is the node ready to be run? It fails on exactly the errors `validate`
 * reports for the node (spec complete, script found, ports, the keys its code reads, main's
 * signature, imports the interpreter lacks), each with its fix; warnings do not fail it.
 * Reads the scripts in one interpreter process per pipeline and runs none of them.
 */
export function specCase(input: SpecCaseInput): SuiteCase {
  return {
    name: `${input.node} has a complete spec`,
    tier: 'specs',
    node: input.node,
    timeoutMs: SPEC_CASE_TIMEOUT_MS,
    usesRun: false,
    run: async () => specVerdict(input, (await input.check()).problems),
  }
}

export function specVerdict(input: SpecCaseInput, all: PipelineProblem[]): CaseVerdict {
  const { node, spec, rootDir } = input
  const script =
    spec.scriptPath === undefined ? spec.scriptName : displayPath(spec.scriptPath, rootDir)
  const properties: Record<string, string> = { node, script }
  const runner = runnerOf(spec)
  if (runner !== undefined) properties.runner = runner
  if (input.specFile !== undefined) properties.specFile = displayPath(input.specFile, rootDir)

  const problems = all.filter((problem) => problem.node === node && problem.severity === 'error')
  if (problems.length === 0) return { status: 'passed', message: '', properties }
  const lines = [
    `${node}: the spec is not ready (${problems.length} problem${problems.length === 1 ? '' : 's'})`,
  ]
  for (const problem of problems) {
    problem.message
      .split('\n')
      .forEach((line, i) => lines.push(`${i === 0 ? '  - ' : '    '}${line}`))
    problem.fix
      .split('\n')
      .forEach((line, i) => lines.push(`    ${i === 0 ? 'fix: ' : '     '}${line}`))
  }
  return { status: 'failed', message: lines.join('\n'), properties }
}

function runnerOf(spec: ScriptExecutionSpec): string | undefined {
  try {
    return selectRunner(spec)
  } catch {
    // An unknown extension is a spec problem the builder already reports.
    return undefined
  }
}
