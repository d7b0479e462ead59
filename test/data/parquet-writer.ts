import { writeFileSync } from 'node:fs'
import { tableFromArrays, tableToIPC } from 'apache-arrow'
import * as parquet from 'parquet-wasm'

/** Parquet compressions the Rust writer (arrow-rs, through parquet-wasm) is asked for. */
export type ParquetCompression = 'UNCOMPRESSED' | 'SNAPPY' | 'GZIP' | 'ZSTD' | 'BROTLI' | 'LZ4_RAW'

/**
 * Writes a Parquet file with another implementation than the reader's: arrow-rs, the Rust
 * Parquet writer, compiled to WebAssembly. `rowGroupSize` splits the rows into row groups.
 */
export function writeParquet(
  path: string,
  columns: Parameters<typeof tableFromArrays>[0],
  options: { compression?: ParquetCompression; rowGroupSize?: number } = {},
): void {
  let builder = new parquet.WriterPropertiesBuilder().setCompression(
    parquet.Compression[options.compression ?? 'SNAPPY'],
  )
  if (options.rowGroupSize !== undefined) builder = builder.setMaxRowGroupSize(options.rowGroupSize)
  const table = parquet.Table.fromIPCStream(tableToIPC(tableFromArrays(columns), 'stream'))
  writeFileSync(path, parquet.writeParquet(table, builder.build()))
}
