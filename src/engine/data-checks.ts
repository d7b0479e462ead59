import {
  checkContract,
  describeViolations,
  summarizeData,
  summaryOptionsFor,
} from '../data/index.js'
import type { PortContracts } from '../data/index.js'
import type { DataCheck, InputSource } from './results.js'

/**
 * Checks the data at each port that has a contract. Ports without a contract, or whose path
 * is not there (reported elsewhere as a missing input or output), are not checked.
 */
export async function checkPortData(
  direction: DataCheck['direction'],
  contracts: PortContracts | undefined,
  paths: Record<string, string>,
  wiredFrom: Record<string, InputSource> = {},
): Promise<DataCheck[]> {
  const ports = Object.entries(contracts ?? {}).filter(([port]) => paths[port] !== undefined)
  return Promise.all(
    ports.map(async ([port, contract]) => {
      const path = paths[port]!
      const summary = await summarizeData(path, summaryOptionsFor(contract))
      const from = wiredFrom[port]
      return {
        port,
        direction,
        path,
        ...(from ? { from } : {}),
        violations: checkContract(summary, contract),
      }
    }),
  )
}

/** The checks that failed. */
export function brokenChecks(checks: DataCheck[]): DataCheck[] {
  return checks.filter((check) => check.violations.length > 0)
}

/**
 * `processed_data (from Preprocess.processed_data):` followed by one indented line per
 * violation — the lines every failure message about data is built from.
 */
export function describeDataChecks(checks: DataCheck[], indent = '  '): string[] {
  return brokenChecks(checks).flatMap((check) => [
    `${indent}${check.port}${check.from ? ` (from ${check.from.node}.${check.from.output})` : ''}:`,
    ...describeViolations(check.violations).map((line) => `${indent}  ${line}`),
  ])
}
