/**
 * `pipetest/internal/report`: the run collector the adapters' reporters write the report with.
 * ES modules only: reporters run outside Jest's sandbox, where Node's own `require()` loads ES
 * modules (Node ≥ 20.19), so the report renderer needs no CommonJS copy.
 */
export { RunCollector, type ReporterOptions } from './report/index.js'
