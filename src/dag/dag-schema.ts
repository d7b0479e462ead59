import * as z from 'zod'
import { lazySchema } from '../files/lazy-schema.js'
import { toDotPath } from 'zod/v4/core'
import { PipetestError } from '../errors.js'
import { isRecord } from '../files/json.js'

/** A step of the pipeline. `script` is relative to the DAG's `baseDir` (the DAG file's folder). */
export interface DagNode {
  name: string
  script?: string
  /** Names to select the node by (`--only tag:nightly`). */
  tags?: string[]
}

/**
 * A data dependency `from → to`. `ports` maps an output name of `from` to the input name of
 * `to` that consumes it; without it, ports are resolved by name when the edge is tested.
 */
export interface DagEdge {
  from: string
  to: string
  ports?: Record<string, string>
}

/**
 * The DAG file formats, once: ours (`{name, nodes, edges}`, node objects with `script`, edges
 * with `ports`), cursus' bare form (`[a, b]` or `{source, target}` edges) and cursus' current
 * document (`{version, created_at, metadata, dag: {nodes, edges}, statistics}`). Unknown keys
 * are tolerated. Messages name the field (`edges[3].ports`); graph rules (cycles, unknown
 * nodes, duplicates) are checked by PipelineDAG, which these shapes feed.
 */

const EDGE_FORMS =
  '["A", "B"], {"source": "A", "target": "B"} or {"from": "A", "to": "B", "ports": {...}}'

/** The fix for a mistake, by the field it is in (the cursus document's `dag.` left out). */
const FIXES: Array<[RegExp, string]> = [
  [/^$/, 'Write the DAG as {"nodes": [...], "edges": [...]}.'],
  [/^name$/, 'Give the pipeline a string name or remove "name".'],
  [/^version$/, 'pipetest reads cursus DAG documents of version 1.x; export the DAG with it.'],
  [/^dag$/, 'Put the graph under "dag": {"nodes": [...], "edges": [...]}.'],
  [/^nodes$/, 'Add "nodes": a list of step names or {"name": ..., "script": ...} objects.'],
  [/^nodes\[\d+\]\.name$/, 'Give every node object a "name".'],
  [/^nodes\[\d+\]\.script$/, 'Set "script" to the script path, relative to the DAG file.'],
  [/^nodes\[\d+\]\.tags/, 'Write "tags" as a list of names, e.g. ["nightly", "training"].'],
  [/^nodes\[\d+\]/, 'List nodes as strings or {"name": "...", "script": "..."} objects.'],
  [
    /^edges\[\d+\]\.ports/,
    'Write ports as {"<output of from>": "<input of to>"}, e.g. {"data_output": "data_input"}.',
  ],
  [/^edges/, `Write each edge as ${EDGE_FORMS}.`],
]

/** A step: its name, or an object naming its script (relative to the DAG file). */
const nodeSchema = lazySchema(() =>
  z.union(
    [
      z.string(),
      // Other keys of a node object are dropped: only these are ours.
      z.object({
        name: z.string({
          error: (iss) => (iss.input === undefined ? 'has no string "name"' : 'must be a string'),
        }),
        script: z.string({ error: 'must be a path string' }).optional(),
        /** Names for selecting nodes (`tag:nightly`); only ours carries them, cursus has none. */
        tags: z
          .array(z.string().min(1, 'must not be empty').regex(/^\S+$/, 'must not contain spaces'), {
            error: 'must be a list of tag names',
          })
          .optional(),
      }),
    ],
    { error: (iss) => `must be a node name or {"name": ...}, got ${describe(iss.input)}` },
  ),
)

const nodeName = lazySchema(() => z.string({ error: 'must be a node name' }))

const portsSchema = lazySchema(() => z.record(z.string(), z.string()))

/** An edge object: `from`/`to` (ours) or `source`/`target` (cursus), with optional ports. */
const edgeObject = lazySchema(() =>
  z
    .looseObject({
      from: z.unknown().optional(),
      to: z.unknown().optional(),
      source: z.unknown().optional(),
      target: z.unknown().optional(),
      ports: z.unknown().optional(),
    })
    .transform((edge, ctx): DagEdge => {
      const from = edge.from ?? edge.source
      const to = edge.to ?? edge.target
      if (typeof from !== 'string' || typeof to !== 'string') {
        ctx.issues.push({
          code: 'custom',
          input: edge,
          message: 'needs string "from" and "to" (or "source" and "target")',
        })
        return z.NEVER
      }
      if (edge.ports === undefined) return { from, to }
      const ports = portsSchema().safeParse(edge.ports)
      if (!ports.success) {
        ctx.issues.push({
          code: 'custom',
          input: edge.ports,
          path: ['ports'],
          message: `must map output names of "${from}" to input names of "${to}"`,
        })
        return z.NEVER
      }
      return { from, to, ports: ports.data }
    }),
)

