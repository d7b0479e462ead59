/**
 * The fewest script executions that running the given tiers of a generated pipeline can
 * take, derived from the DAG and the specs' wiring alone (independently of pipetest), per
 * the engine's execution semantics:
 *
 * - an execution is identified by its node and where each input comes from;
 * - script tier of X: X on its spec inputs, except an input whose path is a parent's
 *   declared output path, which comes from that parent's script-tier execution;
 * - flow: X's inputs matched to a parent's outputs by port resolution come from the
 *   parent's flow execution, the rest as in X's script tier;
 * - edge A → B: B with the ports from A fed by A's flow execution, its other inputs as in
 *   B's script tier.
 *
 * Port resolution here covers the cases the generators produce (explicit ports, the same
 * path, equal logical names, a single output ↔ a single input) and refuses anything else,
 * so a generator change cannot silently make the expected count meaningless.
 */
export function minimumExecutions(pipeline, tiers = {}) {
  const { scripts = true, compatibility = true, flow = true } = tiers
  const { shape, specs } = pipeline
  const parentsOf = new Map(shape.nodes.map((node) => [node, []]))
  for (const [from, to] of shape.edges) parentsOf.get(to).push(from)
  const ports = new Map(
    shape.edges.map(([from, to]) => [`${from}->${to}`, portsOf(specs, from, to)]),
  )

  // Execution id → the ids of the executions whose outputs it reads.
  const upstreamOf = new Map()
  const keyOf = (node, sources) => {
    const body = Object.keys(sources)
      .sort()
      .map((input) => `${input}=${sources[input].id ?? 'spec'}#${sources[input].at}`)
      .join(',')
    const key = `${node}(${body})`
    upstreamOf.set(
      key,
      Object.values(sources).flatMap((source) => (source.id ? [source.id] : [])),
    )
    return key
  }

  const scriptMemo = new Map()
  const flowMemo = new Map()

  // The script-tier source of each input: a parent's script execution or the spec path.
  const scriptSources = (node) => {
    const sources = {}
    for (const [input, path] of Object.entries(specs[node].inputPaths)) {
      const parent = parentsOf
        .get(node)
        .find((p) => Object.values(specs[p].outputPaths).includes(path))
      sources[input] = parent
        ? { id: scriptKey(parent), at: outputAt(specs[parent], path) }
        : { at: path }
    }
    return sources
  }
  const scriptKey = (node) => {
    if (!scriptMemo.has(node)) scriptMemo.set(node, keyOf(node, scriptSources(node)))
    return scriptMemo.get(node)
  }
  const withPortsFrom = (node, parents, upstreamKey) => {
    const sources = scriptSources(node)
    for (const parent of parents) {
      for (const [output, input] of Object.entries(ports.get(`${parent}->${node}`))) {
        sources[input] = { id: upstreamKey(parent), at: output }
      }
    }
    return keyOf(node, sources)
  }
  const flowKey = (node) => {
    if (!flowMemo.has(node)) flowMemo.set(node, withPortsFrom(node, parentsOf.get(node), flowKey))
    return flowMemo.get(node)
  }
  const edgeKey = (from, to) => withPortsFrom(to, [from], flowKey)

  const wanted = []
  if (scripts) wanted.push(...shape.nodes.map(scriptKey))
  if (flow) wanted.push(...shape.nodes.map(flowKey))
  if (compatibility) wanted.push(...shape.edges.map(([from, to]) => edgeKey(from, to)))

  // Every execution a wanted one consumes must run too (e.g. A's flow run for edge A → B).
  const all = new Set()
  const collect = (key) => {
    if (all.has(key)) return
    all.add(key)
    for (const upstream of upstreamOf.get(key)) collect(upstream)
  }
  for (const key of wanted) collect(key)
  return all.size
}

function outputAt(spec, path) {
  return Object.entries(spec.outputPaths).find(([, p]) => p === path)[0]
}

function portsOf(specs, from, to) {
  const outputs = specs[from].outputPaths
  const inputs = specs[to].inputPaths
  const byPath = Object.entries(outputs).flatMap(([output, path]) =>
    Object.entries(inputs)
      .filter(([, p]) => p === path)
      .map(([input]) => [output, input]),
  )
  if (byPath.length > 0) return Object.fromEntries(byPath)
  const byName = Object.keys(outputs).filter((name) => name in inputs)
  if (byName.length > 0) return Object.fromEntries(byName.map((name) => [name, name]))
  const outs = Object.keys(outputs)
  const ins = Object.keys(inputs)
  if (outs.length === 1 && ins.length === 1) return { [outs[0]]: ins[0] }
  throw new Error(`bench generator produced edge ${from} -> ${to} without resolvable ports`)
}
