/**
 * A cheap static look at a Python script's `main`, so the specs tier can say "main() does
 * not take the contract parameters" without starting an interpreter. It only judges what it
 * can read for sure — a top-level `def main(...)` — and leaves everything else (main imported,
 * assigned, or defined under an `if`) to the scripts tier, where the harness checks the real
 * function.
 */

export const CONTRACT_PARAMETERS = ['input_paths', 'output_paths', 'environ_vars', 'job_args']

export type SignatureCheck =
  | { kind: 'ok' }
  /** No static verdict possible; the harness decides when the script runs. */
  | { kind: 'unknown' }
  | { kind: 'no-main' }
  | { kind: 'bad-signature'; line: number; signature: string; problems: string[] }

interface Parameter {
  name: string
  hasDefault: boolean
  kind: 'positional-only' | 'positional' | 'keyword-only' | 'var-positional' | 'var-keyword'
}

export function checkPythonMain(source: string): SignatureCheck {
  const match = /^(?:async[ \t]+)?def[ \t]+main[ \t]*\(/m.exec(source)
  if (!match) {
    // `main` may come from an import, an assignment or an indented def; only the harness knows.
    return /\bmain\b/.test(source) ? { kind: 'unknown' } : { kind: 'no-main' }
  }
  const open = match.index + match[0].length
  const close = matchingParen(source, open)
  if (close === -1) return { kind: 'unknown' }
  const parameters = parseParameters(source.slice(open, close))
  const line = source.slice(0, match.index).split('\n').length
  const signature = `main(${parameters.map(show).join(', ')})`
  const problems = signatureProblems(parameters)
  return problems.length === 0
    ? { kind: 'ok' }
    : { kind: 'bad-signature', line, signature, problems }
}

/**
 * The harness calls `main(input_paths=…, output_paths=…, environ_vars=…, job_args=…)`: each
 * contract name must be accepted (by name or through `**kwargs`), and any other parameter
 * must be optional.
 */
function signatureProblems(parameters: Parameter[]): string[] {
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

/** Index of the `)` closing the `(` just before `from`, skipping strings, comments and nesting. */
function matchingParen(source: string, from: number): number {
  let depth = 1
  for (let i = from; i < source.length; i++) {
    const char = source[i]!
    if (char === '#') {
      const end = source.indexOf('\n', i)
      if (end === -1) return -1
      i = end
    } else if (char === '"' || char === "'") {
      const end = source.indexOf(char, i + 1)
      if (end === -1) return -1
      i = end
    } else if (char === '(' || char === '[' || char === '{') {
      depth++
    } else if (char === ')' || char === ']' || char === '}') {
      depth--
      if (depth === 0) return char === ')' ? i : -1
    }
  }
  return -1
}

/** Splits a parameter list at top-level commas and reads each name, default and kind. */
function parseParameters(list: string): Parameter[] {
  const withoutComments = list.replace(/#[^\n]*/g, '')
  const parts: string[] = []
  let depth = 0
  let current = ''
  for (const char of withoutComments) {
    if ('([{'.includes(char)) depth++
    if (')]}'.includes(char)) depth--
    if (char === ',' && depth === 0) {
      parts.push(current)
      current = ''
    } else {
      current += char
    }
  }
  parts.push(current)
  const parameters: Parameter[] = []
  let keywordOnly = false
  for (const raw of parts.map((part) => part.trim()).filter((part) => part !== '')) {
    if (raw === '/') {
      // Parameters before `/` cannot be passed by keyword, and the harness passes keywords.
      for (const parameter of parameters) parameter.kind = 'positional-only'
      continue
    }
    if (raw === '*') {
      keywordOnly = true
      continue
    }
    const name = /^\**\s*([A-Za-z_]\w*)/.exec(raw)?.[1] ?? raw
    if (raw.startsWith('**')) {
      parameters.push({ name, hasDefault: true, kind: 'var-keyword' })
    } else if (raw.startsWith('*')) {
      keywordOnly = true
      parameters.push({ name, hasDefault: true, kind: 'var-positional' })
    } else {
      parameters.push({
        name,
        hasDefault: hasTopLevelEquals(raw),
        kind: keywordOnly ? 'keyword-only' : 'positional',
      })
    }
  }
  return parameters
}

/** `x: Dict[str, str] = {}` has a default; `x: Callable[[int], int]` has none. */
function hasTopLevelEquals(parameter: string): boolean {
  let depth = 0
  for (const char of parameter) {
    if ('([{'.includes(char)) depth++
    if (')]}'.includes(char)) depth--
    if (char === '=' && depth === 0) return true
  }
  return false
}

function show(parameter: Parameter): string {
  const prefix =
    parameter.kind === 'var-keyword' ? '**' : parameter.kind === 'var-positional' ? '*' : ''
  return `${prefix}${parameter.name}${parameter.hasDefault && prefix === '' ? '=…' : ''}`
}
