import { isPipetestError, PipetestError } from '../errors.js'
import { join } from 'node:path'
import { SPEC_FILE_SUFFIX, listSpecNames, readSpecJson, specFilePath } from '../spec/spec-store.js'
import { specFromJson } from '../spec/spec-codec.js'
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
  readonly #entries = new Map<string, CatalogEntry>()
  /** Entries by the `step_name` they claim: a lookup per node instead of a scan of every file. */
  readonly #byStep = new Map<string, CatalogEntry[]>()

  constructor(readonly specsDir: string) {
    for (const name of listSpecNames(specsDir)) this.load(name)
  }

  get names(): string[] {
    return [...this.#entries.keys()]
  }

  get(name: string): CatalogEntry | undefined {
    return this.#entries.get(name)
  }

  /**
   * (Re)reads one script's file, e.g. one just written, so that the nodes resolved next see it
   * exactly as a fresh catalog would, without reading every other file again.
   */
  load(name: string): CatalogEntry {
    const previous = this.#entries.get(name)
    if (previous) this.#unclaim(previous)
    const entry = readEntry(this.specsDir, name)
    this.#entries.set(name, entry)
    const step = claimedStep(entry)
    if (step !== undefined) this.#byStep.set(step, [...(this.#byStep.get(step) ?? []), entry])
    return entry
  }

  /**
   * Entries whose `step_name` is `node`. When several files claim the node, the one named
   * `preferred` (the node's converted script name) comes first, then by name.
   */
  claimedBy(node: string, preferred: string): CatalogEntry[] {
    return [...(this.#byStep.get(node) ?? [])].sort(
      (a, b) =>
        Number(b.name === preferred) - Number(a.name === preferred) ||
        (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
    )
  }

  #unclaim(entry: CatalogEntry): void {
    const step = claimedStep(entry)
    if (step === undefined) return
    const rest = (this.#byStep.get(step) ?? []).filter((other) => other !== entry)
    if (rest.length > 0) this.#byStep.set(step, rest)
    else this.#byStep.delete(step)
  }
}

function claimedStep(entry: CatalogEntry): string | undefined {
  return entry.spec?.stepName ?? entry.stepName
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
  let json: unknown
  try {
    json = readSpecJson(file)
    return { name, file, spec: specFromJson(json, file) }
  } catch (error) {
    const entry: CatalogEntry = { name, file, error: asPipetestError(error, file) }
    // A file that parses but fails validation still claims its step, from the same read.
    const stepName = (json as { step_name?: unknown } | null | undefined)?.step_name
    if (typeof stepName === 'string' && stepName !== '') entry.stepName = stepName
    return entry
  }
}

function asPipetestError(error: unknown, file: string): PipetestError {
  if (isPipetestError(error)) return error
  const message = `Spec file ${file} cannot be read: ${String(error)}`
  return new PipetestError('SPEC_UNREADABLE', message, { file, cause: error })
}
