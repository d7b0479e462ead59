import { createHash } from 'node:crypto'
import { mkdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import * as z from 'zod'
import { lazySchema } from '../files/lazy-schema.js'
import { nodeLocalModules, readPythonContracts } from '../contract/index.js'
import { writeFileAtomic } from '../files/atomic-write.js'
import { packagePath } from '../runners/harness.js'
import type { RunnerKind } from '../spec/index.js'
import { hashFile } from './content-hash.js'

/** A project file and the sha256 of its bytes. */
export interface HashedFile {
  path: string
  sha256: string
}

/**
 * What a Python script imports from the project, found once and remembered: asking the
 * interpreter (src/contract's extractor) costs a process start, which would be most of a
 * cached run. The list holds as long as the script and every module in it are unchanged
 * (imports are read from their text), so the memo is checked by their digests.
 */
const memoSchema = lazySchema(() =>
  z.object({
    script: z.object({ path: z.string(), sha256: z.string() }),
    modules: z.array(z.object({ path: z.string(), sha256: z.string() })),
  }),
)

const inFlight = new Map<string, Promise<HashedFile[]>>()

/**
 * The project-local modules a script imports, transitively, with their digests (sorted by
 * path): Python's local imports (read by the interpreter's own `ast`, never run) and Node's
 * relative imports. A command's script names none (its reads are declared in `cache.files`).
 */
export function localModulesOf(
  scriptPath: string,
  runner: RunnerKind,
  python: string,
  memoDir: string,
): Promise<HashedFile[]> {
  if (runner === 'command') return Promise.resolve([])
  const id = `${runner}\0${python}\0${scriptPath}`
  let found = inFlight.get(id)
  if (!found) {
    found =
      runner === 'node'
        ? hashAll(nodeLocalModules(scriptPath))
        : pythonModules(scriptPath, python, memoDir)
    inFlight.set(id, found)
    // Only concurrent asks share one answer: a later run must see edits made in between.
    const forget = () => inFlight.delete(id)
    found.then(forget, forget)
  }
  return found
}

async function pythonModules(
  scriptPath: string,
  python: string,
  memoDir: string,
): Promise<HashedFile[]> {
  // A new pipetest may find more imports: its extractor is part of the memo's name.
  const extractor = await hashFile(packagePath('src', 'contract', 'extract_contract.py'))
  const memoFile = join(
    memoDir,
    `${createHash('sha256').update(`${extractor}\0${python}\0${scriptPath}`).digest('hex').slice(0, 32)}.json`,
  )
  const scriptSha = await hashFile(scriptPath)
  const remembered = readMemo(memoFile)
  if (remembered && remembered.script.sha256 === scriptSha) {
    const now = await hashAll(remembered.modules.map((module) => module.path))
    const same =
      now.length === remembered.modules.length &&
      now.every((module, i) => module.sha256 === remembered.modules[i]!.sha256)
    if (same) return now
  }
  const [contract] = await readPythonContracts([{ scriptPath }], python)
  const modules = await hashAll(contract?.error ? [] : (contract?.localFiles ?? []))
  if (!contract?.error) {
    mkdirSync(memoDir, { recursive: true })
    writeFileAtomic(
      memoFile,
      JSON.stringify({ script: { path: scriptPath, sha256: scriptSha }, modules }),
      { durable: false },
    )
  }
  return modules
}

function readMemo(file: string): z.infer<ReturnType<typeof memoSchema>> | undefined {
  try {
    return memoSchema().parse(JSON.parse(readFileSync(file, 'utf8')))
  } catch {
    return undefined
  }
}

/** Digests of files, sorted by path; a file gone since it was listed is left out. */
async function hashAll(paths: string[]): Promise<HashedFile[]> {
  const unique = [...new Set(paths)].sort()
  const hashed = await Promise.all(
    unique.map(async (path) => {
      try {
        return { path, sha256: await hashFile(path) }
      } catch {
        return undefined
      }
    }),
  )
  return hashed.filter((file): file is HashedFile => file !== undefined)
}
