import { spawnSync } from 'node:child_process'
import { InterpreterNotFoundError, probeProcess, resolvePython } from '../runners/index.js'
import { packagePath } from '../runners/harness.js'
import { cursusContractOf } from './cursus-contract.js'
import {
  emptyContract,
  extractionSchema,
  type Extraction,
  type ScriptContract,
} from './script-contract.js'

const EXTRACT_TIMEOUT_MS = 120_000
const MAX_OUTPUT = 64 * 1024 * 1024

/** A Python script to read, and the cursus contract file found for it, if any. */
export interface PythonScript {
  scriptPath: string
  cursusFile?: string
}

/**
 * The contracts of Python scripts, read by one process of the interpreter that will run
 * them (its own `ast`, so any syntax it accepts parses; its own import system, so "is
 * pandas installed?" is answered where the script will run). Nothing is imported or
 * executed. Rejects with InterpreterNotFoundError when the interpreter cannot be used.
 *
 * @example
 *   const [contract] = await readPythonContracts([{ scriptPath: '/p/scripts/prep.py' }], 'python3')
 *   contract.inputs // [{ name: 'data_input', required: true, line: 12 }]
 */
export async function readPythonContracts(
  scripts: PythonScript[],
  python: string,
): Promise<ScriptContract[]> {
  if (scripts.length === 0) return []
  const executable = await resolvePython(python)
  const { stdout, stderr, exitCode, timedOut } = await probeProcess(executable, [extractorPath()], {
    input: requestOf(scripts),
    timeoutMs: EXTRACT_TIMEOUT_MS,
    maxBuffer: MAX_OUTPUT,
  })
  const failure = timedOut ? 'timed out' : exitCode === 0 ? undefined : stderr
  return contractsOf(scripts, executable, { stdout, failure, exitCode })
}

/**
 * {@link readPythonContracts} for a caller that cannot wait: planning a test file is
 * synchronous (Jest collects tests synchronously) and `--changed` needs each script's local
 * imports before it can list the tests. The interpreter is started by its configured name.
 */
export function readPythonContractsSync(scripts: PythonScript[], python: string): ScriptContract[] {
  if (scripts.length === 0) return []
  const { stdout, stderr, status, error } = spawnSync(python, [extractorPath()], {
    input: requestOf(scripts),
    timeout: EXTRACT_TIMEOUT_MS,
    maxBuffer: MAX_OUTPUT,
    encoding: 'utf8',
    windowsHide: true,
  })
  const failure = error?.message ?? (status === 0 ? undefined : stderr)
  return contractsOf(scripts, python, { stdout, failure, exitCode: status })
}

/** The request: each script once, each cursus contract file once. */
function requestOf(scripts: PythonScript[]): string {
  const contracts = scripts.flatMap((script) => (script.cursusFile ? [script.cursusFile] : []))
  return JSON.stringify({
    scripts: [...new Set(scripts.map((script) => script.scriptPath))],
    contracts: [...new Set(contracts)],
  })
}

function extractorPath(): string {
  return packagePath('src', 'contract', 'extract_contract.py')
}

/** What the extractor printed, or why the interpreter could not read the scripts. */
function contractsOf(
  scripts: PythonScript[],
  python: string,
  run: { stdout: unknown; failure: unknown; exitCode: number | null },
): ScriptContract[] {
  if (run.failure !== undefined) {
    const detail = String(run.failure).trim().split('\n').at(-1)
    throw new InterpreterNotFoundError(
      python,
      `Python interpreter ${JSON.stringify(python)} could not read the scripts' contracts (${detail || `exit code ${String(run.exitCode)}`}).`,
    )
  }
  const extraction = extractionSchema().parse(JSON.parse(String(run.stdout)))
  return scripts.map((script) => contractOf(script, extraction))
}

function contractOf(script: PythonScript, extraction: Extraction): ScriptContract {
  const contract = emptyContract(script.scriptPath, 'python', 'code')
  contract.interpreter = extraction.python
  const read = extraction.scripts[script.scriptPath]
  if (read === undefined || 'error' in read) {
    contract.error = read?.error ?? { kind: 'unreadable', message: 'not read' }
  } else {
    // Duplicates (the same import in two branches) say nothing more.
    const seen = new Set<string>()
    const imports = read.imports.filter((entry) => {
      const key = `${entry.module}\0${entry.from ?? ''}`
      return seen.has(key) ? false : (seen.add(key), true)
    })
    Object.assign(contract, { ...read, imports })
  }
  if (script.cursusFile !== undefined) {
    const cursus = extraction.contracts[script.cursusFile]
    if (cursus === undefined || 'error' in cursus) {
      contract.cursusError = `${script.cursusFile}: ${cursus?.error.message ?? 'not read'}`
    } else {
      contract.cursus = cursusContractOf(script.cursusFile, cursus)
    }
  }
  return contract
}
