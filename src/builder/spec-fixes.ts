import { specSetCommandLine, type SpecChange } from '../text.js'
import type { ScriptExecutionSpec } from '../spec/script-execution-spec.js'

/** The same change as a builder call, for people fixing specs from code. */
function builderCall(node: string, args: SpecChange): string {
  const updates: Partial<ScriptExecutionSpec> = {}
  if (args.inputs) updates.inputPaths = args.inputs
  if (args.outputs) updates.outputPaths = args.outputs
  if (args.env) updates.environVars = args.env
  if (args.args) updates.jobArgs = args.args
  if (args.script !== undefined) updates.scriptPath = args.script
  return `builder.updateScriptSpec(${JSON.stringify(node)}, ${JSON.stringify(updates)})`
}

/** The command, then the builder call: the two ways to apply one fix. */
export function specSetFix(node: string, args: SpecChange): string {
  return `${specSetCommandLine(node, args)}\nor in code: ${builderCall(node, args)}`
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
