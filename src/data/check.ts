import type { DataContract, ValueContract } from './contract.js'
import type { ColumnSummary, DataSummary, DocumentKey } from './summary.js'
import { formatName, type DataFormat } from './formats.js'
import { compareCells, type ColumnType } from './values.js'
import { levenshtein } from '../text.js'

/**
 * One way data breaks its contract. Plain data: the engine stores it in results, and each
 * edge (test failure, CLI, report) renders it with `describeViolation`.
 */
export type ContractViolation =
  | { kind: 'unreadable'; reason: string }
  | { kind: 'format'; expected: DataFormat; actual: DataFormat[] }
  | { kind: 'shape'; expected: 'table' | 'document' }
  | { kind: 'rows'; actual: number; min?: number; max?: number }
  | { kind: 'missing-split'; split: string; splits: string[] }
  | { kind: 'missing'; where: Where; name: string; renamedTo?: string }
  | { kind: 'unexpected'; where: Where; name: string }
  | { kind: 'type'; where: Where; name: string; expected: ColumnType; actual: ColumnType }
  | { kind: 'nulls'; where: Where; name: string; count: number }
  | {
      kind: 'range'
      where: Where
      name: string
      bound: 'min' | 'max'
      limit: number | string
      actual: number | string
    }
  | { kind: 'duplicates'; name: string; count: number; examples: string[] }
  | {
      kind: 'disallowed'
      where: Where
      name: string
      count: number
      examples: string[]
      allowed: Array<string | number | boolean>
    }

export type Where = 'column' | 'key'

/**
 * Checks a summary against a contract; no violations means it holds. The summary must have
 * been taken with the contract's `unique` and `values` (see `summaryOptionsFor`).
 */
export function checkContract(summary: DataSummary, contract: DataContract): ContractViolation[] {
  if (summary.kind === 'unreadable') return [{ kind: 'unreadable', reason: summary.reason }]
  const violations: ContractViolation[] = []
  const { format } = contract
  if (format !== undefined && summary.formats.some((actual) => actual !== format)) {
    violations.push({ kind: 'format', expected: format, actual: summary.formats })
  }
  if (summary.kind === 'document') {
    if ([contract.columns, contract.rows, contract.splits].some((set) => set !== undefined)) {
      violations.push({ kind: 'shape', expected: 'table' })
    }
    violations.push(...checkKeys(summary.keys, contract))
    return violations
  }
  if (contract.keys !== undefined) violations.push({ kind: 'shape', expected: 'document' })
  const rows = rowBounds(contract.rows)
  if (
    (rows.min !== undefined && summary.rows < rows.min) ||
    (rows.max !== undefined && summary.rows > rows.max)
  ) {
    violations.push({ kind: 'rows', actual: summary.rows, ...rows })
  }
  for (const split of contract.splits ?? []) {
    if (!summary.splits?.[split]) {
      violations.push({ kind: 'missing-split', split, splits: Object.keys(summary.splits ?? {}) })
    }
  }
  const columns = new Map(summary.columns.map((column) => [column.name, column]))
  const declared = contract.columns ?? {}
  violations.push(
    ...presence('column', Object.keys(declared), [...columns.keys()], contract.strict),
  )
  for (const [name, expected] of Object.entries(declared)) {
    const column = columns.get(name)
    if (column !== undefined) violations.push(...checkValues('column', name, column, expected))
  }
  return violations
}

/** The row count bounds of a contract's `rows` (a number is exact). */
export function rowBounds(rows: DataContract['rows']): { min?: number; max?: number } {
  if (rows === undefined) return {}
  if (typeof rows === 'number') return { min: rows, max: rows }
  const { min, max } = rows
  return { ...(min !== undefined && { min }), ...(max !== undefined && { max }) }
}

/**
 * Missing and unexpected names. An undeclared name is always offered as the likely new name
 * of a missing one ("renamed?"); it is a violation of its own only under `strict`.
 */
