import { PipetestError } from '../errors.js'
import { closest, listSome } from '../text.js'
import { showName } from './node-name.js'
import type { PipelineDAG } from './pipeline-dag.js'

/**
 * Node selection as dbt users know it (`dbt run --select`), for `pipetest run --only` and
 * `describePipeline`'s `nodes`:
 *
 * | selector        | selects                                                      |
 * | --------------- | ------------------------------------------------------------ |
 * | `Train`         | the node                                                     |
 * | `+Train`        | the node and everything upstream of it                       |
 * | `Train+`        | the node and everything downstream of it                     |
 * | `2+Train+1`     | up to 2 steps upstream, 1 step downstream                    |
 * | `@Train`        | `Train+` and everything upstream of those (all it needs)     |
 * | `tag:nightly`   | the nodes whose DAG entry lists the tag                      |
 * | `Model*`        | the nodes whose name matches the wildcard (`*`, `?`)         |
 * | `A B`           | union: a space separates selectors (so do repeated options)  |
 * | `A+,tag:gpu`    | intersection: a comma joins selectors that must all hold     |
 *
 * A name that is a node exactly is that node, even when it holds a space, comma or `+`.
 */

/** Where the selectors were given (`--only`, `nodes`), named in every message. */
export type SelectionOrigin = string

/**
 * The nodes the selectors pick, in topological order. `selectors` is one expression or a list
 * of them (a union). Throws a PipetestError naming the selector and the fix for an unknown
 * node or tag (with "did you mean"), bad syntax, or a selection that picks nothing.
 *
 * @example
 *   selectNodes(dag, '+Train tag:eval', '--only') // Train, its ancestors, the eval-tagged nodes
 *   selectNodes(dag, ['Prep+', 'tag:gpu'], 'nodes')
 */
export function selectNodes(
  dag: PipelineDAG,
  selectors: string | readonly string[],
  origin: SelectionOrigin = 'nodes',
): string[] {
  const expressions = typeof selectors === 'string' ? [selectors] : selectors
  const selected = new Set<string>()
  let intersects = false
  for (const expression of expressions) {
    const terms = dag.hasNode(expression) ? [expression] : expression.split(/\s+/)
    for (const term of terms.filter((part) => part !== '')) {
      const atoms = dag.hasNode(term) ? [term] : term.split(',').filter((part) => part !== '')
      if (atoms.length > 1) intersects = true
      let nodes: Set<string> | undefined
      for (const atom of atoms) {
        const chosen = selectAtom(dag, atom, origin)
        nodes = nodes === undefined ? chosen : new Set([...nodes].filter((n) => chosen.has(n)))
      }
      nodes?.forEach((node) => selected.add(node))
    }
  }
  if (selected.size === 0) {
    const shown = expressions.map((expression) => JSON.stringify(expression)).join(' ')
    throw new PipetestError(
      'SELECTION_EMPTY',
      `${origin} ${shown} selects no node of ${where(dag)}`,
      {
        field: origin,
        ...(dag.file ? { file: dag.file } : {}),
        hint: intersects
          ? 'A comma intersects, as in dbt: "A,B" selects the nodes that are both. To select either, separate them with a space ("A B") or repeat the option.'
          : 'Name at least one node, e.g. a node name, +Node, Node+ or tag:NAME.',
      },
    )
  }
  return dag.topologicalSort().filter((node) => selected.has(node))
}

/** `[N]+` `@` NAME `+[N]`: a depth of `''` is unlimited. */
const ATOM = /^(?:(\d*)\+)?(@)?(.+?)(?:\+(\d*))?$/s

