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
  /** A node selector (`--only`, `nodes`) that cannot be read, or that selects nothing. */
  | 'SELECTOR_INVALID'
  | 'SELECTION_EMPTY'
  /** `--changed REF` outside a git repository, or with a ref git does not know. */
  | 'GIT_UNAVAILABLE'
  | 'NOT_A_TTY'
  | 'PROMPT_CANCELLED'
  | 'USAGE'
  | 'LAST_RUN_NOT_FOUND'
  | 'INTERPRETER_NOT_FOUND'
  | 'ROOT_NOT_FOUND'
  | 'CONFIG_INVALID'
  | 'RUN_RESULTS_NOT_FOUND'
  /** The machine, not the pipeline: a folder that cannot be written, a full disk. */
  | 'FILE_SYSTEM'

export interface PipetestErrorDetails {
  /** File that holds the mistake (DAG file, spec file). */
  file?: string
  /** Dotted path of the offending field inside that file (`input_paths.data_input`). */
  field?: string
  /** DAG node concerned. */
  node?: string
  /** What to do about it, written as an instruction. */
  hint?: string
  /** Between the short message and the hint in `message`: a new line unless said otherwise. */
  separator?: string
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
    // As execa's createMessages: the long message is built from the fields, once, here.
    const full = details.hint ? `${message}${details.separator ?? '\n'}${details.hint}` : message
    super(full, details.cause === undefined ? undefined : { cause: details.cause })
    this.code = code
    this.shortMessage = message
    if (details.file !== undefined) this.file = details.file
    if (details.field !== undefined) this.field = details.field
    if (details.node !== undefined) this.node = details.node
    if (details.hint !== undefined) this.hint = details.hint
  }

  /** Test runners serialise errors through toJSON: keep the hint in `message`. */
  toJSON(): object {
    // Its fields, and the message an Error keeps out of its enumerable properties.
    return { ...this, message: this.message }
  }
}

export function isPipetestError(error: unknown): error is PipetestError {
  return error instanceof Error && (error as { name?: string }).name === 'PipetestError'
}

const WRITABLE =
  'Make it writable (chmod/chown), or choose another folder (--test-data-dir, --root).'
const ELSEWHERE = 'or choose another folder (--test-data-dir).'

/** Each errno a machine gives: the cause in words, and the fix. */
const FILE_SYSTEM_CAUSES: Record<string, [cause: string, fix: string]> = {
  EACCES: ['permission denied', WRITABLE],
  EPERM: ['operation not permitted', WRITABLE],
  EROFS: [
    'the file system is read-only',
    'Choose a folder on a writable file system (--test-data-dir).',
  ],
  ENOTDIR: [
    'a part of the path is a file, not a folder',
    `Remove or rename that file, ${ELSEWHERE}`,
  ],
  EEXIST: ['something else already exists there', `Remove or rename it, ${ELSEWHERE}`],
  ENOSPC: [
    'no space left on the device',
    'Free some space (old run folders under .pipetest/runs can go), then run again.',
  ],
  EDQUOT: ['the disk quota is exhausted', 'Free some space, then run again.'],
  EMFILE: ['too many open files', 'Raise the limit (ulimit -n) or lower --concurrency.'],
}

/**
 * A failure of the machine rather than of pipetest or the pipeline (a folder that cannot be
 * written, a full disk) as one clear error naming the path, the cause and the fix; undefined
 * for anything else. Node's errno errors carry the code and the path.
 */
export function fileSystemError(error: unknown): PipetestError | undefined {
  const known = fileSystemCause(error)
  if (!known) return undefined
  const { code, path, syscall } = error as NodeJS.ErrnoException
  const [cause, hint] = known
  return new PipetestError(
    'FILE_SYSTEM',
    `Cannot ${syscall ?? 'write'}${path ? ` ${path}` : ''}: ${cause} (${code}).`,
    {
      ...(path ? { file: path } : {}),
      hint,
      cause: error,
    },
  )
}

/** The cause in words and the fix of an errno error (EACCES, ENOSPC…), or undefined for another. */
export function fileSystemCause(error: unknown): [cause: string, fix: string] | undefined {
  const code = error instanceof Error ? (error as NodeJS.ErrnoException).code : undefined
  return code === undefined ? undefined : FILE_SYSTEM_CAUSES[code]
}
