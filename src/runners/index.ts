import { existsSync } from 'node:fs'
import { extname } from 'node:path'
import type { RunnerKind, ScriptExecutionSpec } from '../spec/script-execution-spec.js'
import { runCommandScript } from './command.js'
import { runNode } from './node.js'
import { runPython } from './python.js'
import { notStarted } from './report.js'
import type { ExecutionRequest, ProcessReport, Runner } from './types.js'

export { resolvePython, InterpreterNotFoundError } from './interpreter.js'
export { abortReason, probeProcess } from './process.js'
export { prewarmPython } from './python.js'
export type { ExecutionRequest, ProcessReport, Runner } from './types.js'

const runners: Record<RunnerKind, Runner> = {
  python: runPython,
  node: runNode,
  command: runCommandScript,
}

/**
 * Runs one execution in a child process with the runner it names and reports what happened.
 * Never rejects for anything the script or the spec did (those are outcomes); a rejection is
 * a bug or a broken installation of pipetest itself. A script that is not there is said
 * before any runner starts anything (a command template may name no script).
 */
export async function runExecution(request: ExecutionRequest): Promise<ProcessReport> {
  const needsScript = request.runner !== 'command' || !request.command
  if (needsScript && !existsSync(request.scriptPath)) {
    return notStarted(request.logDir, 'script-not-found', `script not found: ${request.scriptPath}`)
  }
  return runners[request.runner](request)
}

/**
 * The runner for a script: the spec's `runner` when set; else a `command` template means the
 * command runner; else by extension — `.py` → python, `.js`/`.mjs`/`.cjs` → node, anything
 * else (shell scripts, binaries, no path at all) → command.
 */
export function selectRunner(
  spec: Partial<Pick<ScriptExecutionSpec, 'runner' | 'scriptPath' | 'command'>>,
): RunnerKind {
  if (spec.runner) return spec.runner
  if (spec.command && spec.command.length > 0) return 'command'
  const extension = extname(spec.scriptPath ?? '').toLowerCase()
  if (extension === '.py') return 'python'
  if (extension === '.js' || extension === '.mjs' || extension === '.cjs') return 'node'
  return 'command'
}

/** A script as the preloading Python worker sees it: its path and what its spec says, if known. */
export interface PreloadCandidate extends Partial<
  Pick<ScriptExecutionSpec, 'runner' | 'command' | 'python' | 'isolation'>
> {
  scriptPath: string | undefined
}

/**
 * The scripts whose libraries each interpreter's preloading worker should import: every
 * script the Python runner runs, by interpreter (a spec's `python`, else `python`), except
 * those whose spec asks for a fresh interpreter (`"isolation": "fresh"`).
 */
export function scriptsToPreload(
  candidates: PreloadCandidate[],
  python: string,
): Map<string, string[]> {
  const scriptsOf = new Map<string, string[]>()
  for (const { scriptPath, runner, command, python: own, isolation } of candidates) {
    if (!scriptPath || isolation === 'fresh') continue
    if (selectRunner({ runner, scriptPath, command }) !== 'python') continue
    const interpreter = own ?? python
    scriptsOf.set(interpreter, [...(scriptsOf.get(interpreter) ?? []), scriptPath])
  }
  return scriptsOf
}
