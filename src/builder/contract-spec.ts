import { isLiteral, type ContractKey, type ScriptContract } from '../contract/index.js'
import type { PipelineDAG } from '../dag/pipeline-dag.js'
import { effectiveJobArgs } from '../spec/job-args.js'
import type { ScriptExecutionSpec } from '../spec/script-execution-spec.js'
import { suggestedPath } from './spec-fixes.js'

/** A contract key `init` could not fill: the user must, at the line that reads it. */
export interface SpecTodo {
  role: 'env' | 'jobArgs'
  name: string
  line?: number
}

export interface ContractSpecInput {
  node: string
  /** The spec `init` would write without a contract (names, script path, runner…). */
  base: ScriptExecutionSpec
  contract: ScriptContract | undefined
  dag: PipelineDAG
  /** The spec of an upstream node (already existing, or written just before this one). */
  specOf: (node: string) => ScriptExecutionSpec | undefined
  /** The test data dir as written in specs (relative to the root). */
  testDataDirForSpecs: string
}

/**
 * The spec `init` writes for a node, from its script's contract and the DAG, so the flow
 * works without editing: the inputs and outputs the code reads without a default (plus
 * those the edges' `ports` name); each input fed by an upstream node wired to the path that
 * node declares for the output (ports, then equal names, then its single output); other
 * inputs and every output under the test data dir; environment variables and job arguments
 * with their literal defaults. Keys read without a default that nothing can fill are
 * returned as to-dos. Without a contract (or when it names nothing), the base spec stands.
 */
export function specFromContract(input: ContractSpecInput): {
  spec: ScriptExecutionSpec
  todos: SpecTodo[]
  /** Inputs wired to an upstream node's output: they need no data of their own. */
  fed: string[]
} {
  const { node, base, contract, dag, specOf, testDataDirForSpecs } = input
  if (!contract || contract.error || contract.source === 'none') {
    // Nothing known: cursus' LABEL_FIELD=label and job_type=testing would be guesses that
    // `validate` cannot tell from the user's values. Empty job_args give main() the job type
    // of the node's suffix; the placeholder paths stay, and validate names them.
    return { spec: { ...base, environVars: {}, jobArgs: {} }, todos: [], fed: [] }
  }
  const scriptName = base.scriptName
  const parents = dag.getDependencies(node)
  const children = dag.getDependents(node)

  // Inputs: what the code needs, what incoming ports name, and optional ones an edge feeds.
  const fed = new Map<string, string>()
  for (const parent of parents) {
    const upstream = specOf(parent)
    if (!upstream) continue
    const ports = dag.getEdge(parent, node)?.ports
    if (ports) {
      for (const [output, inputName] of Object.entries(ports)) {
        const path = upstream.outputPaths[output]
        if (path !== undefined && !fed.has(inputName)) fed.set(inputName, path)
      }
      continue
    }
    const names = contract.inputs.map((key) => key.name)
    let wired = false
    for (const name of names) {
      const path = upstream.outputPaths[name]
      if (path !== undefined && !fed.has(name)) {
        fed.set(name, path)
        wired = true
      }
    }
    const outputs = Object.entries(upstream.outputPaths)
    const unfed = contract.inputs.filter((key) => key.required && !fed.has(key.name))
    if (!wired && outputs.length === 1 && unfed.length === 1)
      fed.set(unfed[0]!.name, outputs[0]![1])
  }
  const inputNames = new Set([
    ...contract.inputs.filter((key) => key.required || fed.has(key.name)).map((key) => key.name),
    ...fed.keys(),
  ])
  const inputPaths = Object.fromEntries(
    [...inputNames].map((name) => [
      name,
      fed.get(name) ?? suggestedPath('input', name, scriptName, testDataDirForSpecs),
    ]),
  )

  // Outputs: what the code writes without a default, and optional ones a downstream port reads.
  const wanted = new Set(
    children.flatMap((child) => Object.keys(dag.getEdge(node, child)?.ports ?? {})),
  )
  const outputNames = new Set([
    ...contract.outputs
      .filter((key) => key.required || wanted.has(key.name))
      .map((key) => key.name),
    ...wanted,
  ])
  const outputPaths = Object.fromEntries(
    [...outputNames].map((name) => [
      name,
      suggestedPath('output', name, scriptName, testDataDirForSpecs),
    ]),
  )

  const todos: SpecTodo[] = []
  const environVars: Record<string, string> = {}
  for (const key of contract.env) {
    const value = envDefault(key)
    if (value !== undefined) environVars[key.name] = value
    else if (key.required && key.via === undefined) todos.push(todo('env', key))
  }
  const jobArgs: Record<string, unknown> = {}
  for (const key of contract.jobArgs) {
    // cursus' job type from the node's suffix (`…_calibration`), as an empty job_args gives.
    if (key.name === 'job_type') jobArgs.job_type = effectiveJobArgs({ jobArgs: {} }, node).job_type
    else if (isLiteral(key.default)) jobArgs[key.name] = key.default
    else if (key.required) todos.push(todo('jobArgs', key))
  }
  const spec: ScriptExecutionSpec = {
    ...base,
    // A script whose keys are all known gets exactly them (none, for a loader that reads no
    // input); one that computes its keys keeps the defaults the user will rename.
    inputPaths: inputNames.size > 0 || !gapIn(contract, 'inputs') ? inputPaths : base.inputPaths,
    outputPaths:
      outputNames.size > 0 || !gapIn(contract, 'outputs') ? outputPaths : base.outputPaths,
    environVars,
    jobArgs,
  }
  return { spec, todos, fed: [...fed.keys()].filter((name) => name in spec.inputPaths) }
}

/** An environment value as the script would see its default: strings and numbers only. */
function envDefault(key: ContractKey): string | undefined {
  return typeof key.default === 'string' || typeof key.default === 'number'
    ? String(key.default)
    : undefined
}

function todo(role: SpecTodo['role'], key: ContractKey): SpecTodo {
  return { role, name: key.name, ...(key.line ? { line: key.line } : {}) }
}

function gapIn(contract: ScriptContract, role: 'inputs' | 'outputs'): boolean {
  return [...contract.computed, ...contract.whole].some((gap) => gap.role === role)
}
