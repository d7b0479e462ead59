import { isJsonNumber, stringifyJson } from '../files/json.js'
import { closeSync, existsSync, openSync, readSync } from 'node:fs'
import { isAbsolute, relative, resolve } from 'node:path'
import { isDirectory, spawnProcess, type ProcessExit } from './process.js'
import { describeExit, notStarted } from './report.js'
import type { ExecutionRequest, ProcessReport } from './types.js'

/**
 * Runs any executable. With a `command` template the argv is the template with its
 * placeholders filled in, each element staying one argument (no shell, so spaces, quotes,
 * `$()` and `;` reach the program literally):
 *
 *   {script}        the spec's script path
 *   {input:NAME}    the path of input NAME
 *   {output:NAME}   the path of output NAME
 *   {arg:NAME}      job argument NAME (strings as is, other values as JSON)
 *
 * e.g. `["Rscript", "{script}", "--in", "{input:data_input}", "--out={output:data_output}"]`.
 * Other braces are literal (`${HOME}`, `{"a": {"b": 1}}`, awk's `{print $1}`), except an
 * unknown `{kind:NAME}` such as `{inptu:data}`, refused as a likely typo. Where braces would
 * read as a placeholder, escape them: `{{` is a literal `{` and the `}}` that closes it a
 * literal `}` (`{{input:x}}` → `{input:x}`; `{{.Name}}` → `{.Name}`).
 * Without a template the script itself is executed, with job arguments as flags
 * (see {@link jobArgsToFlags}). Either way the paths are also in the environment as
 * `PIPETEST_INPUT_<NAME>` / `PIPETEST_OUTPUT_<NAME>` (NAME upper-cased, other characters `_`).
 */
export async function runCommandScript(request: ExecutionRequest): Promise<ProcessReport> {
  let argv: string[]
  if (request.command) {
    const expanded = expandCommandTemplate(request.command, request)
    if (!expanded.ok) return notStarted(request.logDir, 'invalid-spec', expanded.message)
    argv = expanded.argv
  } else {
    argv = [request.scriptPath, ...jobArgsToFlags(request.jobArgs)]
  }
  const [program, ...args] = argv
  if (program === undefined || program === '') {
    return notStarted(request.logDir, 'invalid-spec', 'the command template names no program')
  }
  // `./run.sh` means the project's file, wherever the script runs; a bare name is on PATH.
  const isPath = program.includes('/') || program.includes('\\')
  const file = isPath && request.projectRoot ? resolve(request.projectRoot, program) : program
  const exit = await spawnProcess({
    file,
    args,
    cwd: request.cwd,
    env: { ...pathVariables(request), ...request.environVars },
    timeoutMs: request.timeoutMs,
    logDir: request.logDir,
    ...(request.signal ? { signal: request.signal } : {}),
  })
  return describeExit(exit, undefined, (spawnError) => ({
    outcome: 'spawn-error',
    message: explainSpawnError(file, request.cwd, spawnError, request.projectRoot),
  }))
}

type Expansion = { ok: true; argv: string[] } | { ok: false; message: string }
/** What a template's placeholders read. */
type TemplateValues = Pick<
  ExecutionRequest,
  'scriptPath' | 'inputPaths' | 'outputPaths' | 'jobArgs'
>

type PlaceholderKind = 'script' | 'input' | 'output' | 'arg'
const KINDS: ReadonlySet<string> = new Set<PlaceholderKind>(['script', 'input', 'output', 'arg'])
const KNOWN = '{script}, {input:NAME}, {output:NAME}, {arg:NAME}'

/**
 * An escape (`{{` is a literal `{`, and the `}}` closing it a `}`), or `{kind}` / `{kind:NAME}`.
 * Only the four kinds are placeholders; other braces (`${PATH}`, JSON, awk) stay literal.
 */
const BRACED = /\{\{|\}\}|\{([A-Za-z_][\w-]*)(?::([^{}]*))?\}/g
/** An unknown kind with a name-like NAME (`{inptu:data}`) is a typo rather than literal text. */
const NAME_LIKE = /^[A-Za-z_][\w.-]*$/

/** Fills a command template; an unknown placeholder or name is a spec mistake, named. */
export function expandCommandTemplate(template: string[], request: TemplateValues): Expansion {
  const problems: string[] = []
  const argv = template.map((part) => expandPart(part, request, problems))
  if (problems.length > 0) {
    return { ok: false, message: `command template: ${problems.join('; ')}` }
  }
  return { ok: true, argv }
}

