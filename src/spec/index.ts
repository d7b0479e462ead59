export { DEFAULT_TEST_DATA_DIR } from './test-data-dir.js'
export {
  assertScriptName,
  createDefaultSpec,
  DEFAULT_PLACEHOLDER,
  isDefaultPlaceholder,
  runnerKinds,
  scriptExecutionSpecSchema,
  specFileKeys,
  type RunnerKind,
  type ScriptExecutionSpec,
  type ScriptExecutionSpecInput,
} from './script-execution-spec.js'
export { parseScriptSpec, specFileText, specFromJson, specToJson } from './spec-codec.js'
export {
  SPEC_FILE_SUFFIX,
  listSpecNames,
  loadSpecFile,
  saveSpecFile,
  specFilePath,
  specsDirOf,
} from './spec-store.js'
export {
  runtimeTestingConfigurationSchema,
  type PipelineTestingSpec,
  type RuntimeTestingConfiguration,
  type RuntimeTestingConfigurationInput,
} from './pipeline-testing-spec.js'
export { effectiveJobArgs, parseJobArg, showJobArg } from './job-args.js'
