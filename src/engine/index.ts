/** The execution engine: one scheduler that runs a pipeline's scripts for every test tier. */
export { PipelineRun, type TierResults, type TierSelection } from './pipeline-run.js'
export { RuntimeTester, type ConfiguredTierResults, type MainParams } from './runtime-tester.js'
export type { RunOptions } from './run-options.js'
export type { ExecutionPurpose, PipelineEvent } from './events.js'
export type * from './results.js'