function selectAtom(dag: PipelineDAG, atom: string, origin: string): Set<string> {
  if (dag.hasNode(atom)) return new Set([atom])
  const match = ATOM.exec(atom)
  const [, up, at, name, down] = match ?? []
  if (match === null || name === undefined || name.startsWith('+') || name.startsWith('@')) {
    throw invalid(dag, origin, atom, 'is not a selector')
  }
  if (at !== undefined && up !== undefined) {
    throw invalid(
      dag,
      origin,
      atom,
      'combines @ and a leading +; @ already includes every ancestor',
    )
  }
  const roots = matchName(dag, name, origin, atom)
  const nodes = new Set(roots)
  if (at !== undefined) {
    const descendants = dag.reachable(roots, 'down')
    descendants.forEach((node) => nodes.add(node))
    dag.reachable([...descendants], 'up').forEach((node) => nodes.add(node))
    return nodes
  }
  if (up !== undefined) dag.reachable(roots, 'up', depth(up)).forEach((node) => nodes.add(node))
  if (down !== undefined)
    dag.reachable(roots, 'down', depth(down)).forEach((node) => nodes.add(node))
  return nodes
}

function depth(digits: string): number {
  return digits === '' ? Infinity : Number(digits)
}

/** The nodes a selector's name part means: `tag:X`, a wildcard, or a node name. */
function matchName(dag: PipelineDAG, name: string, origin: string, atom: string): string[] {
  const tag = /^tag:(.*)$/s.exec(name)?.[1]
  if (tag !== undefined) {
    if (tag === '') throw invalid(dag, origin, atom, 'names no tag; write tag:NAME')
    const tagged = dag.nodes.filter((node) => dag.tagsOf(node).includes(tag))
    if (tagged.length > 0) return tagged
    const tags = [...new Set(dag.nodes.flatMap((node) => dag.tagsOf(node)))]
    const guess = closest(tag, tags)
    throw new PipetestError(
      'UNKNOWN_NODE',
      `${origin} "${showName(atom)}": no node of ${where(dag)} has the tag "${showName(tag)}"`,
      {
        field: origin,
        ...(dag.file ? { file: dag.file } : {}),
        hint:
          tags.length === 0
            ? 'No node has tags: give a node "tags": ["…"] in the DAG file ({"name": "Train", "tags": ["nightly"]}).'
            : `${guess ? `Did you mean tag:${guess}? ` : ''}Tags in the DAG: ${tags.join(', ')}.`,
      },
    )
  }
  if (/[*?]/.test(name)) {
    const pattern = new RegExp(
      `^${name
        .replace(/[.+^${}()|[\]\\]/g, '\\$&')
        .replace(/\*/g, '.*')
        .replace(/\?/g, '.')}$`,
      's',
    )
    const matching = dag.nodes.filter((node) => pattern.test(node))
    if (matching.length > 0) return matching
    throw unknownNode(
      dag,
      origin,
      atom,
      name,
      `no node of ${where(dag)} matches "${showName(name)}"`,
    )
  }
  if (dag.hasNode(name)) return [name]
  const method = /^([a-z_]+):/.exec(name)?.[1]
  if (method !== undefined) {
    throw invalid(
      dag,
      origin,
      atom,
      `uses "${method}:", which pipetest does not know (it knows tag:NAME and node names)`,
    )
  }
  throw unknownNode(
    dag,
    origin,
    atom,
    name,
    `names "${showName(name)}", which is not a node of ${where(dag)}`,
  )
}

function unknownNode(
  dag: PipelineDAG,
  origin: string,
  atom: string,
  name: string,
  what: string,
): PipetestError {
  const guess = closest(name, dag.nodes)
  const prefix = atom === name ? '' : ` ("${showName(atom)}")`
  return new PipetestError('UNKNOWN_NODE', `${origin}${prefix} ${what}`, {
    field: origin,
    node: name,
    ...(dag.file ? { file: dag.file } : {}),
    hint: `${guess ? `Did you mean "${guess}"? ` : ''}Nodes: ${listSome(dag.nodes)}.`,
  })
}

function invalid(dag: PipelineDAG, origin: string, atom: string, why: string): PipetestError {
  return new PipetestError('SELECTOR_INVALID', `${origin} "${showName(atom)}" ${why}`, {
    field: origin,
    ...(dag.file ? { file: dag.file } : {}),
    hint: 'Selectors: Node, +Node (with ancestors), Node+ (with descendants), @Node, tag:NAME, Name* ; a space unites, a comma intersects.',
  })
}

function where(dag: PipelineDAG): string {
  return dag.file ?? `the DAG${dag.name ? ` ${dag.name}` : ''}`
}
