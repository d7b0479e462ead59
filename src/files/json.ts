import { readFileSync } from 'node:fs'
import { PipetestError, type PipetestErrorCode } from '../errors.js'

/**
 * A JSON number whose text a JavaScript number would change: `1.0` (a float to Python, an
 * integer once parsed), `9223372036854775808` (above 2^53), `1e-05`, and the `NaN`,
 * `Infinity` and `-Infinity` that Python's `json` writes. Kept as written, so a spec cursus
 * wrote reaches Python's `main()` with the same values and types and saves back unchanged.
 * A plain object, so it survives `structuredClone` and worker boundaries.
 */
export interface JsonNumber {
  readonly jsonNumber: string
}

export function isJsonNumber(value: unknown): value is JsonNumber {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { jsonNumber?: unknown }).jsonNumber === 'string' &&
    Object.keys(value).length === 1
  )
}

/** A JSON object: not null, not a list. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** `value` with every {@link JsonNumber} as a JavaScript number, for consumers that are not Python. */
export function toPlainJson(value: unknown): unknown {
  if (isJsonNumber(value)) return Number(value.jsonNumber)
  if (Array.isArray(value)) return value.map(toPlainJson)
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, toPlainJson(item)]))
  }
  return value
}

// Number tokens travel through JSON.parse and JSON.stringify as strings with this prefix; a
// NUL cannot appear unescaped in a JSON string, so no user string is ever taken for one.
const NUMBER_MARK = '\u0000pipetest-number:'
const NUMBER_TOKEN = /-?Infinity|NaN|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y

/**
 * `JSON.stringify` that writes a {@link JsonNumber} as its text (`NaN` too, which Python's
 * `json` reads). Everything else is written as JSON.stringify writes it.
 */
export function stringifyJson(value: unknown, indent?: number): string {
  const text = JSON.stringify(
    value,
    (_key, item: unknown) => (isJsonNumber(item) ? `${NUMBER_MARK}${item.jsonNumber}` : item),
    indent,
  )
  return text.includes('\\u0000pipetest-number:')
    ? text.replace(/"\\u0000pipetest-number:([^"]*)"/g, '$1')
    : text
}

/**
 * Marks the number tokens outside strings that JSON.parse would change (or rejects, like
 * `NaN`), so they come back as {@link JsonNumber}s. `shifts` maps offsets in the marked text
 * back to the original for error messages.
 */
function markNumbers(text: string): { marked: string; shifts: Array<[number, number, number]> } {
  const parts: string[] = []
  const shifts: Array<[number, number, number]> = []
  let copied = 0
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!
    if (inString) {
      if (char === '\\') i++
      else if (char === '"') inString = false
      continue
    }
    if (char === '"') {
      inString = true
      continue
    }
    if (!/[-0-9NI]/.test(char)) continue
    NUMBER_TOKEN.lastIndex = i
    const token = NUMBER_TOKEN.exec(text)?.[0]
    if (token === undefined) continue
    if (String(Number(token)) !== token || !Number.isFinite(Number(token))) {
      const replacement = JSON.stringify(`${NUMBER_MARK}${token}`)
      parts.push(text.slice(copied, i), replacement)
      shifts.push([i, token.length, replacement.length])
      copied = i + token.length
    }
    i += token.length - 1
  }
  if (shifts.length === 0) return { marked: text, shifts }
  parts.push(text.slice(copied))
  return { marked: parts.join(''), shifts }
}

function unmarkNumber(_key: string, value: unknown): unknown {
  return typeof value === 'string' && value.startsWith(NUMBER_MARK)
    ? { jsonNumber: value.slice(NUMBER_MARK.length) }
    : value
}

/** An offset in the marked text as an offset in the original one. */
function originalOffset(offset: number, shifts: Array<[number, number, number]>): number {
  let delta = 0
  for (const [start, length, replaced] of shifts) {
    const markedStart = start + delta
    if (offset < markedStart) break
    if (offset < markedStart + replaced) return start
    delta += replaced - length
  }
  return offset - delta
}

/**
 * JSON as Python's `json.dump` writes it: bare `NaN`, `Infinity` and `-Infinity` are numbers
 * there (a metrics step that divides by zero writes them), so they are read as numbers here.
 * Throws JSON.parse's own error for anything else.
 */
