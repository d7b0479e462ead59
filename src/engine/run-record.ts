import { existsSync, mkdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { DagJson } from '../dag/index.js'
import { writeFileAtomic } from '../files/atomic-write.js'
import { readRecords } from '../files/record-folder.js'
import type { ScriptExecutionSpec } from '../spec/index.js'
import type { DataCompatibilityResult, PipelineFlowResult, ScriptTestResult } from './results.js'
import { createRunId } from './workspace.js'

/**
 * `results.json` in a run folder: every tier result the run produced, with the DAG and the
 * specs they came from. A run folder then explains itself — a report (`pipetest report
 * <run-folder>`, the test-framework reporters) reads it without the project, and without
 * being in the process that ran the scripts (a Vitest or Jest worker).
 */
export const RESULTS_FILE = 'results.json'

export interface RunRecord {
  tool: 'pipetest'
  kind: 'run-results'
  version: 1
  runId: string
  /** The run folder (the file format's name for it). */
  runDir: string
  state: 'complete' | 'interrupted'
  /** The DAG's name, when it has one. */
  pipeline: string | null
  /** Absolute DAG file, when the DAG came from one. */
  dagFile: string | null
  rootDir: string
  testDataDir: string
  recordedAt: string
  dag: DagJson
  /** Node → the spec it ran with. */
  specs: Record<string, ScriptExecutionSpec>
  scripts: Record<string, ScriptTestResult>
  /** Keyed `"A->B"`. */
  edges: Record<string, DataCompatibilityResult>
  flow: PipelineFlowResult | null
}

export function writeRunRecord(record: RunRecord): string {
  const file = join(record.runDir, RESULTS_FILE)
  writeFileAtomic(file, `${JSON.stringify(record)}\n`, { durable: false })
  noteInJournal(record.runDir)
  return file
}

/**
 * The record of a run folder, or undefined when it has none (an older pipetest, a run that
 * executed nothing) or it is not ours. A damaged file is reported by the caller that asked.
 */
export function readRunRecord(runFolder: string): RunRecord | undefined {
  const file = join(runFolder, RESULTS_FILE)
  if (!existsSync(file)) return undefined
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<RunRecord>
  return parsed.tool === 'pipetest' && parsed.kind === 'run-results' && parsed.version === 1
    ? (parsed as RunRecord)
    : undefined
}

/**
 * A reporter in the test framework's main process learns which runs its workers made from a
 * journal folder it names in this variable (workers inherit the environment): each closed
 * run adds one file holding its folder. One file per run, so parallel workers never share a
 * file.
 */
export const RUN_JOURNAL_ENV = 'PIPETEST_RUN_JOURNAL'

function noteInJournal(runFolder: string): void {
  const journal = process.env[RUN_JOURNAL_ENV]
  if (!journal) return
  try {
    mkdirSync(journal, { recursive: true })
    // Named like a run id: sorted by time, unique across processes.
    const entry = join(journal, `${createRunId()}.json`)
    writeFileAtomic(entry, JSON.stringify({ runDir: runFolder }), { durable: false })
  } catch {
    // The journal only feeds a report; a missing or read-only folder must not fail a test.
  }
}

/** The run folders noted in `journal`, oldest first; unreadable entries are skipped. */
export function readJournal(journal: string): string[] {
  const entries = readRecords(
    journal,
    (value): value is { runDir: string } =>
      typeof (value as { runDir?: unknown } | null)?.runDir === 'string',
  )
  return [...new Set(entries.map((entry) => entry.runDir))]
}
