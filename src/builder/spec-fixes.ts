import { isAbsolute, relative, sep } from 'node:path'
import type { ScriptExecutionSpec } from '../spec/script-execution-spec.js'

/** Quotes one argument for a POSIX shell, only when it needs it, so commands stay readable. */
export function shellQuote(arg: string): string {
  if (/^[A-Za-z0-9_\-./=:@%+,]+$/.test(arg)) return arg
  return `'${arg.replace(/'/g, `'\\''`)}'`
}

export interface SpecSetArgs {
  inputs?: Record<string, string>
  outputs?: Record<string, string>
  env?: Record<string, string>
  args?: Record<string, string>
  script?: string
  runner?: string
}

/**
 * The exact `pipetest spec set` command that writes these values into the node's spec
 * (maps are merged into the saved spec, as `updateScriptSpec` does).
 */
export function specSetCommand(node: string, args: SpecSetArgs): string {
  const parts = ['pipetest', 'spec', 'set', shellQuote(node)]
  for (const [name, path] of Object.entries(args.inputs ?? {}))
    parts.push('--input', shellQuote(`${name}=${path}`))
  for (const [name, path] of Object.entries(args.outputs ?? {}))
    parts.push('--output', shellQuote(`${name}=${path}`))
  for (const [name, value] of Object.entries(args.env ?? {}))
    parts.push('--env', shellQuote(`${name}=${value}`))
  for (const [name, value] of Object.entries(args.args ?? {}))
    parts.push('--arg', shellQuote(`${name}=${value}`))
  if (args.script !== undefined) parts.push('--script', shellQuote(args.script))
  if (args.runner !== undefined) parts.push('--runner', shellQuote(args.runner))
  return parts.join(' ')
}

/** The same change as a builder call, for people fixing specs from code. */
export function builderCall(node: string, args: SpecSetArgs): string {
  const updates: Partial<ScriptExecutionSpec> = {}
  if (args.inputs) updates.inputPaths = args.inputs
  if (args.outputs) updates.outputPaths = args.outputs
  if (args.env) updates.environVars = args.env
  if (args.args) updates.jobArgs = args.args
  if (args.script !== undefined) updates.scriptPath = args.script
  return `builder.updateScriptSpec(${JSON.stringify(node)}, ${JSON.stringify(updates)})`
}

/** The command, then the builder call: the two ways to apply one fix. */
export function specSetFix(node: string, args: SpecSetArgs): string {
  return `${specSetCommand(node, args)}\nor in code: ${builderCall(node, args)}`
}

/** A path as a user would type it from the project root (`/` separators, relative when inside). */
export function displayPath(path: string, rootDir: string): string {
  const rel = relative(rootDir, path)
  const shown = rel === '' ? '.' : rel.startsWith('..') || isAbsolute(rel) ? path : rel
  return shown.split(sep).join('/')
}

/**
 * Where a blank or missing port should point by default, following the layout of the
 * default spec (`<testDataDir>/<script>/input`, `…/output`).
 */
export function suggestedPath(
  direction: 'input' | 'output',
  name: string,
  scriptName: string,
  testDataDirForSpecs: string,
): string {
  const base = `${testDataDirForSpecs}/${scriptName}/${direction}`
  return name === `data_${direction}` ? base : `${base}/${name}`
}
