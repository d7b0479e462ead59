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
    const reason = error instanceof Error ? error.message : String(error)
    const position = /position (\d+)/.exec(reason)
    const where = position
      ? (() => {
          const { line, column } = lineAndColumn(text, Number(position[1]))
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
