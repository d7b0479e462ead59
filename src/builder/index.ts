export {
  PipelineTestingSpecBuilder,
  type BuilderOptions,
  type DagReport,
  type NodeReport,
  type ScriptMainParams,
  type UpdateSpecOptions,
} from './pipeline-testing-spec-builder.js'
export type { NodeResolution, ResolutionSource } from './resolve-node.js'
export type { SpecProblem, SpecProblemKind } from './spec-problem.js'
export type { SpecCreation, SpecTemplate } from './missing-specs.js'
export { toScriptName } from './script-name.js'
export {
  checkPipeline,
  type PipelineCheck,
  type PipelineCheckOptions,
  type PipelineProblem,
} from './pipeline-check.js'
export type { ContractProblem, ContractProblemKind } from './contract-check.js'
export type { PortProblem } from './port-check.js'
export { specFromContract, type SpecTodo } from './contract-spec.js'
