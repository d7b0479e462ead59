export {
  DEFAULT_TEST_DATA_DIR,
  assertScriptName,
  createDefaultSpec,
  DEFAULT_PLACEHOLDER,
  isDefaultPlaceholder,
  runnerKinds,
  scriptExecutionSpecSchema,
  specFileKey,
  specFileKeys,
  specFileSchema,
  type RunnerKind,
  type ScriptExecutionSpec,
  type ScriptExecutionSpecInput,
} from './script-execution-spec.js'
export { parseScriptSpec, specFileText, specFromJson, specToJson } from './spec-codec.js'
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
export { DEFAULT_JOB_TYPE, effectiveJobArgs, parseJobArg, showJobArg } from './job-args.js'
