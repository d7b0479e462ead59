import { basename } from 'node:path'
import { SPEC_FILE_SUFFIX } from '../spec/spec-store.js'
import { specFileKeys } from '../spec/script-execution-spec.js'
import type { SpecProblem } from './spec-problem.js'
import type { DetailedResolution } from './resolve-node.js'
import { closest, displayPath } from '../text.js'

/**
 * A spec's identity is the file its node resolves to: every write goes there, and `run`
 * reads it. These are the ways that identity can be ambiguous, each a `validate` problem
 * with the fix: a `script_name` that disagrees with the file's name (the file was copied),
 * two files claiming one node, and two nodes sharing a file only by a similar name.
 */
export function identityProblems(resolved: DetailedResolution[], rootDir: string): SpecProblem[] {
  const show = (path: string) => displayPath(path, rootDir)
  const problems: SpecProblem[] = []
  const users = new Map<string, DetailedResolution[]>()
  for (const detailed of resolved) {
    const file = detailed.fileSpec && detailed.resolution.specFile
    if (file) users.set(file, [...(users.get(file) ?? []), detailed])
  }
  for (const [file, nodes] of users) {
    const { node, scriptName } = nodes[0]!.resolution
    const stem = basename(file, SPEC_FILE_SUFFIX)
    if (stem !== scriptName) {
      problems.push({
        node,
        scriptName,
        kind: 'script-name-mismatch',
        message: `Spec file ${show(file)} says "script_name": "${scriptName}", which is not its file name (${stem}${SPEC_FILE_SUFFIX}); cursus would save it to ${scriptName}${SPEC_FILE_SUFFIX}`,
        fix: `Set "script_name" to "${stem}" in ${show(file)} (or rename the file to ${scriptName}${SPEC_FILE_SUFFIX} if it is a copy of nothing else).`,
        file,
      })
    }
    const guessed = nodes.filter((other) => other.resolution.source === 'fuzzy')
    if (nodes.length > 1 && guessed.length > 0) {
      for (const other of guessed) {
        const owner = nodes.find((candidate) => candidate !== other)!.resolution.node
        problems.push({
          node: other.resolution.node,
          scriptName: other.resolution.scriptName,
          kind: 'shared-spec',
          message: `"${other.resolution.node}" uses the spec file of "${owner}" (${show(file)}), found only by a similar name: a change to one would change the other`,
          fix: `Give "${other.resolution.node}" its own spec file with "step_name": "${other.resolution.node}" (copy ${show(file)} and change "script_name" and "step_name"), or declare its "script" in the DAG.`,
          file,
        })
      }
    }
  }
  for (const { resolution, rivals } of resolved) {
    if (!rivals || !resolution.specFile) continue
    problems.push({
      node: resolution.node,
      scriptName: resolution.scriptName,
      kind: 'duplicate-spec',
      message: `${rivals.length + 1} spec files say "step_name": "${resolution.node}": ${show(resolution.specFile)} (used) and ${rivals.map(show).join(', ')}`,
      fix: `Set "step_name" in ${rivals.map(show).join(', ')} to the node ${rivals.length === 1 ? 'it belongs' : 'each belongs'} to, or delete ${rivals.length === 1 ? 'it' : 'them'}.`,
      file: rivals[0]!,
    })
  }
  return problems
}

/**
 * Unknown keys are kept (cursus and other tools add their own), but one that is a near miss
 * of a known key (`input_path`, `environ_var`) is almost surely a typo that would make the
 * script run without those values.
 */
export function misspeltKeyProblems(detailed: DetailedResolution, rootDir: string): SpecProblem[] {
  const { fileSpec, resolution } = detailed
  if (!fileSpec?.extra || !resolution.specFile) return []
  const file = resolution.specFile
  return Object.keys(fileSpec.extra).flatMap((key): SpecProblem[] => {
    const known = closest(key, specFileKeys)
    if (known === undefined) return []
    return [
      {
        node: resolution.node,
        scriptName: resolution.scriptName,
        kind: 'misspelt-key',
        message: `Spec file ${displayPath(file, rootDir)} has an unknown key "${key}" (did you mean "${known}"?): it is ignored, so the script would run without it`,
        fix: `Rename "${key}" to "${known}" in ${displayPath(file, rootDir)}.`,
        file,
      },
    ]
  })
}
