/**
 * What a node name must be, and how one is shown. A node name becomes a run folder
 * (`<run>/<node>/…`), part of a spec file name and a test name, and it is printed in
 * terminals and in commands to copy: a name that cannot be all of these is rejected when the
 * DAG is loaded, and every name is printed through {@link showName}.
 */

/**
 * Longest accepted name. File names hold at most 255 bytes on common file systems; a node
 * name converted to a spec file name (`PascalCase` → `pascal_case`) can double in length and
 * gains `_runtime_test_spec.json`.
 */
const MAX_NODE_NAME_LENGTH = 100

/** Control characters, line and paragraph separators, bidirectional overrides, lone surrogates. */
const UNPRINTABLE = /[\p{Cc}\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]/u
const UNPRINTABLE_ALL = new RegExp(UNPRINTABLE.source, 'gu')

/** Why `name` cannot be a node name, or undefined when it can. */
export function nodeNameProblem(name: string): string | undefined {
  if (name.length > MAX_NODE_NAME_LENGTH) {
    return `it is ${name.length} characters long, and at most ${MAX_NODE_NAME_LENGTH} fit in the folder and file names made from it`
  }
  const bad = UNPRINTABLE.exec(name)?.[0]
  if (bad !== undefined) {
    return `it contains the invisible character ${escapeChar(bad)}, which would reach terminals, test names and folder names`
  }
  return undefined
}

/**
 * A name as it may be printed: invisible characters escaped (`\u001b`), so a name can never
 * move the cursor or hide text; a very long name is shortened in the middle.
 */
export function showName(name: string): string {
  const visible = name.replace(UNPRINTABLE_ALL, escapeChar)
  return visible.length <= 2 * MAX_NODE_NAME_LENGTH
    ? visible
    : `${visible.slice(0, 60)}…${visible.slice(-20)}`
}

function escapeChar(char: string): string {
  return `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`
}
