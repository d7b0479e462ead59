import { readFileSync } from 'node:fs'
import type { SpecProblem } from '../builder/index.js'
import { selectRunner } from '../runners/index.js'
import type { ScriptExecutionSpec } from '../spec/index.js'
import { display } from './format.js'
import { CONTRACT_PARAMETERS, checkPythonMain } from './python-signature.js'
import { SPEC_CASE_TIMEOUT_MS } from './timeouts.js'
import type { CaseVerdict, SuiteCase } from './types.js'

export interface SpecCaseInput {
  node: string
  spec: ScriptExecutionSpec
  /** The builder's problems for this node (missing spec, incomplete, script not found…). */
  problems: SpecProblem[]
  specFile: string | undefined
  rootDir: string
}

/**
 * The specs tier: is the node ready to be run? Spec present and complete, script found and,
 * for a Python script whose `main` can be read statically, the four contract parameters.
 * Starts no process: a test that cannot say for sure passes and the scripts tier decides.
 */
export function specCase(input: SpecCaseInput): SuiteCase {
  return {
    name: `${input.node} has a complete spec`,
    tier: 'specs',
    node: input.node,
    timeoutMs: SPEC_CASE_TIMEOUT_MS,
    usesRun: false,
    run: async () => specVerdict(input),
  }
}

export function specVerdict(input: SpecCaseInput): CaseVerdict {
  const { node, spec, problems, rootDir } = input
  const script =
    spec.scriptPath === undefined ? spec.scriptName : display(spec.scriptPath, { rootDir })
  const properties: Record<string, string> = { node, script }
  const runner = runnerOf(spec)
  if (runner !== undefined) properties.runner = runner
  if (input.specFile !== undefined) properties.specFile = display(input.specFile, { rootDir })

  if (problems.length > 0) {
    const lines = [
      `${node}: the spec is not ready (${problems.length} problem${problems.length === 1 ? '' : 's'})`,
    ]
    for (const problem of problems) {
      lines.push(`  - ${problem.message}`)
      problem.fix
        .split('\n')
        .forEach((line, i) => lines.push(`    ${i === 0 ? 'fix: ' : '     '}${line}`))
    }
    return { status: 'failed', message: lines.join('\n'), properties }
  }
  if (runner === 'python' && spec.scriptPath !== undefined && spec.command === undefined) {
    const problem = pythonMainProblem(node, spec.scriptPath, rootDir)
    if (problem !== undefined) return { status: 'failed', message: problem, properties }
  }
  return { status: 'passed', message: '', properties }
}

function pythonMainProblem(node: string, scriptPath: string, rootDir: string): string | undefined {
  let source: string
  try {
    source = readFileSync(scriptPath, 'utf8')
  } catch (error) {
    return `${node}: cannot read ${display(scriptPath, { rootDir })}: ${(error as Error).message}`
  }
  const check = checkPythonMain(source)
  const script = display(scriptPath, { rootDir })
  const contract = `main(${CONTRACT_PARAMETERS.join(', ')})`
  if (check.kind === 'no-main') {
    return [
      `${node}: ${script} defines no main()`,
      `  fix: define ${contract}; pipetest calls it with the paths and arguments of the spec`,
    ].join('\n')
  }
  if (check.kind === 'bad-signature') {
    return [
      `${node}: ${script} line ${check.line}: ${check.signature} does not take the contract parameters`,
      `  ${check.problems.join('; ')}`,
      `  fix: define ${contract} (extra parameters need defaults)`,
    ].join('\n')
  }
  return undefined
}

function runnerOf(spec: ScriptExecutionSpec): string | undefined {
  try {
    return selectRunner(spec)
  } catch {
    // An unknown extension is a spec problem the builder already reports.
    return undefined
  }
}
