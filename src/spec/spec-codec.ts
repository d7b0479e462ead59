import * as z from 'zod'
import { PipetestError } from '../errors.js'
import { isJsonNumber, isRecord, stringifyJson } from '../files/json.js'
import {
  scriptExecutionSpecSchema,
  specFieldFix,
  specFileKey,
  specFileSchema,
  type ScriptExecutionSpec,
  type ScriptExecutionSpecInput,
} from './script-execution-spec.js'

/** Converts parsed JSON from a spec file into a ScriptExecutionSpec, or throws naming the field. */
export function specFromJson(json: unknown, file: string): ScriptExecutionSpec {
  if (!isRecord(json)) {
    throw new PipetestError('SPEC_INVALID', `Spec file ${file} must hold a JSON object`, {
      file,
      hint: 'A spec file looks like {"script_name": "...", "step_name": "...", "input_paths": {...}, "output_paths": {...}}.',
    })
  }
  const result = specFileSchema().safeDecode(json as z.input<ReturnType<typeof specFileSchema>>)
  if (result.success) return result.data
  const { field, lines, fix } = describeIssues(result.error.issues, json, (path) => path)
  throw new PipetestError('SPEC_INVALID', `Spec file ${file} is invalid:\n${lines}`, {
    file,
    field,
    hint: fix,
  })
}

/**
 * The on-disk object: cursus' keys in cursus' order (nulls where cursus writes None), then
 * our optional keys when set, then the unknown keys the file came with.
 */
export function specToJson(spec: ScriptExecutionSpec): Record<string, unknown> {
  return z.encode(specFileSchema(), spec)
}

/** A spec file's text: two-space JSON as cursus writes it, numbers exactly as they were read. */
export function specFileText(spec: ScriptExecutionSpec): string {
  return `${stringifyJson(specToJson(spec), 2)}\n`
}

/**
 * Validates a spec built in memory (from updates, prompts or code); a problem is a
 * PipetestError naming each field in its on-disk spelling, before anything is written.
 */
export function parseScriptSpec(spec: ScriptExecutionSpecInput, node: string): ScriptExecutionSpec {
  const result = scriptExecutionSpecSchema().safeParse(spec)
  if (result.success) return result.data
  const { field, lines } = describeIssues(result.error.issues, spec, ([head, ...rest]) => [
    specFileKey(String(head ?? '')),
    ...rest,
  ])
  throw new PipetestError('SPEC_INVALID', `The spec for "${node}" is invalid:\n${lines}`, {
    node,
    field,
    hint: 'Nothing was saved. Correct the value named above and try again.',
  })
}

/** One `  - field: what is wrong` line per issue, the first field, and its fix. */
function describeIssues(
  issues: readonly z.core.$ZodIssue[],
  value: object,
  toFileKeys: (path: PropertyKey[]) => PropertyKey[],
): { field: string; lines: string; fix: string } {
  const lines = issues.map(
    (issue) =>
      `  - ${toFileKeys(issue.path).map(String).join('.') || '(root)'}: ${describeIssue(issue, value)}`,
  )
  const first = toFileKeys(issues[0]?.path ?? []).map(String)
  return {
    field: first.join('.'),
    lines: lines.join('\n'),
    fix: specFieldFix(first[0] ?? '') ?? 'Fix the field named above.',
  }
}

function describeIssue(issue: z.core.$ZodIssue, json: object): string {
  const actual = issue.path.reduce<unknown>(
    (value, key) =>
      value && typeof value === 'object'
        ? (value as Record<PropertyKey, unknown>)[key as PropertyKey]
        : undefined,
    json,
  )
  const shown = isJsonNumber(actual) ? actual.jsonNumber : JSON.stringify(actual)
  if (issue.code === 'invalid_type' || (issue.code === 'custom' && isJsonNumber(actual))) {
    const expected = issue.code === 'invalid_type' ? issue.expected : 'number'
    const got =
      actual === undefined
        ? 'nothing (the field is missing)'
        : actual === null
          ? 'null'
          : Array.isArray(actual)
            ? 'a list'
            : `${isJsonNumber(actual) ? 'number' : typeof actual} ${shown}`
    return `expected ${expected}, got ${got}`
  }
  if (issue.code === 'invalid_union') {
    const expected = issue.errors.flatMap((branch) =>
      branch[0]?.code === 'invalid_type' ? [branch[0].expected] : [],
    )
    return `expected ${expected}, got ${Array.isArray(actual) ? 'a list' : `${typeof actual} ${shown}`}`
  }
  if (issue.code === 'invalid_value') {
    return `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}, got ${shown}`
  }
  return `${issue.message}${actual !== undefined ? ` (got ${shown})` : ''}`
}
