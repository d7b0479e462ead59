import { isAbsolute, relative } from 'node:path'

/**
 * Small presentation helpers shared by the commands: paths as the user would type them,
 * durations, and shell-safe command lines to copy.
 */

/** A path relative to the current directory when it is inside it, else absolute. */
export function displayPath(path: string, cwd: string): string {
  const rel = relative(cwd, path)
  return rel === '' ? '.' : rel.startsWith('..') || isAbsolute(rel) ? path : rel
}

/** Quotes one argument for a POSIX shell only when it needs it. */
export function shellQuote(arg: string): string {
  if (arg !== '' && /^[\w@%+=:,./-]+$/.test(arg)) return arg
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

/** How the builder found a node's spec, in words. */
export function describeSource(source: string): string {
  switch (source) {
    case 'dag-script':
      return "by the DAG node's script"
    case 'step-name':
      return 'by its step_name'
    case 'script-name':
      return 'by script name'
    case 'converted-name':
      return 'by the node name converted to a script name'
    case 'fuzzy':
      return 'by a fuzzy name match'
    case 'default':
      return 'no spec file: defaults'
    default:
      return source
  }
}

/** The first line of a (possibly multi-line) message, trimmed. */
export function firstLine(text: string): string {
  return text.trim().split('\n')[0] ?? ''
}
