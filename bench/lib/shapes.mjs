/**
 * DAG shapes used by the bench, as plain `{ name, nodes, edges }` objects. Node names are
 * lower-case letters and digits only, so pipetest's node → script-name conversion (which
 * drops a `_jobtype` suffix) maps each node to the script of the same name.
 */

/** n0 → n1 → … → n(length-1). */
export function chain(length) {
  const nodes = Array.from({ length }, (_, i) => `c${i}`)
  const edges = nodes.slice(1).map((node, i) => [nodes[i], node])
  return { name: `chain${length}`, nodes, edges }
}

/** a → b, a → c, b → d, c → d: the smallest fan-out/fan-in. */
export function diamond() {
  return {
    name: 'diamond',
    nodes: ['da', 'db', 'dc', 'dd'],
    edges: [
      ['da', 'db'],
      ['da', 'dc'],
      ['db', 'dd'],
      ['dc', 'dd'],
    ],
  }
}

/** `count` independent nodes: the widest possible DAG. */
export function wide(count) {
  return {
    name: `wide${count}`,
    nodes: Array.from({ length: count }, (_, i) => `w${i}`),
    edges: [],
  }
}

/**
 * `branches` independent nodes declared first, then a chain of `length`: a scheduler that
 * serves steps in declaration order leaves the chain — the critical path — for last.
 */
export function chainWithBranches(length, branches) {
  const { nodes, edges } = chain(length)
  return {
    name: `chain${length}+${branches}`,
    nodes: [...Array.from({ length: branches }, (_, i) => `b${i}`), ...nodes],
    edges,
  }
}

/**
 * `layers` layers of `width` nodes; node (i, j) depends on (i-1, j) and (i-1, j+1 mod width),
 * so every layer waits for the previous one, each node has two parents (fan-in) and two
 * children (fan-out), and the critical path is `layers` nodes long.
 */
export function lattice(layers, width) {
  const id = (i, j) => `l${i}x${j}`
  const nodes = []
  const edges = []
  for (let i = 0; i < layers; i++) {
    for (let j = 0; j < width; j++) {
      nodes.push(id(i, j))
      if (i === 0) continue
      const parents = new Set([id(i - 1, j), id(i - 1, (j + 1) % width)])
      for (const parent of parents) edges.push([parent, id(i, j)])
    }
  }
  return { name: `lattice${layers}x${width}`, nodes, edges }
}

/** Nodes on the longest path (the critical path, in nodes). */
export function criticalPathLength(shape) {
  const parents = new Map(shape.nodes.map((node) => [node, []]))
  for (const [from, to] of shape.edges) parents.get(to).push(from)
  const depth = new Map()
  const visit = (node) => {
    if (!depth.has(node)) {
      depth.set(node, 1 + Math.max(0, ...parents.get(node).map(visit)))
    }
    return depth.get(node)
  }
  return Math.max(0, ...shape.nodes.map(visit))
}
