import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { displayPath } from '../text.js'
import {
  DEFAULT_REPORT_DIR,
  writeReport,
  writeSummary,
  type ReportOptions,
} from './write-report.js'

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
