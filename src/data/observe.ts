import type { DataContract, ValueContract } from './contract.js'
import type { SummaryOptions, DataSummary } from './summary.js'

/** What a summary must track for a contract to be checked: its file, unique and allowed values. */
export function summaryOptionsFor(contract: DataContract | undefined): SummaryOptions {
  if (contract === undefined) return {}
  const columns = Object.entries(contract.columns ?? {})
  const allowed = columns.filter(([, column]) => column.values !== undefined)
  return {
    ...(contract.file !== undefined ? { file: contract.file } : {}),
    unique: columns.filter(([, column]) => column.unique).map(([name]) => name),
    ...(allowed.length > 0
      ? { allowed: Object.fromEntries(allowed.map(([name, column]) => [name, column.values!])) }
      : {}),
  }
}

/** Listing allowed values pays off for labels and flags, not for free text. */
const VALUES_RECORDED = 10

/**
 * The contract a summary satisfies, as `pipetest record` writes it for review: format, the
 * row count as a lower bound (≥ 1 when rows were written), every column with its type,
 * `nullable: false` where nothing was missing, allowed values for low-cardinality columns,
 * JSON keys with their type. Ranges are left for the user to tighten: observed min/max are
 * one run's values, not the data's law.
 */
export function observedContract(summary: DataSummary): DataContract | undefined {
  if (summary.kind === 'unreadable') return undefined
  const format = summary.formats.length === 1 ? summary.formats[0] : undefined
  if (summary.kind === 'document') {
    const keys: Record<string, ValueContract> = {}
    for (const [name, key] of Object.entries(summary.keys)) {
      keys[name] = {
        ...(key.type !== null ? { type: key.type } : {}),
        ...(key.value !== null && key.value !== 'NaN' ? { nullable: false } : {}),
      }
    }
    return { ...(format ? { format } : {}), keys }
  }
  const columns: Record<string, ValueContract> = {}
  for (const column of summary.columns) {
    const listed =
      column.values !== undefined &&
      column.values.length <= VALUES_RECORDED &&
      column.values.length * 2 <= summary.rows &&
      (column.type === 'integer' || column.type === 'string' || column.type === 'boolean')
    columns[column.name] = {
      ...(column.type !== null ? { type: column.type } : {}),
      ...(column.nulls === 0 && summary.rows > 0 ? { nullable: false } : {}),
      ...(listed ? { values: column.values! } : {}),
    }
  }
  const splits = Object.keys(summary.splits ?? {})
  return {
    ...(format ? { format } : {}),
    rows: { min: summary.rows > 0 ? 1 : 0 },
    ...(splits.length > 0 ? { splits } : {}),
    columns,
  }
}
