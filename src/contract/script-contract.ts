import * as z from 'zod'
import { lazySchema } from '../files/lazy-schema.js'

/**
 * A script's contract: the names it reads (inputs, outputs, environment variables, job
 * arguments), what it imports and how `main` is declared — read from its code, never by
 * running it. `init` fills specs from it and `validate` checks specs against it.
 */

/** The four dicts a script's `main` receives; also how contract entries are grouped. */
export const contractRoles = ['inputs', 'outputs', 'env', 'jobArgs'] as const
export type ContractRole = (typeof contractRoles)[number]

const computedDefault = lazySchema(() => z.object({ computed: z.string() }))

/** One name the script reads. */
const contractKeySchema = lazySchema(() =>
  z.object({
    name: z.string(),
    /** Read without a default and without checking it is there first (`input_paths["x"]`). */
    required: z.boolean(),
    /** 1-based line of the read that decides `required` (the first read otherwise). */
    line: z.number().int().optional(),
    /**
     * The literal default (`environ_vars.get("K", "0.5")` → "0.5"); `null` for `.get("K")`;
     * `{computed}` when the default is an expression. Absent when the read has none.
     */
    default: z.union([z.string(), z.number(), z.boolean(), z.null(), computedDefault()]).optional(),
    /** `os.environ`: read from the process environment, not from `environ_vars`. */
    via: z.literal('os.environ').optional(),
  }),
)
export type ContractKey = z.infer<ReturnType<typeof contractKeySchema>>

/** A place where the contract cannot list a name, and why; never a guess. */
const contractGapSchema = lazySchema(() =>
  z.object({
    role: z.enum(contractRoles),
    line: z.number().int(),
    reason: z.string(),
  }),
)
export type ContractGap = z.infer<ReturnType<typeof contractGapSchema>>

const contractImportSchema = lazySchema(() =>
  z.object({
    /** As written: `sklearn.model_selection`. */
    module: z.string(),
    line: z.number().int(),
    kind: z.enum(['stdlib', 'third-party', 'local']),
    /** The interpreter can find it (a local one: the file exists). */
    available: z.boolean(),
    /** A local module's file. */
    file: z.string().optional(),
    /** Imported by this local module of the script, not by the script itself. */
    from: z.string().optional(),
    /** Inside `try: … except ImportError`: the script copes without it. */
    guarded: z.boolean().optional(),
    /** Inside a function: imported only when that function runs. */
    inFunction: z.boolean().optional(),
  }),
)
export type ContractImport = z.infer<ReturnType<typeof contractImportSchema>>

const mainParameterSchema = lazySchema(() =>
  z.object({
    name: z.string(),
    kind: z.enum([
      'positional-only',
      'positional',
      'keyword-only',
      'var-positional',
      'var-keyword',
    ]),
    hasDefault: z.boolean(),
  }),
)
export type MainParameter = z.infer<ReturnType<typeof mainParameterSchema>>

/** How `main` is declared: a top-level def, none at all, or something only a run can tell. */
const mainDeclarationSchema = lazySchema(() =>
  z.discriminatedUnion('kind', [
    z.object({
      kind: z.literal('def'),
      line: z.number().int(),
      parameters: z.array(mainParameterSchema()),
    }),
    z.object({ kind: z.literal('no-main') }),
    /** Imported, assigned or defined under an `if`: the harness checks it when the script runs. */
    z.object({ kind: z.literal('unknown') }),
  ]),
)
export type MainDeclaration = z.infer<ReturnType<typeof mainDeclarationSchema>>

/** The contract could not be read at all (a syntax error, an unreadable file). */
const contractErrorSchema = lazySchema(() =>
  z.object({
    kind: z.string(),
    message: z.string(),
    line: z.number().int().nullable().optional(),
  }),
)

/** A `framework_requirements` entry of a cursus contract, against what is installed. */
export interface FrameworkRequirement {
  distribution: string
  specifier: string
  /** Installed version, or null when the distribution is not installed. */
  installed: string | null
  satisfied: boolean
}

/** A cursus `*_contract.py`, read statically. */
export interface CursusContract {
  file: string
  line?: number
  entryPoint?: string
  inputs: string[]
  outputs: string[]
  requiredEnv: string[]
  optionalEnv: Record<string, string>
  arguments: string[]
  frameworkRequirements: FrameworkRequirement[]
  /** Fields whose value is not a literal, so they could not be read. */
  unreadable: string[]
}

export type ContractSource = 'code' | 'node-export' | 'command-template' | 'none'

/** What the Python extractor reads of one script (and a Node export or a command, less). */
const scriptReadSchema = lazySchema(() =>
  z.object({
    main: mainDeclarationSchema(),
    inputs: z.array(contractKeySchema()),
    outputs: z.array(contractKeySchema()),
    env: z.array(contractKeySchema()),
    jobArgs: z.array(contractKeySchema()),
    /** Keys computed at run time (`input_paths[name]`): the lists above may miss some. */
    computed: z.array(contractGapSchema()),
    /**
     * Dicts the script uses as a whole (iterates, passes to an unknown function): it may read
     * keys the lists above do not show, so a spec key it seems not to read is no warning.
     */
    whole: z.array(contractGapSchema()),
    imports: z.array(contractImportSchema()),
    /** Local modules the script imports, transitively (absolute paths). */
    localFiles: z.array(z.string()),
  }),
)

export type ScriptContract = Omit<z.infer<ReturnType<typeof scriptReadSchema>>, 'main'> & {
  scriptPath: string
  language: 'python' | 'node' | 'command'
  /** Where the names come from: the code, a Node `contract` export, a command's argv template. */
  source: ContractSource
  main?: MainDeclaration
  /** The interpreter that read it (Python): its imports were looked up there. */
  interpreter?: { executable: string; version: string }
  cursus?: CursusContract
  /** Why the cursus contract file next to the script could not be read. */
  cursusError?: string
  /** What went wrong, with the fix as `hint` when there is one (an interpreter to install). */
  error?: { kind: string; message: string; hint?: string; line?: number | null }
}

/** What the Python extractor prints per cursus contract file: a ScriptContract call's literals. */
const cursusReadSchema = lazySchema(() =>
  z.object({
    line: z.number().int(),
    fields: z.record(z.string(), z.unknown()),
    unreadable: z.array(z.string()),
    installed: z.record(z.string(), z.string().nullable()),
  }),
)
export type CursusRead = z.infer<ReturnType<typeof cursusReadSchema>>

const failed = lazySchema(() => z.object({ error: contractErrorSchema() }))

/** What the Python extractor prints. */
export const extractionSchema = lazySchema(() =>
  z.object({
    python: z.object({ executable: z.string(), version: z.string() }),
    scripts: z.record(z.string(), z.union([failed(), scriptReadSchema()])),
    contracts: z.record(z.string(), z.union([failed(), cursusReadSchema()])),
  }),
)
export type Extraction = z.infer<ReturnType<typeof extractionSchema>>

/** A default a spec can hold as written: a string, a number or a boolean. */
export function isLiteral(value: unknown): value is string | number | boolean {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'
}

/** A contract with nothing known yet, for a script of the given language. */
export function emptyContract(
  scriptPath: string,
  language: ScriptContract['language'],
  source: ContractSource = 'none',
): ScriptContract {
  return {
    scriptPath,
    language,
    source,
    inputs: [],
    outputs: [],
    env: [],
    jobArgs: [],
    computed: [],
    whole: [],
    imports: [],
    localFiles: [],
  }
}
