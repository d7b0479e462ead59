import { appendFileSync, existsSync, mkdirSync, statSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { MARKER_FILE } from '../engine/workspace.js'
import { readRunRecord, RESULTS_FILE, type RunRecord } from '../engine/run-record.js'
import { PipetestError } from '../errors.js'
import { writeFileAtomic } from '../files/atomic-write.js'
import { renderHtml } from './html.js'
import { layOut } from './layout.js'
import { renderMarkdown } from './markdown.js'
import { pipelineViewOf, type PipelineView, type ReportModel } from './model.js'
import { previewOutputs, type OutputPreviewer } from './outputs.js'

export const REPORT_FILE = 'pipetest-report.html'
export const SUMMARY_FILE = 'pipetest-summary.md'
export const DEFAULT_REPORT_DIR = 'reports'

export interface ReportOptions {
  /** Page title; default: the pipeline names. */
  title?: string
  /** Reads what the report shows of an execution's outputs (default: files and previews). */
  previewOutputs?: OutputPreviewer
}

/**
 * The report model of the runs whose folders are given: each folder's `results.json`, laid
 * out, with its outputs read from the folder. A folder without results throws
 * RUN_RESULTS_NOT_FOUND naming it.
 */
export async function buildReport(
  runFolders: string[],
  options: ReportOptions = {},
): Promise<ReportModel> {
  const records = runFolders.map(loadRecord)
  const pipelines: PipelineView[] = []
  for (const record of records) {
    const view = await pipelineViewOf(record, options.previewOutputs ?? previewOutputs)
    await layOut(view)
    pipelines.push(view)
  }
  const names = [...new Set(pipelines.map((pipeline) => pipeline.name))]
  return {
    title: options.title ?? `pipetest: ${names.join(', ') || 'no runs'}`,
    generatedAt: new Date().toISOString(),
    pipelines,
  }
}

/** Writes `<dir>/pipetest-report.html` (atomically) for the given run folders: its file, its model. */
export async function writeReport(runFolders: string[], dir: string, options: ReportOptions = {}) {
  const model = await buildReport(runFolders, options)
  const file = join(resolve(dir), REPORT_FILE)
  mkdirSync(resolve(dir), { recursive: true })
  writeFileAtomic(file, renderHtml(model))
  return { file, model }
}

/**
 * Writes the Markdown summary of a report to `file`, or appends it: GitHub's job summary file
 * collects every step's summary.
 */
export function writeSummary(
  model: ReportModel,
  file: string,
  options: { append?: boolean; reportFile?: string } = {},
): void {
  const markdown = renderMarkdown(model, options.reportFile)
  mkdirSync(dirname(resolve(file)), { recursive: true })
  if (options.append) appendFileSync(file, `${markdown}\n`)
  else writeFileAtomic(file, markdown)
}

function loadRecord(runFolder: string): RunRecord {
  const dir = resolve(runFolder)
  let record: RunRecord | undefined
  try {
    record = readRunRecord(dir)
  } catch (error) {
    throw new PipetestError(
      'RUN_RESULTS_NOT_FOUND',
      `Cannot read ${join(dir, RESULTS_FILE)}: ${error instanceof Error ? error.message : String(error)}`,
      { file: join(dir, RESULTS_FILE), hint: 'Run the pipeline again to record its results.' },
    )
  }
  if (record) return record
  const isRun = existsSync(join(dir, MARKER_FILE))
  const isDir = existsSync(dir) && statSync(dir).isDirectory()
  throw new PipetestError(
    'RUN_RESULTS_NOT_FOUND',
    !isDir
      ? `No run folder at ${dir}`
      : isRun
        ? `The run folder ${dir} has no ${RESULTS_FILE} (the run was cut short, or made by an older pipetest)`
        : `${dir} is not a pipetest run folder (no ${MARKER_FILE})`,
    {
      file: dir,
      hint: 'Give a folder under <testDataDir>/.pipetest/runs/, e.g. the "Run folder" printed by pipetest run.',
    },
  )
}
