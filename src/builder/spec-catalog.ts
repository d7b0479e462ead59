import { readFileSync } from 'node:fs'
import { isPipetestError, PipetestError } from '../errors.js'
import { join } from 'node:path'
import { SPEC_FILE_SUFFIX, listSpecNames, loadSpecFile, specFilePath } from '../spec/spec-store.js'
import type { ScriptExecutionSpec } from '../spec/script-execution-spec.js'

/** One `*_runtime_test_spec.json` file: its spec, or why it cannot be used. */
export interface CatalogEntry {
  /** Script name taken from the file name. */
  name: string
  /** Absolute path of the file. */
  file: string
  spec?: ScriptExecutionSpec
  error?: PipetestError
  /** `step_name` of the file, read even from a file that fails validation when the JSON parses. */
  stepName?: string
}

/**
 * Every spec file of a `.specs/` folder, read once per resolution so that resolving N nodes
 * does not read the folder N times. A broken file does not stop the others from loading: it
 * is kept with its error, to be reported against the node that would have used it.
 */
export class SpecCatalog {
  readonly entries: ReadonlyMap<string, CatalogEntry>

  constructor(readonly specsDir: string) {
    const entries = new Map<string, CatalogEntry>()
    for (const name of listSpecNames(specsDir)) entries.set(name, readEntry(specsDir, name))
    this.entries = entries
  }

  get names(): string[] {
    return [...this.entries.keys()]
  }

  get(name: string): CatalogEntry | undefined {
    return this.entries.get(name)
  }

  /**
   * Entries whose `step_name` is `node`. When several files claim the node, the one named
   * `preferred` (the node's converted script name) comes first, then by name.
   */
  claimedBy(node: string, preferred: string): CatalogEntry[] {
    return [...this.entries.values()]
      .filter((entry) => (entry.spec?.stepName ?? entry.stepName) === node)
      .sort((a, b) => Number(b.name === preferred) - Number(a.name === preferred))
  }
}

function readEntry(specsDir: string, name: string): CatalogEntry {
  let file: string
  try {
    file = specFilePath(specsDir, name)
  } catch (error) {
    // A file name that is not a valid script name (e.g. `a..b_runtime_test_spec.json`).
    return {
      name,
      file: join(specsDir, `${name}${SPEC_FILE_SUFFIX}`),
      error: asPipetestError(error, specsDir),
    }
  }
  try {
    const spec = loadSpecFile(file)
    return { name, file, spec }
  } catch (error) {
    const entry: CatalogEntry = { name, file, error: asPipetestError(error, file) }
    const stepName = rawStepName(file)
    if (stepName !== undefined) entry.stepName = stepName
    return entry
  }
}

function rawStepName(file: string): string | undefined {
  try {
    const json: unknown = JSON.parse(readFileSync(file, 'utf8'))
    const stepName = (json as { step_name?: unknown } | null)?.step_name
    return typeof stepName === 'string' && stepName !== '' ? stepName : undefined
  } catch {
    return undefined
  }
}

function asPipetestError(error: unknown, file: string): PipetestError {
  if (isPipetestError(error)) return error
  return new PipetestError(
    'SPEC_UNREADABLE',
    `Spec file ${file} cannot be read: ${String(error)}`,
    {
      file,
      cause: error,
    },
  )
}
