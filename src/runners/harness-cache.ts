import { createHash } from 'node:crypto'
import { lstatSync, mkdirSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, join } from 'node:path'

/**
 * Where the Python harness is kept compiled. Python compiles a script it is given as source on
 * every start and never caches it (only imported modules get a `__pycache__`), which was a
 * tenth of the runner's overhead per execution; a `.pyc` passed as the script skips that.
 * The interpreter probe (see interpreter.ts) writes the file once per harness version and
 * Python cache tag, so it outlives the process and needs no cleanup.
 *
 * The folder is shared by every run of this user on the machine, under the system's temp
 * folder: it is created private (0700) and used only if it is a real folder that belongs to
 * us and nobody else can write to — another user must not be able to plant bytecode that we
 * would then execute. Anything else and the harness runs from source, as before.
 */
export function harnessCacheDir(base: string = tmpdir()): string | undefined {
  const uid = process.getuid?.()
  if (uid === undefined) return undefined // no POSIX owners to check (Windows): run from source
  const dir = join(base, `pipetest-${uid}`)
  try {
    mkdirSync(dir, { mode: 0o700 })
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') return undefined
  }
  try {
    const stats = lstatSync(dir)
    const private_ = stats.isDirectory() && stats.uid === uid && (stats.mode & 0o022) === 0
    return private_ ? dir : undefined
  } catch {
    return undefined
  }
}

/**
 * The stem of a compiled file's name (the harness, the worker…): its name and a digest of its
 * path and content, so an upgraded or relocated pipetest never runs bytecode of another
 * version. The probe adds the interpreter's cache tag (`cpython-311`), which fixes the
 * bytecode format.
 */
export function compiledHarnessStem(sourceFile: string): string {
  const digest = createHash('sha256')
    .update(sourceFile)
    .update('\0')
    .update(readFileSync(sourceFile))
    .digest('hex')
  return `${basename(sourceFile, '.py')}-${digest.slice(0, 16)}`
}
