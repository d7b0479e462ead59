import { selectRunner, InterpreterNotFoundError } from '../runners/index.js'
import type { ScriptExecutionSpec } from '../spec/index.js'
import { findCursusContract } from './cursus-contract.js'
import { readNodeContracts } from './node-contracts.js'
import { readPythonContracts } from './python-contracts.js'
import { emptyContract, type ContractKey, type ScriptContract } from './script-contract.js'

/** A script whose contract is wanted, as a spec (or a DAG node) describes it. */
export type ContractTarget = Pick<ScriptExecutionSpec, 'runner' | 'command' | 'python'> & {
  scriptPath: string
}

export interface ReadContractsOptions {
  /** The interpreter for Python scripts whose target names none (default python3). */
  python: string
  /** A folder of cursus `*_contract.py` files, searched before the script's own folder. */
  contractsDir?: string | undefined
}

/**
 * The contract of every target, in order: one Python process per interpreter reads all its
 * scripts, one Node process reads every Node script's `contract` export, and a command's
 * argv template names its inputs, outputs and arguments. Never rejects for a script's fault;
 * an interpreter that cannot be started becomes each of its scripts' `error`.
 */
export async function readContracts(
  targets: ContractTarget[],
  options: ReadContractsOptions,
): Promise<ScriptContract[]> {
  const results: ScriptContract[] = new Array<ScriptContract>(targets.length)
  const byPython = new Map<string, number[]>()
  const node: number[] = []
  targets.forEach((target, index) => {
    const runner = selectRunner(target)
    if (target.command !== undefined && target.command.length > 0 && runner === 'command') {
      results[index] = commandContract(target.scriptPath, target.command)
    } else if (runner === 'python') {
      const python = target.python ?? options.python
      byPython.set(python, [...(byPython.get(python) ?? []), index])
    } else if (runner === 'node') {
      node.push(index)
    } else {
      results[index] = emptyContract(target.scriptPath, 'command')
    }
  })
  const reads: Array<Promise<void>> = []
  for (const [python, indexes] of byPython) {
    const scripts = indexes.map((index) => {
      const scriptPath = targets[index]!.scriptPath
      const cursusFile = findCursusContract(scriptPath, options.contractsDir)
      return { scriptPath, ...(cursusFile ? { cursusFile } : {}) }
    })
    reads.push(
      readPythonContracts(scripts, python).then(
        (contracts) => contracts.forEach((contract, i) => (results[indexes[i]!] = contract)),
        (error: unknown) => {
          if (!(error instanceof InterpreterNotFoundError)) throw error
          for (const index of indexes) {
            const contract = emptyContract(targets[index]!.scriptPath, 'python')
            contract.error = {
              kind: 'interpreter-not-found',
              message: error.shortMessage,
              ...(error.hint === undefined ? {} : { hint: error.hint }),
            }
            results[index] = contract
          }
        },
      ),
    )
  }
  if (node.length > 0) {
    reads.push(
      readNodeContracts(node.map((index) => targets[index]!.scriptPath)).then((contracts) =>
        contracts.forEach((contract, i) => (results[node[i]!] = contract)),
      ),
    )
  }
  await Promise.all(reads)
  return results
}

/** `{input:NAME}`, `{output:NAME}` and `{arg:NAME}` of an argv template, each required. */
export function commandContract(scriptPath: string, command: string[]): ScriptContract {
  const contract = emptyContract(scriptPath, 'command', 'command-template')
  const seen = new Set<string>()
  for (const arg of command) {
    for (const match of arg.matchAll(/(?<!\{)\{(input|output|arg):([^}]+)\}/g)) {
      const [, kind, name] = match as unknown as [string, string, string]
      if (seen.has(`${kind}:${name}`)) continue
      seen.add(`${kind}:${name}`)
      const key: ContractKey = { name, required: true }
      if (kind === 'input') contract.inputs.push(key)
      else if (kind === 'output') contract.outputs.push(key)
      else contract.jobArgs.push(key)
    }
  }
  return contract
}
