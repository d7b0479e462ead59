/**
 * @pipetest/jest — every node, edge and the whole flow of a data/ML pipeline as Jest tests,
 * plus matchers for hand-written ones. A facade: planning, running and failure messages live
 * in the core (`pipetest`); this package maps them onto describe/test, and its test
 * environment (`@pipetest/jest/environment`) carries per-test properties to jest-junit.
 */
import { afterAll } from '@jest/globals'
import { closeSharedRuns } from 'pipetest/internal'
import { CLOSE_TIMEOUT_MS } from './describe-pipeline.js'
import './matchers.js'

export { describePipeline } from './describe-pipeline.js'
export { outputSnapshot, readOutput, runPipeline, runScript, pipetestMatchers } from 'pipetest'
export type {
  CaseVerdict,
  PipelineSuiteOptions,
  PipelineSuitePlan,
  PipetestMatchers,
  RunHelperOptions,
  ScriptOverrides,
  OutputData,
  OutputSnapshot,
  SnapshotOptions,
  DataRow,
} from 'pipetest'

// Hand-written `runScript`/`runPipeline` calls share runs with the generated tests; close them
// when the file is done.
afterAll(() => closeSharedRuns(), CLOSE_TIMEOUT_MS)
