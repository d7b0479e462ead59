/**
 * The data layer: what the files a script reads and writes hold. Format detection, streaming
 * readers (CSV/TSV, gzipped or not, JSON, JSON Lines, Parquet, folders of shards and split
 * subfolders), summaries, and data contracts checked against them. Below the engine: it knows
 * paths, never executions.
 */
export { detectFormat, dominantFormat } from './formats.js'
export {
  summarizeData,
  type ColumnSummary,
  type DataSummary,
  type TableSummary,
} from './summary.js'
export {
  dataContractSchema,
  portContractsSchema,
  type DataContract,
  type PortContracts,
} from './contract.js'
export { checkContract, describeViolations, rowBounds, type ContractViolation } from './check.js'
export { observedContract, summaryOptionsFor } from './observe.js'
export { readData, type DataRow, type OutputData } from './output-data.js'
export { writeSample } from './sample.js'
export { snapshotData, type OutputSnapshot, type SnapshotOptions } from './snapshot.js'
export { isDate } from './values.js'
