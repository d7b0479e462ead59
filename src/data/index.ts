/**
 * The data layer: what the files a script reads and writes hold. Format detection, streaming
 * readers (CSV/TSV, gzipped or not, JSON, JSON Lines, Parquet, folders of shards and split
 * subfolders), summaries, and data contracts checked against them. Below the engine: it knows
 * paths, never executions.
 */
export {
  detectFormat,
  dominantFormat,
  formatName,
  dataFormats,
  type DataFormat,
} from './formats.js'
export { openDataset, type Dataset } from './dataset.js'
export { DataReadError, type DataFile, type RowChunk } from './readers.js'
export {
  summarizeData,
  summarizeDataset,
  DISTINCT_LIMIT,
  type ColumnSummary,
  type DataSummary,
  type DocumentKey,
  type DocumentSummary,
  type SummaryOptions,
  type TableSummary,
  type UnreadableSummary,
} from './summary.js'
export {
  dataContractSchema,
  portContractsSchema,
  valueContractSchema,
  CONTRACT_KEYS,
  type DataContract,
  type PortContracts,
  type ValueContract,
} from './contract.js'
export {
  checkContract,
  countViolations,
  describeViolation,
  describeViolations,
  rowBounds,
  type ContractViolation,
} from './check.js'
export { observedContract, summaryOptionsFor } from './observe.js'
export { readData, type DataRow, type OutputData } from './output-data.js'
export { writeSample, type SampleReport } from './sample.js'
export {
  snapshotData,
  SNAPSHOT_ROWS,
  type DocumentSnapshot,
  type OutputSnapshot,
  type SnapshotOptions,
  type TableSnapshot,
  type UnreadableSnapshot,
} from './snapshot.js'
export { columnTypes, isDate, type Cell, type ColumnType } from './values.js'
