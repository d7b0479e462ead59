/** The run report: HTML page and Markdown summary, from run folders' `results.json`. */
export { buildReport, writeReport } from './write-report.js'
export { DEFAULT_REPORT_DIR, REPORT_FILE } from './report-files.js'
export { renderHtml } from './html.js'
export { renderMarkdown } from './markdown.js'
export type { ReportModel } from './model.js'
export { publishReport, describePublished, type PublishedReport } from './write-report.js'
export { RunCollector, type ReporterOptions } from './collector.js'
