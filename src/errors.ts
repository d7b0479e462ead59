/**
 * Every mistake a user can make (bad DAG, bad spec file, missing script…) surfaces as a
 * `PipetestError`: a stable `code` for programs, the culprit (`file`, `field`, `node`) and a
 * `hint` that says what to do, so a red CI log at 2 a.m. is enough to fix the problem.
 */
export type PipetestErrorCode =
  | 'DAG_INVALID_JSON'
  | 'DAG_INVALID'
  | 'DAG_CYCLE'
  | 'DAG_UNKNOWN_NODE'
  | 'DAG_SELF_LOOP'
  | 'DAG_DUPLICATE_NODE'
  | 'DAG_EMPTY_NAME'
  | 'DAG_BAD_NAME'
  | 'DAG_DUPLICATE_EDGE'
  | 'DAG_EMPTY'
  | 'DAG_NOT_FOUND'
  | 'SPEC_INVALID_JSON'
  | 'SPEC_INVALID'
  | 'SPEC_NOT_FOUND'
  | 'SPEC_UNREADABLE'
  | 'SPEC_UNWRITABLE'
  | 'SPEC_BAD_NAME'
  | 'SPECS_INCOMPLETE'
  | 'UNKNOWN_NODE'
  | 'NOT_A_TTY'
  | 'PROMPT_CANCELLED'
  | 'USAGE'
  | 'LAST_RUN_NOT_FOUND'
  | 'ROOT_NOT_FOUND'
  | 'CONFIG_INVALID'
  | 'RUN_RESULTS_NOT_FOUND'

export interface PipetestErrorDetails {
  /** File that holds the mistake (DAG file, spec file). */
  file?: string
  /** Dotted path of the offending field inside that file (`input_paths.data_input`). */
  field?: string
  /** DAG node concerned. */
  node?: string
  /** What to do about it, written as an instruction. */
  hint?: string
  cause?: unknown
}

export class PipetestError extends Error {
  override readonly name = 'PipetestError'
  readonly code: PipetestErrorCode
  readonly file?: string
  readonly field?: string
  readonly node?: string
  readonly hint?: string
  /** The first line only: what failed, without the hint. */
  readonly shortMessage: string

  constructor(code: PipetestErrorCode, message: string, details: PipetestErrorDetails = {}) {
    const full = details.hint ? `${message}\n${details.hint}` : message
    super(full, details.cause === undefined ? undefined : { cause: details.cause })
    this.code = code
    this.shortMessage = message
    if (details.file !== undefined) this.file = details.file
    if (details.field !== undefined) this.field = details.field
    if (details.node !== undefined) this.node = details.node
    if (details.hint !== undefined) this.hint = details.hint
  }

  /** Test runners serialise errors through toJSON: keep the hint in `message`. */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      code: this.code,
      message: this.message,
      shortMessage: this.shortMessage,
      file: this.file,
      field: this.field,
      node: this.node,
      hint: this.hint,
    }
  }
}

export function isPipetestError(error: unknown): error is PipetestError {
  return error instanceof Error && (error as { name?: string }).name === 'PipetestError'
}
