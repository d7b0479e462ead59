import {
  checkContract,
  describeViolations,
  isDate,
  rowBounds,
  type ContractViolation,
  type DataRow,
  type OutputData,
} from '../data/index.js'
import { pipelineContextOf } from '../suite/context.js'
import { isOutputData, outputDataOf, outputReportOf } from '../suite/read-output.js'
import { testUsageError } from '../suite/user-error.js'
import { isExecutionResult, notAResult, scriptResultOf } from './received.js'
import type { MatcherResult, MetricRange, RowCount } from './types.js'

/**
 * Matchers on the data a script wrote. Each takes a script result (from `runScript`) and an
 * output name — optional when the script has one output — or what `readOutput` returned.
 * Failure messages show the data: the columns, the count, the value, the offending rows.
 */

/** Rows of a failing predicate shown in the message. */
const ROWS_SHOWN = 5

/**
 * Passes when each output that has a contract in the spec (or `output` alone) holds its
 * contract. The engine checks contracts after each run; this reports what it found.
 */
export function toMatchDataContract(given: unknown, output?: string): MatcherResult {
  const received = scriptResultOf('toMatchDataContract', given)
  const spec = pipelineContextOf(received)?.pipelineSpec.scriptSpecs[received.node]
  const contracts = spec?.outputContracts ?? {}
  const ports = output === undefined ? Object.keys(contracts) : [output]
  if (output !== undefined) outputReportOf('toMatchDataContract', received, output)
  const missing = ports.filter((port) => contracts[port] === undefined)
  if (ports.length === 0 || missing.length > 0) {
    throw testUsageError(
      'USAGE',
      `toMatchDataContract: ${received.node}'s spec has no output contract${missing.length > 0 ? ` for ${missing.join(', ')}` : ''}`,
      {
        node: received.node,
        hint: `Declare one under "output_contracts" in its spec, or record what it writes today: pipetest record <dag> --only ${received.node}.`,
      },
    )
  }
  const checks = (received.dataChecks ?? []).filter(
    (check) => check.direction === 'output' && ports.includes(check.port),
  )
  const unchecked = ports.filter((port) => !checks.some((check) => check.port === port))
  const broken = checks.filter((check) => check.violations.length > 0)
  const pass = unchecked.length === 0 && broken.length === 0
  return {
    pass,
    message: () => {
      const subject = `expected ${received.node}'s ${ports.join(', ')} ${pass ? 'not ' : ''}to match ${ports.length === 1 ? 'its' : 'their'} data contract`
      if (pass) return `${subject}, but ${ports.length === 1 ? 'it does' : 'they do'}`
      if (unchecked.length > 0) {
        return `${subject}, but ${unchecked.join(', ')} could not be checked: ${received.node} ${received.status === 'blocked' ? `was blocked by ${received.blockedBy}` : `failed (${received.outcome}) before writing them`}.\n${received.message}`
      }
      return [
        `${subject}:`,
        ...broken.flatMap((check) => [
          `  ${check.port}:`,
          ...describeViolations(check.violations).map((line) => `    ${line}`),
        ]),
        `  run folder: ${received.runDir}`,
      ].join('\n')
    },
  }
}

/** Passes when the output has every one of `columns` (others may be there too). */
export async function toHaveColumns(
  received: unknown,
  columns: string[],
  output?: string,
): Promise<MatcherResult> {
  const data = await dataOf('toHaveColumns', received, output)
  if (data.summary.kind !== 'table') return notATable(data, 'have columns')
  const present = data.summary.columns.map((column) => column.name)
  const violations = checkContract(data.summary, {
    columns: Object.fromEntries(columns.map((name) => [name, {}])),
  })
  const pass = violations.length === 0
  return {
    pass,
    actual: present,
    expected: columns,
    message: () => {
      const subject = `expected ${subjectOf(data)} ${pass ? 'not ' : ''}to have columns ${columns.join(', ')}`
      if (pass) return `${subject}, but it has them all (columns: ${present.join(', ')})`
      return [
        `${subject}, but:`,
        ...describeViolations(violations).map((line) => `  ${line}`),
        `  columns: ${present.join(', ') || '(none)'}`,
      ].join('\n')
    },
  }
}

/** Passes when the output holds exactly `count` rows, or a count within `{min, max}`. */
export async function toHaveRowCount(
  received: unknown,
  count: RowCount,
  output?: string,
): Promise<MatcherResult> {
  const data = await dataOf('toHaveRowCount', received, output)
  if (data.summary.kind !== 'table') return notATable(data, 'have a row count')
  const rows = data.summary.rows
  const violations = checkContract(data.summary, { rows: count })
  const pass = violations.length === 0
  const bounds = rowBounds(count)
  const wanted =
    bounds.min === bounds.max
      ? `${bounds.min} rows`
      : [
          bounds.min !== undefined ? `≥ ${bounds.min}` : '',
          bounds.max !== undefined ? `≤ ${bounds.max}` : '',
        ]
          .filter(Boolean)
          .join(' and ') + ' rows'
  return {
    pass,
    actual: rows,
    expected: count,
    message: () =>
      `expected ${subjectOf(data)} ${pass ? 'not ' : ''}to have ${wanted}, but it has ${rows}${splitsOf(data)}`,
  }
}

