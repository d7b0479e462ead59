/**
 * pipetest — test data/ML pipelines by running their real scripts.
 *
 * The documented façade, and only it (README "Library API", "Matchers and helpers"): the DAG,
 * the spec builder, `RuntimeTester` over the engine, the helpers and matchers for hand-written
 * tests, and the types of what they take and return. What only the adapters, the CLI and the
 * bench need is in `pipetest/internal` (see ARCHITECTURE.md).
 */
export { PipetestError, isPipetestError, type PipetestErrorCode } from './errors.js'
export {
  PipelineDAG,
  type DagEdge,
  type DagJson,
  type DagNode,
  type DagSource,
  type PipelineDAGOptions,
} from './dag/index.js'
export type {
  PipelineTestingSpec,
  RunnerKind,
  RuntimeTestingConfiguration,
  RuntimeTestingConfigurationInput,
  ScriptExecutionSpec,
  ScriptExecutionSpecInput,
} from './spec/index.js'
export {
  PipelineTestingSpecBuilder,
  type BuilderOptions,
  type DagReport,
  type NodeReport,
  type ScriptMainParams,
  type SpecProblem,
  type SpecProblemKind,
  type UpdateSpecOptions,
} from './builder/index.js'
export { RuntimeTester, type ConfiguredTierResults, type MainParams } from './engine/index.js'
export type { RunOptions } from './engine/index.js'
export type * from './engine/results.js'
export {
  outputSnapshot,
  readOutput,
  runPipeline,
  runScript,
  type CaseVerdict,
  type PipelineSuiteOptions,
  type PipelineSuitePlan,
  type RunHelperOptions,
  type ScriptOverrides,
  type SuiteTier,
} from './suite/index.js'
export {
  pipetestMatchers,
  toBeCompatibleWith,
  toHaveColumns,
  toHaveMetric,
  toHaveRowCount,
  toHaveRowsSatisfying,
  toMatchDataContract,
  toProduceOutputs,
  toProduceOutputsFor,
  toRunSuccessfully,
  type MatcherResult,
  type MetricRange,
  type PipetestMatchers,
  type RowCount,
} from './matchers/index.js'
export {
  readData,
  type DataContract,
  type DataRow,
  type OutputData,
  type OutputSnapshot,
  type SnapshotOptions,
} from './data/index.js'
