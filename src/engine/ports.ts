import { isAbsolute, relative, resolve } from 'node:path'
import type { DagEdge } from '../dag/index.js'
import type { ScriptExecutionSpec } from '../spec/index.js'
import type { PortWiring } from './results.js'
import { specSetCommandLine } from '../text.js'
import { calculateSimilarity } from './semantic-matcher.js'

/** Port names scoring at least this are paired by similarity (cursus' `find_best_matches` default). */
const SIMILARITY_THRESHOLD = 0.5

/**
 * Which outputs of A feed which inputs of B. When ports cannot be resolved, `message`
 * lists both sides and `fix` is the exact `"ports": {...}` entry (or spec command) to add.
 */
export type PortResolution =
  | { ok: true; wiring: PortWiring[] }
  | {
      ok: false
      reason: 'invalid-ports' | 'ambiguous' | 'unresolvable'
      message: string
      fix: string
    }

export interface PortContext {
  /**
   * Inputs of the downstream node that something else feeds (another edge's explicit ports,
   * or a path equal to another ancestor's output); they are never guessed for this edge.
   */
  fedElsewhere?: Iterable<string>
  /** The DAG file, named in the fix. */
  dagFile?: string
}

interface Port {
  name: string
  /** Absolute. */
  path: string
}

/**
 * Resolves the ports of edge A → B, in this order, deterministically:
 * 1. the edge's explicit `ports` (only those);
 * 2. same path: B's input path equals A's output path, or lies inside it (then `subpath`);
 * 3. equal logical names (combined with 2: both are certain);
 * 4. A's single output ↔ B's single input that nothing else feeds;
 * 5. cursus' SemanticMatcher score ≥ threshold, best pairs first; two candidates sharing a
 *    port with the same best score are ambiguous — an error, not a coin flip.
 *
 * @example
 * resolvePorts({ from: 'A', to: 'B' }, specA, specB, '/repo')
 * // { ok: true, wiring: [{ output: 'data_output', input: 'data_input', via: 'similarity' }] }
 */
export function resolvePorts(
  edge: DagEdge,
  upstreamSpec: ScriptExecutionSpec,
  downstreamSpec: ScriptExecutionSpec,
  rootDir: string,
  context: PortContext = {},
): PortResolution {
  const outputs = toPorts(upstreamSpec.outputPaths, rootDir)
  const inputs = toPorts(downstreamSpec.inputPaths, rootDir)
  const fedElsewhere = new Set(context.fedElsewhere ?? [])
  const free = inputs.filter((input) => !fedElsewhere.has(input.name))
  const failure = failureWriter(edge, outputs, inputs, free, fedElsewhere, context)

  if (edge.ports && Object.keys(edge.ports).length > 0) {
    return explicitPorts(edge.ports, outputs, inputs, failure)
  }
  if (outputs.length === 0) return failure('unresolvable', `${edge.from} declares no outputs.`)
  if (free.length === 0) {
    return failure(
      'unresolvable',
      inputs.length === 0
        ? `${edge.to} declares no inputs.`
        : `every input of ${edge.to} is already fed by another node.`,
    )
  }

  const certain = [...pathMatches(outputs, free)]
  const taken = new Set(certain.map((wire) => wire.input))
  for (const input of free) {
    if (taken.has(input.name)) continue
    if (outputs.some((output) => output.name === input.name))
      certain.push({ output: input.name, input: input.name, via: 'name' })
  }
  if (certain.length > 0) return { ok: true, wiring: inDeclarationOrder(certain, inputs) }

  if (outputs.length === 1 && free.length === 1) {
    return { ok: true, wiring: [{ output: outputs[0]!.name, input: free[0]!.name, via: 'single' }] }
  }
  return similarityMatches(outputs, free, failure)
}

function toPorts(paths: Record<string, string>, rootDir: string): Port[] {
  return Object.entries(paths).map(([name, path]) => ({ name, path: resolve(rootDir, path) }))
}

function explicitPorts(
  ports: Record<string, string>,
  outputs: Port[],
  inputs: Port[],
  failure: FailureWriter,
): PortResolution {
  const problems: string[] = []
  const fedBy = new Map<string, string>()
  for (const [output, input] of Object.entries(ports)) {
    if (!outputs.some((port) => port.name === output))
      problems.push(`output "${output}" is not one of the upstream's outputs`)
    if (!inputs.some((port) => port.name === input))
      problems.push(`input "${input}" is not one of the downstream's inputs`)
    const other = fedBy.get(input)
    if (other !== undefined)
      problems.push(`input "${input}" is fed by both "${other}" and "${output}"`)
    fedBy.set(input, output)
  }
  if (problems.length > 0)
    return failure('invalid-ports', `the edge's "ports" are wrong: ${problems.join('; ')}.`)
  return {
    ok: true,
    wiring: Object.entries(ports).map(([output, input]) => ({ output, input, via: 'ports' })),
  }
}

/** B's input is A's output folder or file itself, or a path inside A's output folder. */
function* pathMatches(outputs: Port[], inputs: Port[]): Generator<PortWiring> {
  for (const input of inputs) {
    const same = outputs.find((output) => output.path === input.path)
    if (same) {
      yield { output: same.name, input: input.name, via: 'path' }
      continue
    }
    const containing = outputs
      .filter((output) => isInside(input.path, output.path))
      .sort((a, b) => b.path.length - a.path.length)[0]
    if (containing) {
      yield {
        output: containing.name,
        input: input.name,
        via: 'path',
        subpath: relative(containing.path, input.path),
      }
    }
  }
}