function presence(
  where: Where,
  declared: string[],
  present: string[],
  strict = false,
): ContractViolation[] {
  const presentSet = new Set(present)
  const declaredSet = new Set(declared)
  const unexpected = present.filter((name) => !declaredSet.has(name))
  const missing = declared.filter((name) => !presentSet.has(name))
  const candidates = [...unexpected]
  const violations: ContractViolation[] = []
  for (const name of missing) {
    const renamedTo = closest(name, candidates)
    if (renamedTo !== undefined) candidates.splice(candidates.indexOf(renamedTo), 1)
    violations.push({ kind: 'missing', where, name, ...(renamedTo !== undefined && { renamedTo }) })
  }
  const offered = new Set(unexpected.filter((name) => !candidates.includes(name)))
  for (const name of unexpected) {
    if (strict || offered.has(name)) violations.push({ kind: 'unexpected', where, name })
  }
  return violations
}

/** What a column shows of its values, or a document key of its one value. */
type Observed = Pick<ColumnSummary, 'type' | 'nulls' | 'min' | 'max' | 'duplicates' | 'disallowed'>

/** One column's (or key's) values against what its contract declares. */
function checkValues(
  where: Where,
  name: string,
  seen: Observed,
  expected: ValueContract,
): ContractViolation[] {
  const violations: ContractViolation[] = []
  // A key's one value is not a column of 0s and 1s: only a column's range makes it boolean.
  const fits = (type: ColumnType) => typeFits(type, where === 'column' ? seen : { type: seen.type })
  if (expected.type !== undefined && seen.type !== null && !fits(expected.type)) {
    violations.push({ kind: 'type', where, name, expected: expected.type, actual: seen.type })
  }
  if (expected.nullable === false && seen.nulls > 0) {
    violations.push({ kind: 'nulls', where, name, count: seen.nulls })
  }
  const { min, max } = expected
  if (min !== undefined && seen.min !== undefined && compareCells(seen.min, min) < 0) {
    violations.push({ kind: 'range', where, name, bound: 'min', limit: min, actual: seen.min })
  }
  if (max !== undefined && seen.max !== undefined && compareCells(max, seen.max) < 0) {
    violations.push({ kind: 'range', where, name, bound: 'max', limit: max, actual: seen.max })
  }
  if (expected.unique && seen.duplicates && seen.duplicates.count > 0) {
    violations.push({ kind: 'duplicates', name, ...seen.duplicates })
  }
  if (expected.values !== undefined && seen.disallowed && seen.disallowed.count > 0) {
    violations.push({
      kind: 'disallowed',
      where,
      name,
      ...seen.disallowed,
      allowed: expected.values,
    })
  }
  return violations
}

function checkKeys(keys: Record<string, DocumentKey>, contract: DataContract): ContractViolation[] {
  const declared = contract.keys ?? {}
  // A declared key may name an object (`per_class`): present when any leaf lies below it.
  const present = (name: string) =>
    name in keys || Object.keys(keys).some((key) => key.startsWith(`${name}.`))
  const leaves = Object.keys(keys).filter(
    (key) => !Object.keys(declared).some((name) => key === name || key.startsWith(`${name}.`)),
  )
  const violations = presence(
    'key',
    Object.keys(declared).filter((name) => !present(name)),
    leaves,
    contract.strict,
  )
  for (const [name, expected] of Object.entries(declared)) {
    const key = keys[name]
    if (key === undefined) continue
    violations.push(...checkKey(name, key, expected))
  }
  return violations
}

function checkKey(name: string, key: DocumentKey, expected: ValueContract): ContractViolation[] {
  const nonFinite = typeof key.value === 'string' && key.type === 'number'
  if (key.value === null || (nonFinite && key.value === 'NaN')) {
    const wanted =
      expected.nullable === false || expected.min !== undefined || expected.max !== undefined
    return wanted ? [{ kind: 'nulls', where: 'key', name, count: 1 }] : []
  }
  const value = nonFinite ? Number(key.value) : key.value
  const bound =
    typeof value === 'number' || typeof value === 'string' ? { min: value, max: value } : {}
  const allowed = expected.values?.some((option) => String(option) === String(key.value)) ?? true
  const disallowed = allowed ? {} : { disallowed: { count: 1, examples: [String(key.value)] } }
  return checkValues('key', name, { type: key.type, nulls: 0, ...bound, ...disallowed }, expected)
}