function expandPart(part: string, request: TemplateValues, problems: string[]): string {
  // `}}` is an escape only as the closer of a `{{`: unescaped nested JSON ends in `}}` too.
  let openEscapes = 0
  return part.replace(BRACED, (whole: string, kind?: string, name?: string) => {
    if (whole === '{{') {
      openEscapes++
      return '{'
    }
    if (whole === '}}' && openEscapes > 0) {
      openEscapes--
      return '}'
    }
    if (kind === undefined) return whole
    if (KINDS.has(kind)) {
      const value = placeholderValue(kind as PlaceholderKind, name, request)
      if (typeof value === 'string') return value
      // A function, so that `$&` or `$'` in the template is not read as a replacement pattern.
      problems.push(value.problem.replace('%s', () => whole))
    } else if (name !== undefined && NAME_LIKE.test(name)) {
      problems.push(
        `unknown placeholder ${whole} (known: ${KNOWN}; write {{ and }} for literal braces)`,
      )
    }
    return whole
  })
}

function placeholderValue(
  kind: PlaceholderKind,
  name: string | undefined,
  request: TemplateValues,
): string | { problem: string } {
  const lookup = (what: string, values: Record<string, unknown>): string | { problem: string } => {
    if (name === undefined || name === '')
      return { problem: `%s needs a name, e.g. {${kind}:NAME}` }
    if (!Object.hasOwn(values, name)) {
      const known = Object.keys(values)
      return {
        problem: `%s names no ${what} "${name}" (the spec's ${what}s: ${known.join(', ') || 'none'})`,
      }
    }
    return argumentText(values[name])
  }
  switch (kind) {
    case 'script':
      return name === undefined
        ? request.scriptPath
        : { problem: '%s takes no name; write {script}' }
    case 'input':
      return lookup('input', request.inputPaths)
    case 'output':
      return lookup('output', request.outputPaths)
    case 'arg':
      return lookup('job arg', request.jobArgs)
  }
}

/**
 * Job arguments as command-line flags, in the spec's order: `--name value`; `true` gives a
 * bare `--name`; `false`, null and undefined give nothing; arrays and objects are passed as
 * JSON. Names are kept as written (`job_type` → `--job_type`, as cursus scripts' argparse
 * expects).
 */
export function jobArgsToFlags(jobArgs: Record<string, unknown>): string[] {
  const flags: string[] = []
  for (const [name, value] of Object.entries(jobArgs)) {
    if (value === false || value === null || value === undefined) continue
    flags.push(`--${name}`)
    if (value !== true) flags.push(argumentText(value))
  }
  return flags
}

function argumentText(value: unknown): string {
  if (typeof value === 'string') return value
  if (isJsonNumber(value)) return value.jsonNumber
  if (value === undefined) return ''
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') {
    return String(value)
  }
  return stringifyJson(value)
}

function pathVariables(request: ExecutionRequest): Record<string, string> {
  const variables: Record<string, string> = {}
  const envName = (name: string) => name.toUpperCase().replace(/[^A-Z0-9_]/g, '_')
  for (const [name, path] of Object.entries(request.inputPaths)) {
    variables[`PIPETEST_INPUT_${envName(name)}`] = path
  }
  for (const [name, path] of Object.entries(request.outputPaths)) {
    variables[`PIPETEST_OUTPUT_${envName(name)}`] = path
  }
  return variables
}

function explainSpawnError(
  file: string,
  cwd: string,
  spawnError: NonNullable<ProcessExit['spawnError']>,
  projectRoot: string | undefined,
): string {
  const isPath = file.includes('/') || file.includes('\\')
  const path = isAbsolute(file) ? file : resolve(cwd, file)
  switch (spawnError.code) {
    case 'ENOENT':
      if (!isPath) return `command not found: ${file} (it is not on PATH)`
      if (existsSync(path)) {
        const shebang = firstLine(path)
        return shebang?.startsWith('#!')
          ? `cannot start ${file}: the program named by its first line "${shebang}" does not exist`
          : `cannot start ${file}: not found`
      }
      return `not found: ${path}`
    case 'EACCES':
      if (isPath && isDirectory(path)) return `cannot start ${file}: it is a directory`
      // Making a file executable is a fix for the project's own scripts only: never offer
      // `chmod +x /etc/passwd` for a command that names a system file by mistake.
      if (isPath && projectRoot !== undefined && isInside(path, projectRoot)) {
        return `not executable: ${file}. Fix: chmod +x ${path}`
      }
      return `not executable: ${file}, which is ${isPath ? 'outside the project' : 'found on PATH'}. Fix: name a program in the spec's "command" (or "script_path"), not a data or system file`
    default:
      return `cannot start ${file} (${spawnError.code}): ${spawnError.message}`
  }
}

function isInside(path: string, folder: string): boolean {
  const rel = relative(folder, path)
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel)
}

function firstLine(path: string): string | undefined {
  let fd: number | undefined
  try {
    fd = openSync(path, 'r')
    const buffer = Buffer.alloc(512)
    const length = readSync(fd, buffer, 0, buffer.length, 0)
    return buffer.subarray(0, length).toString('utf8').split('\n')[0]?.trim()
  } catch {
    return undefined
  } finally {
    if (fd !== undefined) closeSync(fd)
  }
}
