import { PipetestError } from '../errors.js'

/** The JSON shape we write; we read this and the cursus shapes. */
export interface DagJson {
  name?: string
  nodes: Array<string | { name: string; script?: string }>
  edges: Array<{ from: string; to: string; ports?: Record<string, string> }>
}

interface ParsedDag {
  name: string | undefined
  nodes: Array<{ name: string; script?: string }>
  edges: Array<{ from: string; to: string; ports?: Record<string, string> }>
}

const EDGE_FORMS =
  '["A", "B"], {"source": "A", "target": "B"} or {"from": "A", "to": "B", "ports": {...}}'

/**
 * Normalises the accepted DAG JSON forms into one shape, rejecting anything else with the
 * index of the offending entry (`edges[3]`) so it can be found in a long file.
 */
export function parseDagJson(value: unknown, file?: string): ParsedDag {
  const where = file ? ` in ${file}` : ''
  const fail = (field: string, message: string, hint: string): never => {
    throw new PipetestError('DAG_INVALID', `${message}${where}`, {
      field,
      hint,
      ...(file ? { file } : {}),
    })
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return fail(
      '',
      `A DAG must be a JSON object, got ${describe(value)}`,
      'Write the DAG as {"nodes": [...], "edges": [...]}.',
    )
  }
  const object = value as Record<string, unknown>
  if (object.name !== undefined && typeof object.name !== 'string') {
    fail(
      'name',
      `"name" must be a string, got ${describe(object.name)}`,
      'Give the pipeline a string name or remove "name".',
    )
  }
  if (!Array.isArray(object.nodes)) {
    fail(
      'nodes',
      object.nodes === undefined
        ? 'The DAG has no "nodes" list'
        : `"nodes" must be a list, got ${describe(object.nodes)}`,
      'Add "nodes": a list of step names or {"name": ..., "script": ...} objects.',
    )
  }
  const edgesValue = object.edges ?? []
  if (!Array.isArray(edgesValue)) {
    fail(
      'edges',
      `"edges" must be a list, got ${describe(edgesValue)}`,
      `Write each edge as ${EDGE_FORMS}.`,
    )
  }

  const nodes = (object.nodes as unknown[]).map((entry, i) => {
    if (typeof entry === 'string') return { name: entry }
    if (entry && typeof entry === 'object' && !Array.isArray(entry)) {
      const node = entry as Record<string, unknown>
      if (typeof node.name !== 'string') {
        fail(
          `nodes[${i}].name`,
          `nodes[${i}] has no string "name"`,
          'Give every node object a "name".',
        )
      }
      if (node.script !== undefined && typeof node.script !== 'string') {
        fail(
          `nodes[${i}].script`,
          `nodes[${i}].script must be a path string`,
          'Set "script" to the script path, relative to the DAG file.',
        )
      }
      return node.script === undefined
        ? { name: node.name as string }
        : { name: node.name as string, script: node.script as string }
    }
    return fail(
      `nodes[${i}]`,
      `nodes[${i}] must be a node name or {"name": ...}, got ${describe(entry)}`,
      'List nodes as strings or {"name": "...", "script": "..."} objects.',
    )
  })

  const edges = (edgesValue as unknown[]).map((entry, i) => {
    const field = `edges[${i}]`
    if (Array.isArray(entry)) {
      if (entry.length !== 2 || typeof entry[0] !== 'string' || typeof entry[1] !== 'string') {
        fail(
          field,
          `${field} must be a pair of node names, got ${JSON.stringify(entry)}`,
          `Write each edge as ${EDGE_FORMS}.`,
        )
      }
      return { from: entry[0] as string, to: entry[1] as string }
    }
    if (entry && typeof entry === 'object') {
      const edge = entry as Record<string, unknown>
      const from = edge.from ?? edge.source
      const to = edge.to ?? edge.target
      if (typeof from !== 'string' || typeof to !== 'string') {
        fail(
          field,
          `${field} needs string "from" and "to" (or "source" and "target")`,
          `Write each edge as ${EDGE_FORMS}.`,
        )
      }
      if (edge.ports === undefined) return { from: from as string, to: to as string }
      const ports = edge.ports
      if (
        ports === null ||
        typeof ports !== 'object' ||
        Array.isArray(ports) ||
        Object.values(ports).some((v) => typeof v !== 'string')
      ) {
        fail(
          `${field}.ports`,
          `${field}.ports must map output names of "${String(from)}" to input names of "${String(to)}"`,
          'Write ports as {"<output of from>": "<input of to>"}, e.g. {"data_output": "data_input"}.',
        )
      }
      return {
        from: from as string,
        to: to as string,
        ports: { ...(ports as Record<string, string>) },
      }
    }
    return fail(
      field,
      `${field} must be an edge, got ${describe(entry)}`,
      `Write each edge as ${EDGE_FORMS}.`,
    )
  })

  return { name: object.name as string | undefined, nodes, edges }
}

function describe(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'a list'
  if (typeof value === 'string') return `the string ${JSON.stringify(value)}`
  return typeof value === 'object' ? 'an object' : `${typeof value} ${String(value)}`
}
