import { probeProcess } from '../runners/index.js'
import * as z from 'zod'
import { lazySchema } from '../files/lazy-schema.js'
import {
  emptyContract,
  isLiteral,
  type ContractKey,
  type ContractRole,
  type ScriptContract,
} from './script-contract.js'

const IMPORT_TIMEOUT_MS = 60_000

/**
 * A Node script declares its contract by exporting one, next to `main`:
 *
 *   export const contract = {
 *     inputs: ['records'],                 // names main reads from inputPaths (required)
 *     optionalInputs: ['reference'],
 *     outputs: ['clean_orders'],
 *     env: { MIN_QUANTITY: '1', API_KEY: null },   // default, or null: required
 *     jobArgs: { job_type: null },
 *   }
 *
 * JavaScript has no `ast` in the box to read it statically, so the modules are imported in
 * one child Node process (their top-level code runs, as when the harness loads them; `main`
 * is never called) and only the `contract` export is printed.
 */
const nodeContractSchema = lazySchema(() =>
  z.object({
    inputs: z.array(z.string()).default([]),
    optionalInputs: z.array(z.string()).default([]),
    outputs: z.array(z.string()).default([]),
    optionalOutputs: z.array(z.string()).default([]),
    env: z.record(z.string(), z.union([z.string(), z.null()])).default({}),
    jobArgs: z.record(z.string(), z.unknown()).default({}),
  }),
)

/** Prints `{path: contract | null | {error}}` for the module paths in argv. */
const READER = `
const { pathToFileURL } = await import('node:url')
const out = {}
for (const file of process.argv.slice(1)) {
  try {
    const mod = await import(pathToFileURL(file).href)
    const contract = mod.contract ?? mod.default?.contract ?? null
    out[file] = contract === null ? null : JSON.parse(JSON.stringify(contract))
  } catch (error) {
    out[file] = { error: String(error && error.message || error) }
  }
}
process.stdout.write(JSON.stringify(out))
process.exit(0)
`

export async function readNodeContracts(scriptPaths: string[]): Promise<ScriptContract[]> {
  if (scriptPaths.length === 0) return []
  const unique = [...new Set(scriptPaths)]
  const result = await probeProcess(
    process.execPath,
    ['--input-type=module', '--eval', READER, ...unique],
    { timeoutMs: IMPORT_TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024 },
  )
  let exported: Record<string, unknown>
  try {
    exported = JSON.parse(String(result.stdout)) as Record<string, unknown>
  } catch {
    const detail = String(result.stderr ?? '')
      .trim()
      .split('\n')[0]
    const error = detail || 'the modules could not be imported'
    exported = Object.fromEntries(unique.map((file) => [file, { error }]))
  }
  return scriptPaths.map((file) => nodeContractOf(file, exported[file] ?? null))
}

function nodeContractOf(file: string, exported: unknown): ScriptContract {
  if (exported === null) return emptyContract(file, 'node', 'none')
  const contract = emptyContract(file, 'node', 'node-export')
  if (typeof exported === 'object' && 'error' in exported) {
    contract.error = { kind: 'import', message: String((exported as { error: unknown }).error) }
    return contract
  }
  const parsed = nodeContractSchema().safeParse(exported)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    contract.error = {
      kind: 'invalid-contract',
      message: `its exported contract is invalid at ${issue?.path.join('.') || 'the top'}: ${issue?.message ?? 'invalid'}`,
    }
    return contract
  }
  const declared = parsed.data
  const names = (required: string[], optional: string[]): ContractKey[] => [
    ...required.map((name) => ({ name, required: true })),
    ...optional.map((name) => ({ name, required: false })),
  ]
  // A default, or null: required. A default JSON cannot hold as a literal is shown as code.
  const defaults = (record: Record<string, unknown>): ContractKey[] =>
    Object.entries(record).map(([name, value]) =>
      value === null || value === undefined
        ? { name, required: true }
        : {
            name,
            required: false,
            default: isLiteral(value) ? value : { computed: JSON.stringify(value) },
          },
    )
  const keys: Record<ContractRole, ContractKey[]> = {
    inputs: names(declared.inputs, declared.optionalInputs),
    outputs: names(declared.outputs, declared.optionalOutputs),
    env: defaults(declared.env),
    jobArgs: defaults(declared.jobArgs),
  }
  return { ...contract, ...keys }
}
