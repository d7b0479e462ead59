/** A DAG shape: node names and `[from, to]` edges. */
export interface Shape {
  name: string
  nodes: string[]
  edges: Array<[string, string]>
}
export function chain(length: number): Shape
export function diamond(): Shape
export function wide(count: number): Shape
export function chainWithBranches(length: number, branches: number): Shape
export function lattice(layers: number, width: number): Shape
export function criticalPathLength(shape: Shape): number
