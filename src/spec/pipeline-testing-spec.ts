import * as z from 'zod'
import { PipelineDAG } from '../dag/pipeline-dag.js'
import { lazySchema } from '../files/lazy-schema.js'
import { scriptExecutionSpecSchema } from './script-execution-spec.js'
import { DEFAULT_TEST_DATA_DIR } from './test-data-dir.js'

/**
 * Everything needed to test one pipeline: the DAG, a spec per node (keyed by node name),
 * the test data dir and the project root that relative spec paths are resolved against.
 */
const pipelineTestingSpecSchema = lazySchema(() =>
  z.object({
    dag: z.instanceof(PipelineDAG),
    scriptSpecs: z.record(z.string(), scriptExecutionSpecSchema()),
    /** The test data dir (holds `.specs/` and `.pipetest/`), absolute or relative to rootDir. */
    testWorkspaceRoot: z.string().default(DEFAULT_TEST_DATA_DIR),
    /** Absolute project root; relative paths in specs are resolved against it. */
    rootDir: z.string(),
  }),
)
export type PipelineTestingSpec = z.infer<ReturnType<typeof pipelineTestingSpecSchema>>

/**
 * Which tiers run. Unlike cursus, where these flags were ignored, every consumer honours
 * them: a disabled tier produces `skipped` results.
 */
export const runtimeTestingConfigurationSchema = lazySchema(() =>
  z.object({
    pipelineSpec: pipelineTestingSpecSchema(),
    testIndividualScripts: z.boolean().default(true),
    testDataCompatibility: z.boolean().default(true),
    testPipelineFlow: z.boolean().default(true),
  }),
)
export type RuntimeTestingConfiguration = z.infer<
  ReturnType<typeof runtimeTestingConfigurationSchema>
>
export type RuntimeTestingConfigurationInput = z.input<
  ReturnType<typeof runtimeTestingConfigurationSchema>
>
