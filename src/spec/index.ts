export {
  DEFAULT_TEST_DATA_DIR,
  assertScriptName,
  createDefaultSpec,
  runnerKinds,
  scriptExecutionSpecSchema,
  type RunnerKind,
  type ScriptExecutionSpec,
  type ScriptExecutionSpecInput,
} from './script-execution-spec.js'
export { specFromJson, specToJson } from './spec-codec.js'
export {
  SPEC_FILE_SUFFIX,
  listSpecNames,
  loadScriptSpec,
  loadSpecFile,
  saveSpecFile,
  specFilePath,
  specsDirOf,
  type SaveSpecOptions,
} from './spec-store.js'
export {
  pipelineTestingSpecSchema,
  runtimeTestingConfigurationSchema,
  type PipelineTestingSpec,
  type RuntimeTestingConfiguration,
  type RuntimeTestingConfigurationInput,
} from './pipeline-testing-spec.js'
