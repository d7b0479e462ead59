import { resolve, sep } from 'node:path'
import type { PipelineDAG } from '../dag/pipeline-dag.js'
import type { ScriptExecutionSpec } from '../spec/script-execution-spec.js'
import { closest, displayPath } from '../text.js'
import type { SpecProblem } from './spec-problem.js'

/**
 * An edge whose `ports` or wiring cannot work with the specs at both ends; its `node` is the
 * downstream one, whose inputs go unfed or are fed twice.
 */
export interface PortProblem extends Omit<SpecProblem, 'kind'> {
  kind: 'unknown-port' | 'input-fed-twice'
}

/**
 * What the DAG's edges get wrong about the specs, known without running: a `ports` entry
 * naming an output the upstream spec does not declare or an input the downstream spec does
 * not declare; at a fan-in, an input fed by two edges (ports, or an input path inside an
 * upstream's output). A run would stop at the same places with "unresolved ports";
 * `validate` and the `specs` tests say it first.
 */
export function portProblems(
  dag: PipelineDAG,
  specOf: (node: string) => ScriptExecutionSpec | undefined,
  rootDir: string,
): PortProblem[] {
  const problems: PortProblem[] = []
  const dagFile = dag.file ? displayPath(dag.file, rootDir) : 'the DAG'
  for (const edge of dag.edges) {
    const upstream = specOf(edge.from)
    const downstream = specOf(edge.to)
    if (!upstream || !downstream || !edge.ports) continue
    for (const [output, input] of Object.entries(edge.ports)) {
      const outputs = Object.keys(upstream.outputPaths)
      const inputs = Object.keys(downstream.inputPaths)
      const wrong = [
        !outputs.includes(output) && {
          side: `output "${output}" of ${edge.from}`,
          names: outputs,
          name: output,
          entry: 'key',
        },
        !inputs.includes(input) && {
          side: `input "${input}" of ${edge.to}`,
          names: inputs,
          name: input,
          entry: 'value',
        },
      ].filter((side) => side !== false)
      for (const side of wrong) {
        const near = closest(side.name, side.names)
        problems.push({
          node: edge.to,
          scriptName: downstream.scriptName,
          kind: 'unknown-port',
          message: `Edge ${edge.from} → ${edge.to}: "ports" names ${side.side}, which its spec does not declare (it declares ${side.names.length > 0 ? side.names.join(', ') : 'none'})${near ? `; did you mean "${near}"?` : ''}`,
          fix: `In ${dagFile}, change the ${side.entry} "${side.name}" of the ports of ${edge.from} → ${edge.to}${near ? ` to "${near}"` : ''}${near ? '' : ' to a declared name'}, or declare it in the spec.`,
          ...(dag.file ? { file: dag.file } : {}),
        })
      }
    }
  }
  for (const node of dag.nodes) {
    const parents = dag.getDependencies(node)
    const spec = specOf(node)
    if (parents.length < 2 || !spec) continue
    problems.push(...fanInProblems(dag, node, parents, spec, specOf, rootDir, dagFile))
  }
  return problems
}

function fanInProblems(
  dag: PipelineDAG,
  node: string,
  parents: string[],
  spec: ScriptExecutionSpec,
  specOf: (node: string) => ScriptExecutionSpec | undefined,
  rootDir: string,
  dagFile: string,
): PortProblem[] {
  // Only what is certain: explicit ports and input paths inside an upstream output. Edges
  // without ports are paired by the engine (names, single pair, similarity), which reports
  // its own ambiguities with the exact ports entry to add.
  const feeders = new Map<string, string[]>()
  const feeds = (input: string, by: string) =>
    feeders.set(input, [...(feeders.get(input) ?? []), by])
  for (const parent of parents) {
    const upstream = specOf(parent)
    if (!upstream) continue
    const ports = dag.getEdge(parent, node)?.ports ?? {}
    for (const [output, input] of Object.entries(ports)) {
      if (input in spec.inputPaths) feeds(input, `${parent}.${output} (ports)`)
    }
    const outputs = Object.entries(upstream.outputPaths).map(
      ([name, path]) => [name, resolve(rootDir, path)] as const,
    )
    for (const [input, path] of Object.entries(spec.inputPaths)) {
      if (Object.values(ports).includes(input)) continue
      const absolute = resolve(rootDir, path)
      const output = outputs.find(([, out]) => absolute === out || absolute.startsWith(out + sep))
      if (output) feeds(input, `${parent}.${output[0]} (input path)`)
    }
  }
  const problems: PortProblem[] = []
  for (const [input, by] of feeders) {
    if (by.length < 2) continue
    problems.push({
      node,
      scriptName: spec.scriptName,
      kind: 'input-fed-twice',
      message: `Input "${input}" of ${node} is fed by ${by.join(' and ')}`,
      fix: `Feed it from one edge: fix the "ports" of the edges into ${node} in ${dagFile}, or point input_paths.${input} at one upstream output.`,
      ...(dag.file ? { file: dag.file } : {}),
    })
  }
  return problems
}
