/**
 * Small presentation helpers shared by the commands (paths and shell quoting: src/text.ts).
 */

/** How the builder found a node's spec, in words. */
export function describeSource(source: string): string {
  return SOURCES[source] ?? source
}

const SOURCES: Record<string, string> = {
  'dag-script': "by the DAG node's script",
  'step-name': 'by its step_name',
  'script-name': 'by script name',
  'converted-name': 'by the node name converted to a script name',
  fuzzy: 'by a fuzzy name match',
  default: 'no spec file: defaults',
}

/** `1 node`, `3 nodes`: a number of things, in words. */
export function count(n: number, word: string, plural = `${word}s`): string {
  return `${n} ${n === 1 ? word : plural}`
}

/** The first line of a (possibly multi-line) message, trimmed. */
export function firstLine(text: string): string {
  return text.trim().split('\n')[0] ?? ''
}
