import { appendFileSync, existsSync, mkdirSync, statSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { MARKER_FILE } from '../engine/workspace.js'
import { readRunRecord, RESULTS_FILE, type RunRecord } from '../engine/run-record.js'
import { PipetestError } from '../errors.js'
import { writeFileAtomic } from '../files/atomic-write.js'
import { displayPath } from '../text.js'
import { renderHtml } from './html.js'
import { layOut } from './layout.js'
import { renderMarkdown } from './markdown.js'
import { pipelineViewOf, type PipelineView, type ReportModel } from './model.js'
import { previewOutputs, type OutputPreviewer } from './outputs.js'
import { DEFAULT_REPORT_DIR, REPORT_FILE } from './report-files.js'

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

/**
 * What `pipetest run --report` and the framework reporters do at the end of a run: write the
 * HTML report, the Markdown summary where asked (a file; GitHub's job summary when
 * `GITHUB_STEP_SUMMARY` is set), and list a link per failed node for the terminal.
 */
export interface PublishOptions extends ReportOptions {
  /** Folder of the HTML report (default `reports`), relative to `cwd`. */
  dir?: string
  /** Also write the Markdown summary to this file. */
  summaryFile?: string
  cwd?: string
  env?: NodeJS.ProcessEnv
}

export type PublishedReport = Awaited<ReturnType<typeof publishReport>>

export async function publishReport(runFolders: string[], options: PublishOptions = {}) {
  const cwd = options.cwd ?? process.cwd()
  const env = options.env ?? process.env
  const dir = resolve(cwd, options.dir || DEFAULT_REPORT_DIR)
  const { file, model } = await writeReport(runFolders, dir, options)
  if (options.summaryFile) {
    writeSummary(model, resolve(cwd, options.summaryFile), { reportFile: file })
  }
  // The job summary file appended to, when running under GitHub Actions.
  const jobSummary = env.GITHUB_STEP_SUMMARY || undefined
  if (jobSummary) writeSummary(model, jobSummary, { append: true, reportFile: file })
  // One link per failed node: the report opened at that node.
  const failures = model.pipelines.flatMap((pipeline) =>
    pipeline.failedNodes.map((node) => ({
      pipeline: pipeline.name,
      node,
      url: reportLink(file, pipeline.id, node),
    })),
  )
  return { file, model, jobSummary, failures }
}

/** The report opened at one node: `file:///…/pipetest-report.html#<run id>/<node>`. */
export function reportLink(file: string, pipelineId: string, node?: string): string {
  const hash = [pipelineId, ...(node === undefined ? [] : [node])].map(encodeURIComponent)
  return `${pathToFileURL(file).href}#${hash.join('/')}`
}

/** The lines printed at the end of a run: where the report is (from `cwd`), each failure's entry. */
export function describePublished(published: PublishedReport, cwd: string): string[] {
  const lines = [`Report        ${displayPath(published.file, cwd)}`]
  for (const failure of published.failures) {
    lines.push(`  ✗ ${failure.node}: ${failure.url}`)
  }
  if (published.jobSummary) lines.push('Job summary   written ($GITHUB_STEP_SUMMARY)')
  return lines
}
