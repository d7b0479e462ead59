import type { MainDeclaration, MainParameter } from './script-contract.js'

/** The parameters the harness passes, by keyword: `main(input_paths=…, output_paths=…, …)`. */
const CONTRACT_PARAMETERS = ['input_paths', 'output_paths', 'environ_vars', 'job_args']

/** `main(input_paths, output_paths, environ_vars, job_args)`, as a fix would show it. */
export const CONTRACT_CALL = `main(${CONTRACT_PARAMETERS.join(', ')})`

/**
 * What keeps the harness from calling a declared `main`: each contract name must be
 * accepted (by name or through `**kwargs`) and any other parameter must be optional.
 * Empty when the call will work.
 */
export function mainSignatureProblems(parameters: MainParameter[]): string[] {
  const problems: string[] = []
  const named = new Set(
    parameters
      .filter((p) => p.kind === 'positional' || p.kind === 'keyword-only')
      .map((p) => p.name),
  )
  const takesKwargs = parameters.some((p) => p.kind === 'var-keyword')
  const missing = CONTRACT_PARAMETERS.filter((name) => !named.has(name))
  if (missing.length > 0 && !takesKwargs) {
    problems.push(`missing parameter${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`)
  }
  const extraRequired = parameters.filter(
    (p) =>
      p.kind !== 'var-positional' &&
      p.kind !== 'var-keyword' &&
      !p.hasDefault &&
      !CONTRACT_PARAMETERS.includes(p.name),
  )
  if (extraRequired.length > 0) {
    problems.push(
      `extra required parameter${extraRequired.length > 1 ? 's' : ''} ${extraRequired.map((p) => p.name).join(', ')} (give ${extraRequired.length > 1 ? 'them defaults' : 'it a default'})`,
    )
  }
  return problems
}

/** `main(input_paths, output_paths, environ_vars, job_args=…)`, as declared. */
export function showSignature(main: Extract<MainDeclaration, { kind: 'def' }>): string {
  const shown = main.parameters.map((parameter) => {
    const prefix =
      parameter.kind === 'var-keyword' ? '**' : parameter.kind === 'var-positional' ? '*' : ''
    return `${prefix}${parameter.name}${parameter.hasDefault && prefix === '' ? '=…' : ''}`
  })
  return `main(${shown.join(', ')})`
}
