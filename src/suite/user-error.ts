import { PipetestError, type PipetestErrorCode } from '../errors.js'

/**
 * A mistake in a hand-written test (unknown node, misused matcher), thrown inside a test.
 * The hint goes into the first message, because test runners serialise errors through
 * `toJSON`, which keeps only the short message; and the stack is ours only, so it is left out.
 */
export function testUsageError(
  code: PipetestErrorCode,
  message: string,
  details: { hint: string; node?: string; file?: string; field?: string },
): PipetestError {
  const { hint, ...rest } = details
  const error = new PipetestError(code, `${message}\n${hint}`, rest)
  error.stack = `${error.name}: ${error.message}`
  return error
}

/**
 * The error a generated test throws for a failed verdict: the message is the whole story
 * (what failed, why, the evidence), so no stack of ours is printed under it.
 */
export function verdictError(message: string): Error {
  const error = new Error(message)
  error.stack = message
  return error
}
