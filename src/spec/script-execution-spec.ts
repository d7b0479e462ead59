import { posix } from 'node:path'
import * as z from 'zod'
import { contractFix, portContractsSchema, type PortContracts } from '../data/contract.js'
import { PipetestError } from '../errors.js'
import { isJsonNumber, toPlainJson, type JsonNumber } from '../files/json.js'
import { lazySchema } from '../files/lazy-schema.js'
import { DEFAULT_TEST_DATA_DIR } from './test-data-dir.js'

/** How a script is executed; chosen from the spec or, when absent, the script's extension. */
export const runnerKinds = ['python', 'node', 'command'] as const
export type RunnerKind = (typeof runnerKinds)[number]

/** A number kept as written in the file (`1.0`, `2**63`, `NaN`): see `files/json.ts`. */
const jsonNumberSchema = lazySchema(() => z.custom<JsonNumber>(isJsonNumber, 'expected a number'))

/** Env values are strings for the process; numbers and booleans in a hand-written file are accepted. */
const envValue = () =>
  z.codec(z.union([z.string(), z.number(), z.boolean(), jsonNumberSchema()]), z.string(), {
    decode: (value) => (isJsonNumber(value) ? value.jsonNumber : String(value)),
    encode: (s) => s,
  })
/** `30.0` in a file is the number 30 here. */
const seconds = () =>
  z.codec(z.union([z.number(), jsonNumberSchema()]), z.number().positive(), {
    decode: (value) => (isJsonNumber(value) ? Number(value.jsonNumber) : value),
    encode: (n) => n,
  })
const pathMap = () => z.record(z.string(), z.string())
/**
 * Data contracts per port; `1.0` in a file is the number 1 there. Their schemas (src/data)
 * are built only when a spec has contracts.
 */
const contracts = () =>
  z.codec(z.record(z.string(), z.unknown()), z.lazy(portContractsSchema), {
    decode: (value) => toPlainJson(value) as PortContracts,
    encode: (value) => value,
  })

/**
 * A script name is a file identity and becomes part of a file name under `.specs/`, so
 * nothing in it may escape that folder.
 */