const edgeSchema = lazySchema(() =>
  z.union(
    [
      z
        .tuple([nodeName(), nodeName()], {
          error: (iss) => `must be a pair of node names, got ${JSON.stringify(iss.input)}`,
        })
        .transform(([from, to]): DagEdge => ({ from, to })),
      edgeObject(),
    ],
    { error: (iss) => `must be an edge, got ${describe(iss.input)}` },
  ),
)

const graphSchema = lazySchema(() =>
  z.looseObject(
    {
      name: z.string({ error: (iss) => `must be a string, got ${describe(iss.input)}` }).optional(),
      nodes: z.array(nodeSchema(), {
        error: (iss) =>
          iss.input === undefined
            ? 'The DAG has no "nodes" list'
            : `must be a list, got ${describe(iss.input)}`,
      }),
      edges: z
        .array(edgeSchema(), { error: (iss) => `must be a list, got ${describe(iss.input)}` })
        .nullish()
        .transform((edges) => edges ?? []),
    },
    { error: (iss) => `A DAG must be a JSON object, got ${describe(iss.input)}` },
  ),
)

/** cursus' `PipelineDAGWriter` document; only `dag` matters here. */
const documentSchema = lazySchema(() =>
  z.looseObject({
    version: z
      .union([z.string(), z.number()])
      .optional()
      .refine((version) => version === undefined || String(version).split('.')[0] === '1', {
        error: (iss) => `${JSON.stringify(iss.input)} is not a version pipetest reads`,
      }),
    metadata: z.looseObject({ name: z.unknown() }).nullish(),
    dag: graphSchema(),
  }),
)

/** The DAG's shape as read: nodes and edges normalised, before the graph rules are checked. */
export interface ParsedDag {
  name: string | undefined
  nodes: DagNode[]
  edges: DagEdge[]
}

/** The JSON shape we write; we read this and the cursus shapes. */
export interface DagJson {
  name?: string
  nodes: Array<string | DagNode>
  edges: DagEdge[]
}

/**
 * Reads any accepted form into one shape, or throws DAG_INVALID naming the first offending
 * field (`edges[3]`, so it can be found in a long file) and its fix.
 */
export function parseDagJson(value: unknown, file?: string): ParsedDag {
  // Issues carry their input, so a missing key can be told from a wrong one.
  const params = { reportInput: true }
  let graph: z.output<ReturnType<typeof graphSchema>>
  let fallbackName: unknown
  if (isRecord(value) && 'dag' in value && !('nodes' in value)) {
    const document = documentSchema().safeParse(value, params)
    if (!document.success) throw invalid(document.error, file)
    graph = document.data.dag
    fallbackName = document.data.metadata?.name
  } else {
    const plain = graphSchema().safeParse(value, params)
    if (!plain.success) throw invalid(plain.error, file)
    graph = plain.data
  }
  return {
    name: graph.name ?? (typeof fallbackName === 'string' ? fallbackName : undefined),
    nodes: graph.nodes.map((node) => (typeof node === 'string' ? { name: node } : node)),
    edges: graph.edges,
  }
}

function invalid(error: z.ZodError, file: string | undefined): PipetestError {
  const { path, message, input } = explain(error.issues[0]!)
  const field = toDotPath(path)
  // A missing key is the mistake of the object that lacks it: "nodes[0] has no string "name"".
  const subject = input === undefined ? path.slice(0, -1) : path
  const label = subject.some((key) => typeof key === 'number')
    ? toDotPath(subject)
    : `"${subject.join('.')}"`
  const sentence = /^[A-Z]/.test(message) || subject.length === 0 ? message : `${label} ${message}`
  const own = field.replace(/^dag\.?/, '')
  const fix = FIXES.find(([pattern]) => pattern.test(own))?.[1] ?? FIXES[0]![1]
  return new PipetestError('DAG_INVALID', `${sentence}${file ? ` in ${file}` : ''}`, {
    field,
    hint: fix,
    ...(file ? { file } : {}),
  })
}

/**
 * The issue that explains a failure. A union that failed reports every alternative; the one
 * that accepted the value's type (an object where an object was given) says what is wrong.
 */
function explain(issue: z.core.$ZodIssue): {
  path: PropertyKey[]
  message: string
  input: unknown
} {
  if (issue.code === 'invalid_union') {
    const branch = issue.errors.find(
      (issues) =>
        !issues.every((inner) => inner.code === 'invalid_type' && inner.path.length === 0),
    )
    if (branch?.[0]) {
      const inner = explain(branch[0])
      return { ...inner, path: [...issue.path, ...inner.path] }
    }
  }
  return { path: issue.path, message: issue.message, input: issue.input }
}

function describe(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'a list'
  if (typeof value === 'string') return `the string ${JSON.stringify(value)}`
  return typeof value === 'object' ? 'an object' : `${typeof value} ${String(value)}`
}
