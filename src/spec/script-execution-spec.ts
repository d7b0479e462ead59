import { posix } from 'node:path'
import { z } from 'zod'
import { PipetestError } from '../errors.js'

/** How a script is executed; chosen from the spec or, when absent, the script's extension. */
export const runnerKinds = ['python', 'node', 'command'] as const
export const runnerKindSchema = z.enum(runnerKinds)
export type RunnerKind = z.infer<typeof runnerKindSchema>

/** Env values are strings for the process; numbers and booleans in a hand-written file are accepted. */
const envValue = z.union([z.string(), z.number(), z.boolean()]).transform(String)
const pathMap = z.record(z.string(), z.string())

/**
 * A script name is a file identity and becomes part of a file name under `.specs/`, so
 * nothing in it may escape that folder.
 */
export const scriptNameSchema = z
  .string()
  .min(1, 'must not be empty')
  .refine((name) => !/[\\/]/.test(name), 'must not contain "/" or "\\"')
  .refine((name) => !name.includes('..'), 'must not contain ".."')
  .refine((name) => !name.startsWith('.'), 'must not start with "."')
  .refine(
    // eslint-disable-next-line no-control-regex
    (name) => !/[\u0000-\u001f:*?"<>|]/.test(name),
    'must not contain control or reserved characters',
  )

/**
 * The user-owned recipe for running one script: where its inputs are, where its outputs
 * go, its environment and job arguments. In memory the keys are camelCase; on disk they are
 * the snake_case keys cursus writes (see `spec-codec.ts`).
 */
export const scriptExecutionSpecSchema = z.object({
  scriptName: scriptNameSchema,
  stepName: z.string().min(1, 'must not be empty'),
  scriptPath: z.string().min(1).optional(),
  inputPaths: pathMap.default({}),
  outputPaths: pathMap.default({}),
  environVars: z.record(z.string(), envValue).default({}),
  jobArgs: z.record(z.string(), z.unknown()).default({}),
  lastUpdated: z.string().optional(),
  userNotes: z.string().optional(),
  runner: runnerKindSchema.optional(),
  /** argv template for the command runner: `{input:NAME}`, `{output:NAME}`, `{arg:NAME}`, `{script}`. */
  command: z.array(z.string()).min(1).optional(),
  timeoutSeconds: z.number().positive().optional(),
  /** Python interpreter for this script (overrides the run's). */
  python: z.string().min(1).optional(),
  /** Keys of the spec file that pipetest does not know; written back unchanged. */
  extra: z.record(z.string(), z.unknown()).optional(),
})

export type ScriptExecutionSpec = z.infer<typeof scriptExecutionSpecSchema>
export type ScriptExecutionSpecInput = z.input<typeof scriptExecutionSpecSchema>

export const DEFAULT_TEST_DATA_DIR = 'test/integration/runtime'

/** Throws a PipetestError naming the field when `name` cannot be a script name. */
export function assertScriptName(name: string, context = 'script name'): string {
  const result = scriptNameSchema.safeParse(name)
  if (!result.success) {
    throw new PipetestError(
      'SPEC_BAD_NAME',
      `Invalid ${context} ${JSON.stringify(name)}: ${result.error.issues[0]?.message ?? 'not allowed'}`,
      {
        field: 'script_name',
        hint: 'Use the script file name without extension, e.g. "tabular_preprocessing" (letters, digits, "_", "-").',
      },
    )
  }
  return name
}

/**
 * The plan's default spec: one `data_input` and one `data_output` under the test data dir,
 * `LABEL_FIELD=label` and `job_type=testing`. Paths are relative to the project root.
 */
export function createDefaultSpec(
  scriptName: string,
  stepName: string,
  testDataDir: string = DEFAULT_TEST_DATA_DIR,
): ScriptExecutionSpec {
  assertScriptName(scriptName)
  const base = testDataDir.split(/[\\/]/).join('/')
  return {
    scriptName,
    stepName,
    inputPaths: { data_input: posix.join(base, scriptName, 'input') },
    outputPaths: { data_output: posix.join(base, scriptName, 'output') },
    environVars: { LABEL_FIELD: 'label' },
    jobArgs: { job_type: 'testing' },
  }
}