export const scriptNameSchema = lazySchema(() =>
  z
    .string()
    .min(1, 'must not be empty')
    .refine((name) => !/[\\/]/.test(name), 'must not contain "/" or "\\"')
    .refine((name) => !name.includes('..'), 'must not contain ".."')
    .refine((name) => !name.startsWith('.'), 'must not start with "."')
    .refine(
      // eslint-disable-next-line no-control-regex
      (name) => !/[\u0000-\u001f:*?"<>|]/.test(name),
      'must not contain control or reserved characters',
    ),
)

interface SpecField<S extends z.ZodType = z.ZodType> {
  /** Builds the field's schema: {@link fieldSchemas} does, once, when a spec is first read. */
  schema: () => S
  /** What to write instead, in the words of the spec file. */
  fix: string
}

/**
 * Every field of a spec, once: its type in memory (camelCase) and how to fix a bad value.
 * The on-disk key is the snake_case of the name (`inputPaths` ↔ `input_paths`); the file
 * form, the codec between the two and the messages are derived from these tables, so a new
 * field is one entry here. cursus' model has the first ones: they are written in its order,
 * as null when unset.
 */
const cursusFields = {
  scriptName: {
    schema: scriptNameSchema,
    fix: 'Set "script_name" to the script file name without extension (e.g. "tabular_preprocessing").',
  },
  /** The DAG node; empty is accepted (as by cursus): the node is then found by name. */
  stepName: {
    schema: () => z.string(),
    fix: 'Set "step_name" to the DAG node this spec belongs to.',
  },
  /** Empty is accepted (as by cursus) and means "find the script by name". */
  scriptPath: {
    schema: () => z.string().optional(),
    fix: 'Set "script_path" to the script file (relative to the project root) or null.',
  },
  inputPaths: {
    schema: () => pathMap().default({}),
    fix: 'Write "input_paths" as {"<logical name>": "<path>"} with string paths.',
  },
  outputPaths: {
    schema: () => pathMap().default({}),
    fix: 'Write "output_paths" as {"<logical name>": "<path>"} with string paths.',
  },
  environVars: {
    schema: () => z.record(z.string(), envValue()).default({}),
    fix: 'Write "environ_vars" as {"NAME": "value"}.',
  },
  jobArgs: {
    schema: () => z.record(z.string(), z.unknown()).default({}),
    fix: 'Write "job_args" as an object, e.g. {"job_type": "training"}.',
  },
  lastUpdated: {
    schema: () => z.string().optional(),
    fix: 'Set "last_updated" to an ISO date string or null.',
  },
  userNotes: {
    schema: () => z.string().optional(),
    fix: 'Set "user_notes" to a string or null.',
  },
} satisfies Record<string, SpecField>

const specFields = {
  ...cursusFields,
  runner: {
    schema: () => z.enum(runnerKinds).optional(),
    fix: 'Set "runner" to "python", "node" or "command", or remove it to choose by file extension.',
  },
  /** argv template for the command runner: `{input:NAME}`, `{output:NAME}`, `{arg:NAME}`, `{script}`. */
  command: {
    schema: () => z.array(z.string()).min(1).optional(),
    fix: 'Write "command" as a list of arguments, e.g. ["./run.sh", "{input:data_input}", "{output:data_output}"].',
  },
  timeoutSeconds: {
    schema: () => seconds().optional(),
    fix: 'Set "timeout_seconds" to a positive number of seconds.',
  },
  /**
   * Where the script runs: by default a folder of its own inside its execution folder
   * (`work/`), so relative writes never land in the repository; `project` keeps the project
   * root, for scripts that read relative paths.
   */
  workingDir: {
    schema: () => z.enum(['execution', 'project']).optional(),
    fix: 'Set "working_dir" to "project" (run in the project root, for scripts that read relative paths) or "execution" (the default: a folder of its own in the run folder).',
  },
  /** Python interpreter for this script (overrides the run's). */
  python: {
    schema: () => z.string().min(1).optional(),
    fix: 'Set "python" to an interpreter (e.g. "python3.11" or ".venv/bin/python"), or remove it.',
  },
  /**
   * The execution cache (src/cache): what the script reads that pipetest cannot see — files
   * (globs relative to the project root) and variables of the outer environment — so a change
   * to them runs it again; or `false`: never cached (a script reading the network or the clock).
   */
  cache: {
    schema: () =>
      z
        .union([
          z.boolean(),
          z
            .object({
              files: z.array(z.string().min(1)).optional(),
              env: z.array(z.string().min(1)).optional(),
            })
            .strict(),
        ])
        .optional(),
    fix: 'Set "cache" to false (never cache this script) or to {"files": ["config/*.yaml"], "env": ["AWS_REGION"]} (what the script reads besides its inputs).',
  },
  /**
   * How a Python script's interpreter starts: by default a fork of the preloading worker
   * where it cannot differ from a fresh interpreter; `fresh` always starts a new one.
   */
  isolation: {
    schema: () => z.enum(['worker', 'fresh']).optional(),
    fix: 'Set "isolation" to "fresh" (a new Python interpreter for every execution of this script) or "worker" (the default: a fork of the preloading worker where equivalent).',
  },
  /** What each output must hold, by output name (src/data/contract.ts). */
  outputContracts: {
    schema: () => contracts().optional(),
    fix: contractFix('output_contracts'),
  },
  /** What each input must hold, by input name: checked before the script runs. */
  inputContracts: {
    schema: () => contracts().optional(),
    fix: contractFix('input_contracts'),
  },
} satisfies Record<string, SpecField>

type SpecFieldName = keyof typeof specFields
type SpecShape = { [K in SpecFieldName]: ReturnType<(typeof specFields)[K]['schema']> }

const fieldEntries = Object.entries(specFields) as Array<[SpecFieldName, SpecField]>

/** `inputPaths` → `input_paths`: the key cursus and the spec files use. */
export function specFileKey(field: string): string {
  return field.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`)
}

const fieldOfKey = new Map(fieldEntries.map(([name]) => [specFileKey(name), name]))

/** The on-disk keys a spec file may have, in the order they are written. */
export const specFileKeys: readonly string[] = [...fieldOfKey.keys()]

/** How to fix a bad value of the field with this on-disk key, or undefined for an unknown key. */
export function specFieldFix(key: string): string | undefined {
  const field = fieldOfKey.get(key)
  return field && specFields[field].fix
}

/**
 * The user-owned recipe for running one script: where its inputs are, where its outputs
 * go, its environment and job arguments. In memory the keys are camelCase; on disk they are
 * the snake_case keys cursus writes ({@link specFileSchema}).
 */
export const scriptExecutionSpecSchema = lazySchema(() =>
  z.object({
    ...fieldSchemas(),
    /** Keys of the spec file that pipetest does not know; written back unchanged. */
    extra: z.record(z.string(), z.unknown()).optional(),
  }),
)

/** Each field's schema, built once for both forms of a spec. */
const fieldSchemas = lazySchema(
  () =>
    Object.fromEntries(fieldEntries.map(([name, field]) => [name, field.schema()])) as SpecShape,
)

export type ScriptExecutionSpec = z.infer<ReturnType<typeof scriptExecutionSpecSchema>>
export type ScriptExecutionSpecInput = z.input<ReturnType<typeof scriptExecutionSpecSchema>>

/**
 * A spec file's JSON object (cursus' snake_case keys; `null` for an unset optional field, as
 * cursus writes `None`; unknown keys allowed). Validated here, so issues carry the keys the
 * user sees in the file.
 */
const onDiskSchema = lazySchema(() =>
  z.looseObject(
    Object.fromEntries(
      Object.entries(fieldSchemas()).map(([name, schema]: [string, z.ZodType]) => [
        specFileKey(name),
        schema instanceof z.ZodOptional ? schema.nullable() : schema,
      ]),
    ),
  ),
)

/**
 * The one mapping between a spec file's object and a {@link ScriptExecutionSpec}:
 * `z.decode(specFileSchema, json)` reads a file's object, `z.encode(specFileSchema, spec)`
 * gives the object to write: cursus' keys in cursus' order (null where cursus writes None),
 * then ours when set, then the unknown keys the file came with.
 */
export const specFileSchema = lazySchema(() =>
  z.codec(onDiskSchema(), scriptExecutionSpecSchema(), {
    decode: (json) => {
      const spec: Record<string, unknown> = {}
      const extra: Record<string, unknown> = {}
      for (const [key, value] of Object.entries(json)) {
        const field = fieldOfKey.get(key)
        if (field === undefined) extra[key] = value
        else if (value !== null && value !== undefined) spec[field] = value
      }
      if (Object.keys(extra).length > 0) spec.extra = extra
      return spec as ScriptExecutionSpecInput
    },
    encode: (spec) => {
      const json: Record<string, unknown> = {}
      for (const [name] of fieldEntries) {
        const value = spec[name]
        if (value !== undefined) json[specFileKey(name)] = value
        else if (name in cursusFields) json[specFileKey(name)] = null
      }
      for (const [key, value] of Object.entries(spec.extra ?? {})) {
        if (!(key in json)) json[key] = value
      }
      return json
    },
  }),
)

/** Throws a PipetestError naming the field when `name` cannot be a script name. */
export function assertScriptName(name: string, context = 'script name'): string {
  const result = scriptNameSchema().safeParse(name)
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

/** How a message names a value {@link createDefaultSpec} fills in (see `isDefaultPlaceholder`). */
export const DEFAULT_PLACEHOLDER = "the default spec's placeholder"

/**
 * Whether `spec` still holds {@link createDefaultSpec}'s value for an input, output or
 * environment variable: older `init` versions wrote these before they read scripts (as
 * `persistDefaults` still does), so a script that never reads one is no reason to put data there.
 */
export function isDefaultPlaceholder(
  spec: Pick<ScriptExecutionSpec, 'scriptName' | 'stepName'>,
  role: 'inputs' | 'outputs' | 'env',
  name: string,
  value: string | undefined,
  testDataDir: string,
): boolean {
  const defaults = createDefaultSpec(spec.scriptName, spec.stepName, testDataDir)
  const field = ({ inputs: 'inputPaths', outputs: 'outputPaths', env: 'environVars' } as const)[
    role
  ]
  const expected = defaults[field][name]
  if (expected === undefined || value === undefined) return false
  return role === 'env' ? value === expected : value.split(/[\\/]/).join('/') === expected
}
