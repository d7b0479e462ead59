import { readFileSync } from 'node:fs'
import { PipetestError, type PipetestErrorCode } from '../errors.js'

/** Where in `text` a character offset falls, as 1-based line and column. */
export function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, Math.max(0, offset))
  const lines = before.split('\n')
  return { line: lines.length, column: (lines.at(-1)?.length ?? 0) + 1 }
}

/**
 * Parses JSON text and, on a syntax error, names the file, the line and the column
 * instead of V8's bare "Unexpected token".
 */
export function parseJson(
  text: string,
  file: string,
  code: PipetestErrorCode,
  what: string,
): unknown {
  try {
    return JSON.parse(text)
  } catch (error) {
    // V8 quotes the text around an unexpected token, newlines included; the line and column
    // below say where it is, so the quote only makes the message ragged.
    const reason = (error instanceof Error ? error.message : String(error)).replace(
      /, (\.\.\.)?".*"(\.\.\.)? is not valid JSON$/s,
      '',
    )
    const offset = text.trim() === '' ? undefined : errorOffset(text, reason)
    const where =
      offset !== undefined
        ? (() => {
            const { line, column } = lineAndColumn(text, offset)
            return ` at line ${line}, column ${column}`
          })()
        : text.trim() === ''
          ? ' (the file is empty)'
          : ''
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
  return parseJson(text, file, codes.invalid, what)
}
