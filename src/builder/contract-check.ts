import {
  CONTRACT_CALL,
  contractRoles,
  cursusDisagreements,
  mainSignatureProblems,
  showSignature,
  type ContractKey,
  type ContractRole,
  type ScriptContract,
} from '../contract/index.js'
import { effectiveJobArgs } from '../spec/job-args.js'
import {
  DEFAULT_PLACEHOLDER,
  isDefaultPlaceholder,
  type ScriptExecutionSpec,
} from '../spec/script-execution-spec.js'
import { closest, displayPath, specSetCommandLine, type SpecChange } from '../text.js'
import { suggestedPath } from './spec-fixes.js'
import type { SpecProblem } from './spec-problem.js'

export type ContractProblemKind =
  | 'interpreter-not-found'
  | 'contract-unreadable'
  | 'no-main'
  | 'bad-signature'
  | 'missing-key'
  | 'unread-key'
  | 'missing-module'
  | 'framework-requirement'
  | 'cursus-disagreement'

/** A spec that disagrees with its script's code, with the fix; warnings do not fail. */
export interface ContractProblem extends Omit<SpecProblem, 'kind'> {
  kind: ContractProblemKind
  severity: 'error' | 'warning'
  role?: ContractRole
  name?: string
  line?: number
}

export interface ContractCheckInput {
  node: string
  spec: ScriptExecutionSpec
  contract: ScriptContract
  rootDir: string
  /** The test data dir as written in specs (relative to the root), for suggested paths. */
  testDataDirForSpecs: string
  specFile?: string | undefined
  /** The process environment a run inherits: os.environ reads it finds there are satisfied. */
  environment?: NodeJS.ProcessEnv
}

/** Each role's spec field (on disk and in memory) and how a message names one of its keys. */
const ROLES = {
  inputs: { file: 'input_paths', spec: 'inputPaths', word: 'input' },
  outputs: { file: 'output_paths', spec: 'outputPaths', word: 'output' },
  env: { file: 'environ_vars', spec: 'environVars', word: 'environment variable' },
  jobArgs: { file: 'job_args', spec: 'jobArgs', word: 'job argument' },
} as const

/**
 * What the spec of one node gets wrong about its script, known without running it: keys the
 * code reads without a default that the spec lacks (errors), keys the spec sets that the code
 * never reads (warnings, with did-you-mean), `main`'s signature, third-party imports the
 * interpreter cannot find, framework_requirements not installed, and where a cursus contract
 * file disagrees with the code. The one check `validate` and the `specs` tests both run.
 */
export function contractProblems(input: ContractCheckInput): ContractProblem[] {
  const { node, spec, contract, rootDir } = input
  const script = displayPath(contract.scriptPath, rootDir)
  const problems: ContractProblem[] = []
  const add = (problem: Omit<ContractProblem, 'node' | 'scriptName'>) =>
    problems.push({ node, scriptName: spec.scriptName, ...problem })

  if (contract.error) {
    const { kind, message, hint, line } = contract.error
    if (kind === 'interpreter-not-found') {
      const fix = hint ?? 'Install it, or choose another interpreter.'
      add({ kind: 'interpreter-not-found', severity: 'error', message, fix })
    } else if (kind === 'import' || kind === 'invalid-contract') {
      add({
        kind: 'contract-unreadable',
        severity: 'error',
        message: `${script}: ${message}`,
        fix: `Make ${script} load without errors (node ${script}) and export a valid \`contract\`, or remove the export.`,
      })
    } else {
      add({
        kind: 'contract-unreadable',
        severity: 'error',
        message: `${script} cannot be read: ${message}`,
        fix: `Fix ${script}${line ? ` at line ${line}` : ''}.`,
        ...(line ? { line } : {}),
      })
    }
    return problems
  }

  if (contract.main?.kind === 'no-main') {
    add({
      kind: 'no-main',
      severity: 'error',
      message: `${script} defines no main()`,
      fix: `Define ${CONTRACT_CALL}; pipetest calls it with the paths and arguments of the spec.`,
      file: contract.scriptPath,
    })
  } else if (contract.main?.kind === 'def') {
    const wrong = mainSignatureProblems(contract.main.parameters)
    if (wrong.length > 0) {
      add({
        kind: 'bad-signature',
        severity: 'error',
        message: `${script} line ${contract.main.line}: ${showSignature(contract.main)} does not take the contract parameters (${wrong.join('; ')})`,
        fix: `Define ${CONTRACT_CALL} (extra parameters need defaults).`,
        line: contract.main.line,
        file: contract.scriptPath,
      })
    }
  }

  for (const role of contractRoles) keyProblems(input, role, script).forEach(add)
  importProblems(input, script).forEach(add)

  if (contract.cursus) {
    const file = displayPath(contract.cursus.file, rootDir)
    for (const disagreement of cursusDisagreements(contract)) {
      add({
        kind: 'cursus-disagreement',
        severity: 'warning',
        message: `${script}: ${disagreement.message}`,
        fix: `Make ${file} and ${script} agree on "${disagreement.name}".`,
        file: contract.cursus.file,
        role: disagreement.role,
        name: disagreement.name,
      })
    }
    for (const requirement of contract.cursus.frameworkRequirements) {
      if (requirement.satisfied) continue
      const python = contract.interpreter?.executable ?? 'the interpreter'
      add({
        kind: 'framework-requirement',
        severity: 'error',
        message: `${file} requires ${requirement.distribution}${requirement.specifier}; ${python} has ${requirement.installed === null ? 'none installed' : requirement.installed}`,
        fix: `${python} -m pip install '${requirement.distribution}${requirement.specifier}', or choose another interpreter ("python" in pipetest.config.json, PIPETEST_PYTHON or --python).`,
        file: contract.cursus.file,
        name: requirement.distribution,
      })
    }
  }
  return problems.map((problem) =>
    input.specFile !== undefined && problem.file === undefined
      ? { ...problem, file: input.specFile }
      : problem,
  )
}

