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
  const extraction = await runExtractor(executable, requestOf(scripts))
  return scripts.map((script) => contractOf(script, extraction))
}

/**
 * {@link readPythonContracts} for a caller that cannot wait: planning a test file is
 * synchronous (Jest collects tests synchronously) and `--changed` needs each script's local
 * imports before it can list the tests. The interpreter is started by its configured name.
 */
export function readPythonContractsSync(scripts: PythonScript[], python: string): ScriptContract[] {
  if (scripts.length === 0) return []
  const result = spawnSync(python, [extractorPath()], {
    input: JSON.stringify(requestOf(scripts)),
    timeout: EXTRACT_TIMEOUT_MS,
    maxBuffer: 64 * 1024 * 1024,
    encoding: 'utf8',
    windowsHide: true,
  })
  if (result.error !== undefined || result.status !== 0) {
    const detail = result.error?.message ?? lastLine(result.stderr)
    throw extractorFailed(python, detail || `exit code ${String(result.status)}`)
  }
  const extraction = extractionSchema().parse(JSON.parse(result.stdout))
  return scripts.map((script) => contractOf(script, extraction))
}

function extractorFailed(python: string, detail: string): InterpreterNotFoundError {
  return new InterpreterNotFoundError(
    python,
    `Python interpreter ${JSON.stringify(python)} could not read the scripts' contracts (${detail}).`,
  )
}

function lastLine(output: unknown): string {
  return String(output ?? '')
    .trim()
    .split('\n')
    .at(-1)!
}

function requestOf(scripts: PythonScript[]): { scripts: string[]; contracts: string[] } {
  return {
    scripts: [...new Set(scripts.map((script) => script.scriptPath))],
    contracts: [
      ...new Set(scripts.flatMap((script) => (script.cursusFile ? [script.cursusFile] : []))),
    ],
  }
}

function extractorPath(): string {
  return packagePath('src', 'contract', 'extract_contract.py')
}

async function runExtractor(
  executable: string,
  request: { scripts: string[]; contracts: string[] },
): Promise<Extraction> {
  const result = await probeProcess(executable, [extractorPath()], {
    input: JSON.stringify(request),
    timeoutMs: EXTRACT_TIMEOUT_MS,
    maxBuffer: 64 * 1024 * 1024,
  })
  if (result.exitCode !== 0 || result.timedOut) {
    const detail = result.timedOut ? 'timed out' : lastLine(result.stderr)
    throw extractorFailed(executable, detail || `exit code ${String(result.exitCode)}`)
  }
  return extractionSchema().parse(JSON.parse(String(result.stdout)))
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