/**
 * Passes when the JSON document `output` has `key` (a dotted path: `per_class.1.recall`) —
 * a finite number within `range` when one is given (a number means exactly that value).
 */
export async function toHaveMetric(
  received: unknown,
  output: string,
  key: string,
  range?: MetricRange,
): Promise<MatcherResult> {
  const data = await dataOf('toHaveMetric', received, output)
  if (data.summary.kind !== 'document') {
    const what =
      data.summary.kind === 'table' ? 'a table, not a JSON document' : data.summary.reason
    return {
      pass: false,
      message: () => `expected ${subjectOf(data)} to have metric ${key}, but it is ${what}`,
    }
  }
  const bounds = typeof range === 'number' ? { min: range, max: range } : (range ?? {})
  const violations: ContractViolation[] = checkContract(data.summary, {
    keys: { [key]: { ...bounds, ...(range !== undefined ? { type: 'number' as const } : {}) } },
  })
  const value = data.summary.keys[key]?.value
  const pass = violations.length === 0
  const wanted =
    range === undefined
      ? ''
      : typeof range === 'number'
        ? ` = ${range}`
        : ` in [${bounds.min ?? '-∞'}, ${bounds.max ?? '∞'}]`
  return {
    pass,
    actual: value,
    expected: range,
    message: () => {
      const subject = `expected ${subjectOf(data)} ${pass ? 'not ' : ''}to have ${key}${wanted}`
      if (pass) return `${subject}, but ${key} = ${String(value)}`
      const keys = Object.keys(data.summary.kind === 'document' ? data.summary.keys : {})
      return [
        `${subject}, but:`,
        ...describeViolations(violations).map((line) => `  ${line}`),
        ...(value !== undefined ? [`  ${key} = ${String(value)}`] : []),
        `  keys: ${keys.join(', ') || '(none)'}`,
      ].join('\n')
    },
  }
}

/**
 * Passes when `predicate` holds for every row of the output (streamed: any size). The
 * message shows the first rows that break it, with their numbers.
 */
export async function toHaveRowsSatisfying(
  received: unknown,
  predicate: (row: DataRow, index: number) => boolean,
  output?: string,
): Promise<MatcherResult> {
  if (typeof predicate !== 'function') {
    throw testUsageError('USAGE', 'toHaveRowsSatisfying: expected a function (row) => boolean', {
      hint: 'Write expect(result).toHaveRowsSatisfying((row) => row.amount >= 0, "processed_data").',
    })
  }
  const data = await dataOf('toHaveRowsSatisfying', received, output)
  if (data.summary.kind !== 'table') return notATable(data, 'have rows')
  const failing: Array<[number, DataRow]> = []
  let failures = 0
  let index = 0
  for await (const row of data.rows()) {
    if (!predicate(row, index)) {
      failures++
      if (failing.length < ROWS_SHOWN) failing.push([index, row])
    }
    index++
  }
  const pass = failures === 0
  return {
    pass,
    message: () => {
      const subject = `expected ${pass ? 'not ' : ''}every row of ${subjectOf(data)} to satisfy ${predicate.name || 'the predicate'}`
      if (pass) return `${subject}, but all ${index} rows do`
      return [
        `${subject}, but ${failures} of ${index} rows do not${failures > failing.length ? ` (first ${failing.length} shown)` : ''}:`,
        ...failing.map(([at, row]) => `  row ${at}: ${JSON.stringify(row, jsonSafe)}`),
      ].join('\n')
    },
  }
}

async function dataOf(matcher: string, received: unknown, output?: string): Promise<OutputData> {
  if (!isOutputData(received) && !isExecutionResult(received)) {
    throw notAResult(matcher, 'a script result (from runScript) or readOutput()', received)
  }
  return outputDataOf(matcher, received, output)
}

function notATable(data: OutputData, what: string): MatcherResult {
  const why =
    data.summary.kind === 'document'
      ? 'it is a JSON document (keys), not a table'
      : `it cannot be read: ${data.summary.kind === 'unreadable' ? data.summary.reason : ''}`
  return { pass: false, message: () => `expected ${subjectOf(data)} to ${what}, but ${why}` }
}

function subjectOf(data: OutputData): string {
  return data.node === undefined ? data.name : `${data.node}'s ${data.name}`
}

function splitsOf(data: OutputData): string {
  if (data.summary.kind !== 'table' || data.summary.splits === undefined) return ''
  const parts = Object.entries(data.summary.splits).map(([split, rows]) => `${split} ${rows}`)
  return ` (${parts.join(', ')})`
}

function jsonSafe(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString()
  if (isDate(value)) return value.toISOString()
  return value
}
