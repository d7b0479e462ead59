/**
 * `pipetest/internal/report`: the run collector the adapters' reporters write the report with.
 * Its own entry so that a test file, which loads `pipetest/internal`, does not load the report.
 */
export { RunCollector, type ReporterOptions } from './report/index.js'