export function parsePythonJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch (error) {
    if (!/NaN|Infinity/.test(text)) throw error
    const { marked, shifts } = markNumbers(text)
    if (shifts.length === 0) throw error
    return toPlainJson(JSON.parse(marked, unmarkNumber))
  }
}

/** Where in `text` a character offset falls, as 1-based line and column. */
function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, Math.max(0, offset))
  const lines = before.split('\n')
  return { line: lines.length, column: (lines.at(-1)?.length ?? 0) + 1 }
}

export interface ParseJsonOptions {
  /** Keep numbers as written ({@link JsonNumber}) and accept `NaN` / `Infinity`. */
  lossless?: boolean
}

/**
 * Parses JSON text and, on a syntax error, names the file, the line and the column
 * instead of V8's bare "Unexpected token". A UTF-8 byte order mark at the start (Windows
 * editors write one) is skipped.
 */
export function parseJson(
  text: string,
  file: string,
  code: PipetestErrorCode,
  what: string,
  options: ParseJsonOptions = {},
): unknown {
  const source = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text
  const { marked, shifts } = options.lossless
    ? markNumbers(source)
    : { marked: source, shifts: [] as Array<[number, number, number]> }
  try {
    return shifts.length > 0 ? JSON.parse(marked, unmarkNumber) : JSON.parse(marked)
  } catch (error) {
    // V8 quotes the text around an unexpected token, newlines included; the line and column
    // below say where it is, so the quote only makes the message ragged.
    const reason = (error instanceof Error ? error.message : String(error)).replace(
      /, (\.\.\.)?".*"(\.\.\.)? is not valid JSON$/s,
      '',
    )
    const empty = source.trim() === ''
    const offset = empty ? undefined : errorOffset(marked, reason)
    let where = empty ? ' (the file is empty)' : ''
    if (offset !== undefined) {
      const { line, column } = lineAndColumn(source, originalOffset(offset, shifts))
      where = ` at line ${line}, column ${column}`
    }
    throw new PipetestError(code, `${what} ${file} is not valid JSON${where}: ${reason}`, {
      file,
      hint: `Fix the JSON syntax in ${file} (a trailing comma or a missing quote is the usual cause).`,
    })
  }
}

/**
 * Where JSON.parse failed. V8 gives "at position N" for most errors but not for "Unexpected
 * token" (`{"a": }`, `{"a": tru}`) nor at the end of the input, so for those the offset is
 * found by bisecting for the shortest prefix that is already broken: a prefix before the
 * mistake either parses or fails only because it ends early.
 */
function errorOffset(text: string, reason: string): number | undefined {
  const position = /position (\d+)/.exec(reason)
  if (position) return Number(position[1])
  if (/Unexpected end of JSON input/.test(reason)) return text.length
  const broken = (length: number): boolean => {
    try {
      JSON.parse(text.slice(0, length))
      return false
    } catch (error) {
      const message = error instanceof Error ? error.message : ''
      if (/Unexpected end of JSON input/.test(message)) return false
      const at = /position (\d+)/.exec(message)
      return at ? Number(at[1]) < length : true
    }
  }
  let good = 0
  let bad = text.length
  while (bad - good > 1) {
    const middle = Math.floor((good + bad) / 2)
    if (broken(middle)) bad = middle
    else good = middle
  }
  return bad - 1
}

/** Reads and parses a JSON file synchronously (collection in Jest must be synchronous). */
export function readJsonFile(
  file: string,
  codes: { notFound: PipetestErrorCode; unreadable: PipetestErrorCode; invalid: PipetestErrorCode },
  what: string,
  options: ParseJsonOptions = {},
): unknown {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (error) {
    const err = error as NodeJS.ErrnoException
    if (err.code === 'ENOENT') {
      throw new PipetestError(codes.notFound, `${what} ${file} does not exist`, {
        file,
        hint: `Check the path (it is resolved against ${process.cwd()} when relative).`,
        cause: error,
      })
    }
    throw new PipetestError(codes.unreadable, `${what} ${file} cannot be read: ${err.message}`, {
      file,
      hint: `Check the file's permissions (the test process needs to read it).`,
      cause: error,
    })
  }
  return parseJson(text, file, codes.invalid, what, options)
}

/** JSON with object keys sorted (undefined values left out), so equal values give equal text in every process. */
export function stableStringify(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableStringify(v)}`).join(',')}}`
  }
  return JSON.stringify(value) ?? 'null'
}