/** integer ⊂ number; string holds anything; 0/1 integers are booleans too. */
function typeFits(
  expected: ColumnType,
  actual: Pick<ColumnSummary, 'type' | 'min' | 'max'>,
): boolean {
  const type = actual.type
  if (type === null || expected === 'string' || expected === type) return true
  if (expected === 'number') return type === 'integer'
  if (expected === 'boolean')
    return (
      type === 'integer' &&
      actual.min !== undefined &&
      (actual.min as number) >= 0 &&
      (actual.max as number) <= 1
    )
  return false
}

/** The undeclared name most like `name`, when any is alike enough to be its new name. */
function closest(name: string, candidates: string[]): string | undefined {
  let best: string | undefined
  let bestScore = 0
  for (const candidate of candidates) {
    const score = likeness(name, candidate)
    if (score > bestScore) {
      best = candidate
      bestScore = score
    }
  }
  // With a single stranger, it is the new name whatever it looks like: one column out, one in.
  return bestScore >= 0.4 || candidates.length === 1 ? best : undefined
}

/** 1 − edit distance / longer length, on lower-cased names without separators. */
function likeness(a: string, b: string): number {
  const x = a.toLowerCase().replace(/[_\-\s.]/g, '')
  const y = b.toLowerCase().replace(/[_\-\s.]/g, '')
  if (x === y) return 1
  if (x.includes(y) || y.includes(x)) return 0.8
  return 1 - levenshtein(x, y) / Math.max(x.length, y.length, 1)
}

/**
 * One line per violation, for a test failure or a terminal:
 * "column `amount` missing; unexpected column `amt` — renamed?",
 * "12 nulls in `label`, declared not null", "rows: 0, declared ≥ 1".
 */
export function describeViolations(violations: ContractViolation[]): string[] {
  const renamed = new Set(
    violations.flatMap((v) =>
      v.kind === 'missing' && v.renamedTo !== undefined ? [v.renamedTo] : [],
    ),
  )
  return violations
    .filter((v) => !(v.kind === 'unexpected' && renamed.has(v.name)))
    .map(describeViolation)
}

function describeViolation(violation: ContractViolation): string {
  switch (violation.kind) {
    case 'unreadable':
      return `cannot be read: ${violation.reason}`
    case 'format':
      return `format: ${violation.actual.map((format) => formatName(format)).join(', ')}, declared ${formatName(violation.expected)}`
    case 'shape':
      return violation.expected === 'table'
        ? 'holds a JSON document (keys), but the contract declares a table (columns/rows)'
        : 'holds a table (rows), but the contract declares a JSON document (keys)'
    case 'rows':
      return `rows: ${violation.actual}, declared ${describeBounds(violation.min, violation.max)}`
    case 'missing-split':
      return `split \`${violation.split}\` missing or empty; splits present: ${violation.splits.map((s) => `\`${s}\``).join(', ') || 'none'}`
    case 'missing':
      return violation.renamedTo !== undefined
        ? `${violation.where} \`${violation.name}\` missing; unexpected ${violation.where} \`${violation.renamedTo}\` — renamed?`
        : `${violation.where} \`${violation.name}\` missing`
    case 'unexpected':
      return `unexpected ${violation.where} \`${violation.name}\` (the contract is strict)`
    case 'type':
      return `\`${violation.name}\`: type ${violation.actual}, declared ${violation.expected}`
    case 'nulls':
      return violation.where === 'key'
        ? `key \`${violation.name}\` is null or NaN, declared a value`
        : `${violation.count} null${violation.count === 1 ? '' : 's'} in \`${violation.name}\`, declared not null`
    case 'range':
      return `\`${violation.name}\`: ${violation.where === 'key' ? 'value' : violation.bound} ${String(violation.actual)}, declared ${violation.bound === 'min' ? '≥' : '≤'} ${String(violation.limit)}`
    case 'duplicates':
      return `\`${violation.name}\`: ${violation.count} repeated value${violation.count === 1 ? '' : 's'} (e.g. ${violation.examples.join(', ')}), declared unique`
    case 'disallowed':
      return `\`${violation.name}\`: ${violation.count} value${violation.count === 1 ? '' : 's'} outside [${violation.allowed.join(', ')}] (e.g. ${violation.examples.join(', ')})`
  }
}

function describeBounds(min: number | undefined, max: number | undefined): string {
  if (min !== undefined && min === max) return `exactly ${min}`
  if (min !== undefined && max !== undefined) return `${min}–${max}`
  return min !== undefined ? `≥ ${min}` : `≤ ${max}`
}