type Found = Omit<ContractProblem, 'node' | 'scriptName'>

function keyProblems(input: ContractCheckInput, role: ContractRole, script: string): Found[] {
  const { node, spec, contract, testDataDirForSpecs } = input
  // main() gets job_type from the node's suffix when job_args are empty.
  const declared = Object.keys(
    role === 'jobArgs' ? effectiveJobArgs(spec, node) : spec[ROLES[role].spec],
  )
  // Only keys the spec itself sets can be "never read"; job_type is cursus' standard
  // argument, passed to every script whether it reads it or not.
  const set =
    role === 'jobArgs' ? Object.keys(spec.jobArgs).filter((name) => name !== 'job_type') : declared
  const read = contract[role]
  const readNames = new Set(read.map((key) => key.name))
  const problems: Found[] = []
  const where = (key: ContractKey) => `${script}${key.line ? ` line ${key.line}` : ''}`
  const how = contract.source === 'code' ? 'reads' : 'declares'
  const unread = set.filter((name) => !readNames.has(name))

  for (const key of read) {
    if (!key.required || declared.includes(key.name)) continue
    if (key.via === 'os.environ' && input.environment?.[key.name] !== undefined) continue
    const near = closest(key.name, unread)
    const fixArgs = fixFor(input, role, key.name, near)
    problems.push({
      kind: 'missing-key',
      severity: 'error',
      message: `${where(key)} ${how} ${ROLES[role].word} "${key.name}" (${access(role, key)}) without a default, and the spec has no ${ROLES[role].file}.${key.name}${near ? ` (it has "${near}": renamed?)` : ''}`,
      fix: near
        ? `Rename ${ROLES[role].file}.${near} to ${key.name} in the spec, or: ${specSetCommandLine(node, fixArgs)}`
        : specSetCommandLine(node, fixArgs),
      role,
      name: key.name,
      ...(key.line ? { line: key.line } : {}),
    })
  }
  // A script that iterates a dict or hands it on may read any key: no "never read" then.
  const open = [...contract.whole, ...contract.computed].some((gap) => gap.role === role)
  if (!open && contract.source !== 'none') {
    for (const name of unread) {
      const near = closest(
        name,
        [...readNames].filter((other) => !declared.includes(other)),
      )
      const value = role === 'jobArgs' ? undefined : spec[ROLES[role].spec][name]
      const placeholder =
        role !== 'jobArgs' && isDefaultPlaceholder(spec, role, name, value, testDataDirForSpecs)
      problems.push({
        kind: 'unread-key',
        severity: 'warning',
        message: `The spec sets ${ROLES[role].file}.${name}, which ${script} never ${how === 'reads' ? 'reads' : 'declares'}${near ? ` (did you mean "${near}"?)` : placeholder ? ` (${DEFAULT_PLACEHOLDER})` : ''}`,
        fix: near
          ? `Rename ${ROLES[role].file}.${name} to ${near} in the spec.`
          : `Remove ${ROLES[role].file}.${name} from the spec, or read it in ${script}.`,
        role,
        name,
      })
    }
  }
  return problems
}

/** `input_paths["x"]`, `os.environ["K"]`, `job_args.job_type`: how the script reads it. */
function access(role: ContractRole, key: ContractKey): string {
  if (role === 'jobArgs') return `job_args.${key.name}`
  const owner = key.via ?? ROLES[role].file
  return `${owner}[${JSON.stringify(key.name)}]`
}

function fixFor(
  input: ContractCheckInput,
  role: ContractRole,
  name: string,
  near: string | undefined,
): SpecChange {
  const { spec, testDataDirForSpecs } = input
  if (role === 'env' || role === 'jobArgs') {
    return { [role === 'env' ? 'env' : 'args']: { [name]: 'VALUE' } }
  }
  const path =
    (near === undefined ? undefined : spec[ROLES[role].spec][near]) ??
    suggestedPath(ROLES[role].word, name, spec.scriptName, testDataDirForSpecs)
  return { [role]: { [name]: path } }
}

function importProblems(input: ContractCheckInput, script: string): Found[] {
  const { contract, rootDir } = input
  const python = contract.interpreter?.executable ?? 'the interpreter'
  return contract.imports
    .filter((entry) => !entry.available && !entry.guarded)
    .map((entry): Found => {
      const at = entry.from ? displayPath(entry.from, rootDir) : script
      const top = entry.module.split('.')[0]!
      if (entry.kind === 'local') {
        return {
          kind: 'missing-module',
          severity: 'error',
          message: `${at} line ${entry.line} imports the local module "${entry.module}", which does not exist next to it`,
          fix: `Add ${entry.module.replace(/\./g, '/')}.py next to ${at}, or fix the import.`,
          name: entry.module,
          line: entry.line,
          file: entry.from ?? contract.scriptPath,
        }
      }
      const lazily = entry.inFunction === true
      return {
        kind: 'missing-module',
        // A function-level import fails only if that function runs.
        severity: lazily ? 'warning' : 'error',
        message: `${at} line ${entry.line} imports "${entry.module}"${lazily ? ' (inside a function)' : ''}, which ${python} cannot find`,
        fix: `Install it for that interpreter (${python} -m pip install ${top}), or choose an interpreter that has it: "python" in pipetest.config.json, PIPETEST_PYTHON, or --python PATH.`,
        name: entry.module,
        line: entry.line,
        file: entry.from ?? contract.scriptPath,
      }
    })
}
