/**
 * `pipetest/internal`: what the adapters (`@pipetest/vitest`, `@pipetest/jest`) and the bench
 * share with the core and users do not need. Not documented, not stable; see ARCHITECTURE.md.
 * The reporters' run collector is in `pipetest/internal/report`.
 */
export { loadProjectConfig } from './config/index.js'
export { declarePipelineTests, planPipelineTests, type TestFramework } from './suite/declare.js'
export { verdictError } from './suite/user-error.js'
export { closeSharedRuns, planPipelineSuite, type SuiteCase } from './suite/index.js'
export { outputSnapshotMatcher, type MatchSnapshot } from './matchers/index.js'
export { PipelineRun, type TierResults, type TierSelection } from './engine/index.js'
export { summarizeData } from './data/index.js'
