import {
  closeSync,
  existsSync,
  fstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readSync,
} from 'node:fs'
import { dirname, join } from 'node:path'
import { PipetestError, fileSystemCause } from '../errors.js'
import { writeFileAtomic } from '../files/atomic-write.js'
import { readJsonFile } from '../files/json.js'
import { assertScriptName, type ScriptExecutionSpec } from './script-execution-spec.js'
import { specFileText, specFromJson } from './spec-codec.js'

/** The cursus file-name pattern; both tools find each other's files by it. */
export const SPEC_FILE_SUFFIX = '_runtime_test_spec.json'

/**
 * Where user-owned spec files live: `configured` when the project sets `specsDir`, else
 * `<testDataDir>/.specs` — or `<testDataDir>/specs` when only that folder holds spec files,
 * where cursus's later runtime builder keeps them (same file names).
 */
export function specsDirOf(testDataDir: string, configured?: string): string {
  if (configured !== undefined) return configured
  const own = join(testDataDir, '.specs')
  if (existsSync(own)) return own
  const cursus = join(testDataDir, 'specs')
  return holdsSpecFiles(cursus) ? cursus : own
}

function holdsSpecFiles(dir: string): boolean {
  try {
    return readdirSync(dir).some((name) => name.endsWith(SPEC_FILE_SUFFIX))
  } catch {
    return false // no such folder (or not one): not a specs folder
  }
}

export function specFilePath(specsDir: string, scriptName: string): string {
  return join(specsDir, `${assertScriptName(scriptName)}${SPEC_FILE_SUFFIX}`)
}

/** Loads and validates one spec file; errors name the file and the field. */
export function loadSpecFile(file: string): ScriptExecutionSpec {
  return specFromJson(readSpecJson(file), file)
}

/** The JSON of a spec file, not yet checked (for a caller that wants more of a broken one). */
export function readSpecJson(file: string): unknown {
  return readJsonFile(
    file,
    { notFound: 'SPEC_NOT_FOUND', unreadable: 'SPEC_UNREADABLE', invalid: 'SPEC_INVALID_JSON' },
    'Spec file',
    { lossless: true },
  )
}

/** Script names that have a spec file, sorted. A missing folder has none. */
export function listSpecNames(specsDir: string): string[] {
  if (!existsSync(specsDir)) return []
  let names: string[]
  try {
    names = readdirSync(specsDir)
  } catch (error) {
    throw new PipetestError(
      'SPEC_UNREADABLE',
      `The specs folder ${specsDir} cannot be read: ${(error as Error).message}`,
      {
        file: specsDir,
        hint: 'It must be a readable folder holding <script>_runtime_test_spec.json files; check --test-data-dir.',
        cause: error,
      },
    )
  }
  return names
    .filter((name) => name.endsWith(SPEC_FILE_SUFFIX) && !name.startsWith('.'))
    .map((name) => name.slice(0, -SPEC_FILE_SUFFIX.length))
    .sort()
}

export interface SaveSpecOptions {
  /** Refuse to replace an existing file (used when writing defaults). */
  overwrite?: boolean
  now?: Date
  /**
   * The file to write: the one the node resolves to, which is what `spec show` shows and the
   * run reads. Default: `<specsDir>/<scriptName>_runtime_test_spec.json`, for a new spec.
   */
  file?: string
}

/**
 * Saves a spec atomically with a fresh `last_updated`, and returns the saved spec (the
 * argument is not mutated). With `overwrite: false` an existing file is left alone and a
 * PipetestError is thrown, so a default never clobbers a user's spec.
 */
export function saveSpecFile(
  spec: ScriptExecutionSpec,
  specsDir: string,
  options: SaveSpecOptions = {},
): { spec: ScriptExecutionSpec; file: string } {
  const file = options.file ?? specFilePath(specsDir, spec.scriptName)
  if (options.overwrite === false && existsSync(file)) {
    throw new PipetestError(
      'SPEC_INVALID',
      `Spec file ${file} already exists; not overwriting it`,
      {
        file,
        hint: 'Edit it with `pipetest spec set` / `spec edit`, or delete it first to start over.',
      },
    )
  }
  // A file as cursus' json.dump writes it has no final newline, ours has one: a rewrite
  // keeps the file's own, so only the fields that changed differ from what was there.
  const newline = endsWithNewline(file) ?? true
  const ending = (text: string) => (newline ? text : text.replace(/\n$/, ''))
  const saved = { ...spec, lastUpdated: (options.now ?? new Date()).toISOString() }
  try {
    mkdirSync(dirname(file), { recursive: true })
    writeFileAtomic(file, ending(specFileText(saved)))
  } catch (error) {
    throw unwritable(file, error)
  }
  return { spec: saved, file }
}

/** Whether the file's last byte is a newline (only that byte is read); undefined without a file. */
function endsWithNewline(file: string): boolean | undefined {
  let fd: number | undefined
  try {
    fd = openSync(file, 'r')
    const { size } = fstatSync(fd)
    if (size === 0) return undefined
    const last = Buffer.alloc(1)
    readSync(fd, last, 0, 1, size - 1)
    return last[0] === 0x0a
  } catch {
    return undefined
  } finally {
    if (fd !== undefined) closeSync(fd)
  }
}

/** Why a spec file could not be written, and what to do (errors.ts knows each errno's fix). */
function unwritable(file: string, error: unknown): PipetestError {
  const { path = file } = error as NodeJS.ErrnoException
  const [cause, hint] = fileSystemCause(error) ?? [
    (error as Error).message,
    `Check that ${dirname(file)} is a writable folder.`,
  ]
  return new PipetestError(
    'SPEC_UNWRITABLE',
    `Cannot write the spec file ${file}: ${cause}${path !== file ? ` (${path})` : ''}`,
    { file, hint: `Nothing was saved. ${hint}`, cause: error },
  )
}
