/**
 * Small presentation helpers shared by the commands (paths and shell quoting: src/text.ts).
 */

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
