import { isAbsolute, relative, sep } from 'node:path'

/**
 * How pipetest writes things for people, once for every surface: paths as a user would type
 * them, shell-safe arguments, and the one fix most problems share — a `pipetest spec set`
 * command. Lower layers keep fixes as data (`SpecChange`) and render them here.
 */

/** A path as a user would type it from `base` (`/` separators, relative when inside). */
export function displayPath(path: string, base: string | undefined): string {
  if (base === undefined || !isAbsolute(path)) return path
  const rel = relative(base, path)
  const shown = rel === '' ? '.' : rel.startsWith('..') || isAbsolute(rel) ? path : rel
  return shown.split(sep).join('/')
}

/** Quotes one argument for a POSIX shell only when it needs it, so commands stay readable. */
export function shellQuote(arg: string): string {
  if (/^[\w@%+=:,./-]+$/.test(arg)) return arg
  // A control character inside plain quotes would reach the terminal raw: bash and zsh's
  // $'…' quoting spells it as an escape instead.
  if (/\p{Cc}/u.test(arg)) {
    const escaped = arg
      .replace(/[\\']/g, (char) => `\\${char}`)
      .replace(/\p{Cc}/gu, (char) => `\\x${char.charCodeAt(0).toString(16).padStart(2, '0')}`)
    return `$'${escaped}'`
  }
  return `'${arg.replace(/'/g, `'\\''`)}'`
}

/** A change to one node's spec that fixes a problem: the fix as data. */
export interface SpecChange {
  inputs?: Record<string, string>
  outputs?: Record<string, string>
  env?: Record<string, string>
  /** Job args as the user would type them (JSON for anything but a string). */
  args?: Record<string, string>
  script?: string
  runner?: string
  timeoutSeconds?: number
  python?: string
  notes?: string
}

export interface SpecSetCommandOptions {
  /** Options placed before the change (`--dag pipeline.dag.json`). */
  context?: string[]
  /** Replace the whole spec instead of merging the maps into it. */
  replace?: boolean
  /** One option per line, for a long command meant to be read. */
  multiline?: boolean
}

/**
 * The exact `pipetest spec set` command that applies `change` to the node's spec (maps are
 * merged into the saved spec unless `replace`).
 *
 * @example
 *   specSetCommandLine('Train', { inputs: { data: 'PATH' } }) // pipetest spec set Train --input data=PATH
 */
export function specSetCommandLine(
  node: string,
  change: SpecChange,
  options: SpecSetCommandOptions = {},
): string {
  const pairs = (option: string, map: Record<string, string> | undefined) =>
    Object.entries(map ?? {}).map(([key, value]) => [option, `${key}=${value}`])
  const parts = [
    ...pairs('--input', change.inputs),
    ...pairs('--output', change.outputs),
    ...pairs('--env', change.env),
    ...pairs('--arg', change.args),
    ...(change.script === undefined ? [] : [['--script', change.script]]),
    ...(change.runner === undefined ? [] : [['--runner', change.runner]]),
    ...(change.timeoutSeconds === undefined ? [] : [['--timeout', String(change.timeoutSeconds)]]),
    ...(change.python === undefined ? [] : [['--python', change.python]]),
    ...(change.notes === undefined ? [] : [['--notes', change.notes]]),
  ]
  const head = ['pipetest', 'spec', 'set', node, ...(options.context ?? [])]
  if (options.replace) head.push('--replace')
  const lines = [head, ...parts].map((part) => part.map(shellQuote).join(' '))
  return lines.join(options.multiline ? ' \\\n      ' : ' ')
}

/** The first names of a long list, and how many more there are. */
export function listSome(names: string[], limit = 20): string {
  if (names.length <= limit) return names.join(', ')
  return `${names.slice(0, limit).join(', ')} and ${names.length - limit} more`
}

/** `850 ms`, `1.5 s`. */
export function formatDuration(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`
}

/**
 * "Did you mean": the candidate closest to `word` by edit distance, when it is close enough
 * to be a typo or a rename (`train_data` for `training_data`), else undefined.
 */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
  let best: { name: string; distance: number } | undefined
  for (const name of candidates) {
    const distance = levenshtein(word.toLowerCase(), name.toLowerCase())
    if (distance <= Math.max(2, Math.floor(name.length / 3)) && (!best || distance < best.distance))
      best = { name, distance }
  }
  return best?.name
}

/** How many single-character edits turn `a` into `b`. */
export function levenshtein(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(
        previous[j]! + 1,
        current[j - 1]! + 1,
        previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1),
      )
    }
    previous = current
  }
  return previous[b.length]!
}
