export { planPipelineSuite } from './plan.js'
export { runScript, runPipeline, type RunHelperOptions, type ScriptOverrides } from './helpers.js'
export { readOutput } from './read-output.js'
export { outputSnapshot } from './output-snapshot.js'
export { closeSharedRuns } from './shared-runs.js'
export { formatEdgeFailure, formatExecutionFailure } from './format.js'
export type {
  CaseVerdict,
  PipelineSuiteOptions,
  PipelineSuitePlan,
  SuiteCase,
  SuiteTier,
} from './types.js'
