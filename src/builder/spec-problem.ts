export type SpecProblemKind =
  | 'missing-spec'
  | 'incomplete'
  | 'script-not-found'
  | 'no-outputs'
  | 'invalid-spec'
  | 'unknown-runner'
  | 'missing-input'
  | 'script-name-mismatch'
  | 'shared-spec'
  | 'duplicate-spec'
  | 'misspelt-key'
  | 'no-runner'

/** One thing that keeps a node from being tested, with the exact way to fix it. */
export interface SpecProblem {
  node: string
  scriptName: string
  kind: SpecProblemKind
  message: string
  /** The `pipetest spec set …` command (and the equivalent builder call), or what to edit. */
  fix: string
  /** The spec file concerned, when there is one. */
  file?: string
}
