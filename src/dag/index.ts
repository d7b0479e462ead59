export { PipelineDAG, type DagEdge, type DagNode, type PipelineDAGOptions } from './pipeline-dag.js'
export { loadDag, type DagSource } from './load.js'
export type { DagJson } from './dag-schema.js'
export { MAX_NODE_NAME_LENGTH, nodeNameProblem, showName } from './node-name.js'
