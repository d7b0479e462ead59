import { z } from 'zod'
import { PipetestError } from '../errors.js'
import {
  runnerKindSchema,
  scriptNameSchema,
  type ScriptExecutionSpec,
} from './script-execution-spec.js'

/**
 * The one place where the on-disk form (cursus' snake_case keys) and the in-memory form
 * (camelCase) meet. Files written by the Python tool load unchanged; keys neither tool
 * knows are kept in `extra` and written back, so a load/save round trip loses nothing.
 */
const knownKeys = {
  script_name: 'scriptName',
  step_name: 'stepName',
  script_path: 'scriptPath',
  input_paths: 'inputPaths',
  output_paths: 'outputPaths',
  environ_vars: 'environVars',
  job_args: 'jobArgs',
  last_updated: 'lastUpdated',
  user_notes: 'userNotes',
  runner: 'runner',
  command: 'command',
  timeout_seconds: 'timeoutSeconds',
  python: 'python',
} as const satisfies Record<string, keyof ScriptExecutionSpec>

const nullable = <T extends z.ZodType>(schema: T) =>
  schema
    .nullable()
    .optional()
    .transform((v) => v ?? undefined)

const onDiskSpecSchema = z.object({
  script_name: scriptNameSchema,
  step_name: z.string().min(1, 'must not be empty'),
  script_path: nullable(z.string().min(1, 'must not be empty')),
  input_paths: z.record(z.string(), z.string()).default({}),
  output_paths: z.record(z.string(), z.string()).default({}),
  environ_vars: z
    .record(z.string(), z.union([z.string(), z.number(), z.boolean()]).transform(String))
    .default({}),
  job_args: z.record(z.string(), z.unknown()).default({}),
  last_updated: nullable(z.string()),
  user_notes: nullable(z.string()),
  runner: nullable(runnerKindSchema),
  command: nullable(z.array(z.string()).min(1)),
  timeout_seconds: nullable(z.number().positive()),
  python: nullable(z.string().min(1)),
})

const fixes: Record<string, string> = {
  script_name:
    'Set "script_name" to the script file name without extension (e.g. "tabular_preprocessing").',
  step_name: 'Set "step_name" to the DAG node this spec belongs to.',
  input_paths: 'Write "input_paths" as {"<logical name>": "<path>"} with string paths.',
  output_paths: 'Write "output_paths" as {"<logical name>": "<path>"} with string paths.',
  environ_vars: 'Write "environ_vars" as {"NAME": "value"}.',
  job_args: 'Write "job_args" as an object, e.g. {"job_type": "training"}.',
  runner:
    'Set "runner" to "python", "node" or "command", or remove it to choose by file extension.',
  command:
    'Write "command" as a list of arguments, e.g. ["./run.sh", "{input:data_input}", "{output:data_output}"].',
  timeout_seconds: 'Set "timeout_seconds" to a positive number of seconds.',
  script_path: 'Set "script_path" to the script file (relative to the project root) or null.',
}

/** Converts parsed JSON from a spec file into a ScriptExecutionSpec, or throws naming the field. */
export function specFromJson(json: unknown, file: string): ScriptExecutionSpec {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw new PipetestError('SPEC_INVALID', `Spec file ${file} must hold a JSON object`, {
      file,
      hint: 'A spec file looks like {"script_name": "...", "step_name": "...", "input_paths": {...}, "output_paths": {...}}.',
    })
  }
  const result = onDiskSpecSchema.safeParse(json)
  if (!result.success) {
    const issues = result.error.issues
    const first = issues[0]!
    const field = first.path.map(String).join('.')
    const lines = issues.map(
      (issue) =>
        `  - ${issue.path.map(String).join('.') || '(root)'}: ${describeIssue(issue, json)}`,
    )
    const top = String(first.path[0] ?? '')
    throw new PipetestError('SPEC_INVALID', `Spec file ${file} is invalid:\n${lines.join('\n')}`, {
      file,
      field,
      hint: fixes[top] ?? 'Fix the field named above.',
    })
  }
  const data = result.data
  const extra: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(json)) {
    if (!(key in knownKeys)) extra[key] = value
  }
  const spec: ScriptExecutionSpec = {
    scriptName: data.script_name,
    stepName: data.step_name,
    inputPaths: data.input_paths,
    outputPaths: data.output_paths,
    environVars: data.environ_vars,
    jobArgs: data.job_args,
  }
  if (data.script_path !== undefined) spec.scriptPath = data.script_path
  if (data.last_updated !== undefined) spec.lastUpdated = data.last_updated
  if (data.user_notes !== undefined) spec.userNotes = data.user_notes
  if (data.runner !== undefined) spec.runner = data.runner
  if (data.command !== undefined) spec.command = data.command
  if (data.timeout_seconds !== undefined) spec.timeoutSeconds = data.timeout_seconds
  if (data.python !== undefined) spec.python = data.python
  if (Object.keys(extra).length > 0) spec.extra = extra
  return spec
}

/**
 * The on-disk object: cursus' keys in cursus' order (nulls where cursus writes None), then
 * our optional keys when set, then the unknown keys the file came with.
 */
export function specToJson(spec: ScriptExecutionSpec): Record<string, unknown> {
  const json: Record<string, unknown> = {
    script_name: spec.scriptName,
    step_name: spec.stepName,
    script_path: spec.scriptPath ?? null,
    input_paths: spec.inputPaths,
    output_paths: spec.outputPaths,
    environ_vars: spec.environVars,
    job_args: spec.jobArgs,
    last_updated: spec.lastUpdated ?? null,
    user_notes: spec.userNotes ?? null,
  }
  if (spec.runner !== undefined) json.runner = spec.runner
  if (spec.command !== undefined) json.command = spec.command
  if (spec.timeoutSeconds !== undefined) json.timeout_seconds = spec.timeoutSeconds
  if (spec.python !== undefined) json.python = spec.python
  for (const [key, value] of Object.entries(spec.extra ?? {})) {
    if (!(key in json)) json[key] = value
  }
  return json
}

function describeIssue(issue: z.core.$ZodIssue, json: object): string {
  const actual = issue.path.reduce<unknown>(
    (value, key) =>
      value && typeof value === 'object'
        ? (value as Record<PropertyKey, unknown>)[key as PropertyKey]
        : undefined,
    json,
  )
  if (issue.code === 'invalid_type') {
    const got =
      actual === undefined
        ? 'nothing (the field is missing)'
        : actual === null
          ? 'null'
          : Array.isArray(actual)
            ? 'a list'
            : `${typeof actual} ${JSON.stringify(actual)}`
    return `expected ${issue.expected}, got ${got}`
  }
  if (issue.code === 'invalid_value') {
    return `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}, got ${JSON.stringify(actual)}`
  }
  return `${issue.message}${actual !== undefined ? ` (got ${JSON.stringify(actual)})` : ''}`
}
