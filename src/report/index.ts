/** The run report: HTML page and Markdown summary, from run folders' `results.json`. */
export {
  buildReport,
  writeReport,
  writeSummary,
  DEFAULT_REPORT_DIR,
  REPORT_FILE,
  SUMMARY_FILE,
  type ReportOptions,
  type WrittenReport,
} from './write-report.js'
export { renderHtml } from './html.js'
export { renderMarkdown } from './markdown.js'
export { toMermaid, type MermaidGraph, type MermaidStatus } from './mermaid.js'
export type * from './model.js'
export type * from './outputs.js'
export {
  publishReport,
  reportLink,
  describePublished,
  type PublishOptions,
  type PublishedReport,
} from './publish.js'
export { RunCollector, type ReporterOptions } from './collector.js'
