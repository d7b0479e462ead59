export { planPipelineSuite } from './plan.js'
export { runScript, runPipeline, type RunHelperOptions } from './helpers.js'
export { closeSharedRuns } from './shared-runs.js'
export { verdictError } from './user-error.js'
export {
  formatBlocked,
  formatEdgeFailure,
  formatExecutionFailure,
  formatFlowFailure,
} from './format.js'
export type {
  CaseVerdict,
  PipelineSuiteOptions,
  PipelineSuitePlan,
  SuiteCase,
  SuiteGroup,
  SuiteTier,
} from './types.js'
