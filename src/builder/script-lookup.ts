import { join, resolve } from 'node:path'
import { isFile } from '../files/walk.js'

/** Extensions a script found by name may have, in the order they are preferred. */
export const SCRIPT_EXTENSIONS = ['.py', '.mjs', '.js', '.cjs'] as const

/** Where a node's script file was looked for, and what was found. */
export type ScriptLocation =
  | { found: true; path: string; via: 'spec' | 'dag' | 'search' }
  /** A path was declared (by the spec or the DAG) but there is no file there. */
  | { found: false; declared: { path: string; via: 'spec' | 'dag' }; alsoFound?: string }
  | { found: false; searched: string[] }

export interface ScriptLookupInput {
  scriptName: string
  /** `script_path` of the spec, relative to `rootDir` (or absolute). */
  specScriptPath: string | undefined
  /** The DAG node's declared script, already absolute. */
  dagScriptPath: string | undefined
  /** Folder of the DAG file (or rootDir for a DAG without one). */
  dagDir: string
  rootDir: string
  testDataDir: string
}

/**
 * Finds a node's script: the spec's `script_path` wins over the DAG's `script`, which wins
 * over a search by name. A declared path that does not exist is reported as such, never
 * silently replaced by another file, and nothing is ever created (cursus wrote placeholder
 * scripts here, which then failed later with a confusing message).
 */
export function locateScript(input: ScriptLookupInput): ScriptLocation {
  const declared =
    input.specScriptPath !== undefined
      ? { path: resolve(input.rootDir, input.specScriptPath), via: 'spec' as const }
      : input.dagScriptPath !== undefined
        ? { path: input.dagScriptPath, via: 'dag' as const }
        : undefined
  if (declared) {
    if (isFile(declared.path)) return { found: true, path: declared.path, via: declared.via }
    const alsoFound = searchByName(input).found
    return alsoFound === undefined
      ? { found: false, declared }
      : { found: false, declared, alsoFound }
  }
  const { found, searched } = searchByName(input)
  return found === undefined
    ? { found: false, searched }
    : { found: true, path: found, via: 'search' }
}

/** The folders searched for `<scriptName>.{py,mjs,js,cjs}`, nearest to the pipeline first. */
function scriptSearchDirs(
  input: Pick<ScriptLookupInput, 'dagDir' | 'rootDir' | 'testDataDir'>,
): string[] {
  const dirs = [
    input.dagDir,
    join(input.dagDir, 'scripts'),
    join(input.testDataDir, 'scripts'),
    join(input.rootDir, 'scripts'),
    join(input.rootDir, 'src', 'scripts'),
  ]
  return [...new Set(dirs.map((dir) => resolve(dir)))]
}

function searchByName(input: ScriptLookupInput): { found?: string; searched: string[] } {
  const searched = scriptSearchDirs(input)
  for (const dir of searched) {
    for (const extension of SCRIPT_EXTENSIONS) {
      const candidate = join(dir, `${input.scriptName}${extension}`)
      if (isFile(candidate)) return { found: candidate, searched }
    }
  }
  return { searched }
}
