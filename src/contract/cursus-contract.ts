import { existsSync } from 'node:fs'
import { basename, dirname, extname, join, resolve } from 'node:path'
import { isRecord } from '../files/json.js'
import type {
  CursusContract,
  CursusRead,
  FrameworkRequirement,
  ScriptContract,
} from './script-contract.js'

/**
 * cursus keeps a `ScriptContract(...)` per script in `<script>_contract.py`: next to the
 * script, in the `contracts/` folder beside `scripts/` (cursus' own layout), or in a folder
 * the project configures (`contractsDir`). The first that exists is the script's.
 */
export function findCursusContract(scriptPath: string, contractsDir?: string): string | undefined {
  const stem = basename(scriptPath, extname(scriptPath))
  const file = `${stem}_contract.py`
  const folder = dirname(scriptPath)
  const candidates = [
    ...(contractsDir === undefined ? [] : [resolve(contractsDir, file)]),
    join(folder, file),
    join(folder, '..', 'contracts', file),
  ]
  return candidates.find((candidate) => existsSync(candidate))
}

/** The extractor's literal fields of a ScriptContract call, in our terms. */
export function cursusContractOf(file: string, read: CursusRead): CursusContract {
  const { fields } = read
  const keys = (value: unknown): string[] =>
    Array.isArray(value)
      ? value.filter((item): item is string => typeof item === 'string')
      : isRecord(value)
        ? Object.keys(value)
        : []
  const optionalEnv = isRecord(fields.optional_env_vars)
    ? Object.fromEntries(
        Object.entries(fields.optional_env_vars).map(([name, value]) => [name, String(value)]),
      )
    : {}
  const requirements = isRecord(fields.framework_requirements) ? fields.framework_requirements : {}
  return {
    file,
    line: read.line,
    ...(typeof fields.entry_point === 'string' ? { entryPoint: fields.entry_point } : {}),
    inputs: keys(fields.expected_input_paths),
    outputs: keys(fields.expected_output_paths),
    requiredEnv: keys(fields.required_env_vars),
    optionalEnv,
    arguments: keys(fields.expected_arguments),
    frameworkRequirements: Object.entries(requirements).map(
      ([distribution, specifier]): FrameworkRequirement => {
        const installed = read.installed[distribution] ?? null
        const spec = String(specifier)
        return {
          distribution,
          specifier: spec,
          installed,
          satisfied: installed !== null && satisfiesSpecifier(installed, spec),
        }
      },
    ),
    unreadable: read.unreadable,
  }
}

/** Where the code and its cursus contract disagree, as sentences. */
export interface ContractDisagreement {
  role: 'inputs' | 'outputs' | 'env'
  name: string
  message: string
}

/**
 * Names the contract declares that the code never reads, and names the code reads without a
 * default that the contract does not declare. In cursus itself, tabular_preprocessing's
 * contract once declared input `DATA` while the script read `data_input`.
 */
export function cursusDisagreements(contract: ScriptContract): ContractDisagreement[] {
  const cursus = contract.cursus
  if (!cursus || contract.source !== 'code' || contract.error) return []
  const file = basename(cursus.file)
  const found: ContractDisagreement[] = []
  const compare = (
    role: 'inputs' | 'outputs' | 'env',
    declared: string[],
    label: string,
    field: string,
  ) => {
    const read = contract[role]
    const names = new Set(read.map((key) => key.name))
    const open = contract.whole.some((gap) => gap.role === role)
    const computed = contract.computed.some((gap) => gap.role === role)
    for (const name of declared) {
      if (!names.has(name) && !open && !computed) {
        found.push({
          role,
          name,
          message: `${file} declares ${label} "${name}" (${field}), which the script never reads`,
        })
      }
    }
    const declaredSet = new Set(declared)
    for (const key of read) {
      if (!declaredSet.has(key.name) && key.required && key.via === undefined) {
        found.push({
          role,
          name: key.name,
          message: `the script reads ${label} "${key.name}" (line ${key.line ?? '?'}), which ${file} does not declare in ${field}`,
        })
      }
    }
  }
  compare('inputs', cursus.inputs, 'input', 'expected_input_paths')
  compare('outputs', cursus.outputs, 'output', 'expected_output_paths')
  compare(
    'env',
    [...cursus.requiredEnv, ...Object.keys(cursus.optionalEnv)],
    'environment variable',
    'required_env_vars/optional_env_vars',
  )
  return found
}

/**
 * A version against a PEP 440 specifier such as `>=1.3.0,<3`: the operators cursus contracts
 * use (`>=`, `>`, `<=`, `<`, `==` with `.*`, `!=`, `~=`), on the numeric release only
 * (pre-release and local tags are ignored, which errs on the side of "satisfied").
 */
export function satisfiesSpecifier(version: string, specifier: string): boolean {
  const have = release(version)
  return specifier
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '')
    .every((part) => {
      const match = /^(~=|===|==|!=|<=|>=|<|>)?\s*(.+)$/.exec(part)
      if (!match) return true
      const operator = match[1] ?? '=='
      const target = match[2]!.trim()
      if (target.endsWith('.*')) {
        const prefix = release(target.slice(0, -2))
        const same = prefix.every((n, i) => (have[i] ?? 0) === n)
        return operator === '!=' ? !same : same
      }
      const want = release(target)
      const order = compareReleases(have, want)
      if (operator !== '~=') return (ORDER_ACCEPTED[operator] ?? ((o) => o === 0))(order)
      const prefix = want.slice(0, Math.max(1, want.length - 1))
      return order >= 0 && prefix.every((n, i) => (have[i] ?? 0) === n)
    })
}

/** Whether a version that compares as `order` (-1, 0, 1) to the target passes the operator. */
const ORDER_ACCEPTED: Record<string, (order: number) => boolean> = {
  '>=': (order) => order >= 0,
  '>': (order) => order > 0,
  '<=': (order) => order <= 0,
  '<': (order) => order < 0,
  '!=': (order) => order !== 0,
}

function release(version: string): number[] {
  const numbers = /^\s*v?(\d+(?:\.\d+)*)/.exec(version)?.[1] ?? '0'
  return numbers.split('.').map(Number)
}

function compareReleases(a: number[], b: number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const difference = (a[i] ?? 0) - (b[i] ?? 0)
    if (difference !== 0) return Math.sign(difference)
  }
  return 0
}