function isInside(path: string, folder: string): boolean {
  const rel = relative(folder, path)
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel)
}

interface Candidate {
  output: string
  input: string
  score: number
}

/**
 * Greedy best-first pairing: take every pair with the best remaining score; if two of them
 * compete for the same output or input, the names alone cannot decide → ambiguous.
 */
function similarityMatches(
  outputs: Port[],
  inputs: Port[],
  failure: FailureWriter,
): PortResolution {
  let candidates = scoredPairs(outputs, inputs).filter((pair) => pair.score >= SIMILARITY_THRESHOLD)
  const wiring: PortWiring[] = []
  while (candidates.length > 0) {
    const best = candidates[0]!.score
    const top = candidates.filter((pair) => pair.score === best)
    const clash = findClash(top)
    if (clash) {
      return failure(
        'ambiguous',
        `the port names are ambiguous: ${describePair(clash[0])} and ${describePair(clash[1])} score the same.`,
        clash[0],
      )
    }
    for (const pair of top)
      wiring.push({ output: pair.output, input: pair.input, via: 'similarity' })
    const used = (pair: Candidate) =>
      top.some((chosen) => chosen.output === pair.output || chosen.input === pair.input)
    candidates = candidates.filter((pair) => !used(pair))
  }
  if (wiring.length === 0) {
    return failure(
      'unresolvable',
      `no output matches an input by path, name or similarity (threshold ${SIMILARITY_THRESHOLD}).`,
    )
  }
  return { ok: true, wiring: inDeclarationOrder(wiring, inputs) }
}

/** Every (output, input) pair, best score first; equal scores keep declaration order. */
function scoredPairs(outputs: Port[], inputs: Port[]): Candidate[] {
  const pairs: Candidate[] = []
  for (const output of outputs)
    for (const input of inputs)
      pairs.push({
        output: output.name,
        input: input.name,
        score: calculateSimilarity(output.name, input.name),
      })
  // Array.prototype.sort is stable, so ties stay in declaration order.
  return pairs.sort((a, b) => b.score - a.score)
}

function findClash(pairs: Candidate[]): [Candidate, Candidate] | undefined {
  for (let i = 0; i < pairs.length; i++)
    for (let j = i + 1; j < pairs.length; j++) {
      const [a, b] = [pairs[i]!, pairs[j]!]
      if (a.output === b.output || a.input === b.input) return [a, b]
    }
  return undefined
}

function describePair(pair: Candidate): string {
  return `${pair.output} → ${pair.input} (${pair.score.toFixed(3)})`
}

function inDeclarationOrder(wiring: PortWiring[], inputs: Port[]): PortWiring[] {
  const order = new Map(inputs.map((input, i) => [input.name, i]))
  return [...wiring].sort((a, b) => order.get(a.input)! - order.get(b.input)!)
}

type FailureWriter = (
  reason: 'invalid-ports' | 'ambiguous' | 'unresolvable',
  why: string,
  suggestion?: Candidate,
) => PortResolution

/**
 * The failure message a person can act on: what could not be wired, both sides with their
 * paths, and the exact entry to add to the edge in the DAG file.
 */
function failureWriter(
  edge: DagEdge,
  outputs: Port[],
  inputs: Port[],
  free: Port[],
  fedElsewhere: Set<string>,
  context: PortContext,
): FailureWriter {
  return (reason, why, suggestion) => {
    const lines = [`Cannot wire edge ${edge.from} → ${edge.to}: ${why}`]
    lines.push(`  ${edge.from} outputs: ${listPorts(outputs, new Set())}`)
    lines.push(`  ${edge.to} inputs: ${listPorts(inputs, fedElsewhere)}`)
    let fix: string
    if (outputs.length === 0) {
      fix = specSetCommandLine(edge.from, { outputs: { NAME: 'PATH' } })
      lines.push(`Declare the outputs of ${edge.from}: ${fix}`)
    } else if (inputs.length === 0) {
      fix = specSetCommandLine(edge.to, { inputs: { NAME: 'PATH' } })
      lines.push(`Declare the inputs of ${edge.to}: ${fix}`)
    } else {
      const pair = suggestion ?? scoredPairs(outputs, free.length > 0 ? free : inputs)[0]!
      fix = `"ports": ${inlineJson({ [pair.output]: pair.input })}`
      const where = context.dagFile ? ` in ${context.dagFile}` : ' in the DAG'
      const entry = inlineJson({
        from: edge.from,
        to: edge.to,
        ports: { [pair.output]: pair.input },
      })
      lines.push(`Say which output feeds which input: add ${fix} to the edge${where}, e.g.`)
      lines.push(`  ${entry}`)
    }
    return { ok: false, reason, message: lines.join('\n'), fix }
  }
}

function listPorts(ports: Port[], fedElsewhere: Set<string>): string {
  if (ports.length === 0) return '(none)'
  return ports
    .map(
      (port) =>
        `${port.name} (${port.path}${fedElsewhere.has(port.name) ? ', fed by another node' : ''})`,
    )
    .join(', ')
}

/** `{"from": "A", "ports": {"out": "in"}}`: JSON as people write it in a DAG file. */
function inlineJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value)
  const entries = Object.entries(value as Record<string, unknown>)
  return `{${entries.map(([key, item]) => `${JSON.stringify(key)}: ${inlineJson(item)}`).join(', ')}}`
}
