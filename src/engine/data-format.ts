import { readdirSync, statSync } from 'node:fs'
import { extname, join } from 'node:path'
import { isTemporaryFile } from './outputs.js'

/** cursus' `_detect_file_format` names, so reports read the same. */
const FORMATS: Record<string, string> = {
  csv: 'csv',
  json: 'json',
  parquet: 'parquet',
  pkl: 'pickle',
  pickle: 'pickle',
  bst: 'xgboost_model',
  onnx: 'onnx_model',
  zip: 'compressed_archive',
  h5: 'hdf5',
  hdf5: 'hdf5',
  txt: 'text',
  xml: 'xml',
  yaml: 'yaml',
  yml: 'yaml',
}

/** The format of one file name (`train.csv` → `csv`, `model.tar.gz` → `compressed_archive`). */
export function fileFormat(name: string): string {
  if (/\.tar\.gz$|\.tgz$/i.test(name)) return 'compressed_archive'
  const extension = extname(name).slice(1).toLowerCase()
  if (extension === '') return 'no_extension'
  return FORMATS[extension] ?? extension
}

/** Files looked at: a sample is enough to name the format, and edges can carry big datasets. */
const SAMPLE_FILES = 1000

/**
 * The most common format among the data files under `paths` (files or folders, any depth),
 * or undefined when there are none. Ties go to the alphabetically first, for stable reports.
 */
export function dominantFormat(paths: string[]): string | undefined {
  const counts = new Map<string, number>()
  let seen = 0
  // The depth cap keeps a symlink loop written by a script from recursing forever.
  const visit = (path: string, name: string, depth: number) => {
    if ((name !== '' && isTemporaryFile(name)) || depth > 32 || seen >= SAMPLE_FILES) return
    let stats
    try {
      stats = statSync(path)
    } catch {
      return
    }
    if (stats.isDirectory()) {
      for (const entry of readdirSync(path).sort()) visit(join(path, entry), entry, depth + 1)
    } else if (stats.isFile() && stats.size > 0) {
      seen++
      const format = fileFormat(name)
      counts.set(format, (counts.get(format) ?? 0) + 1)
    }
  }
  for (const path of paths) visit(path, '', 0)
  const ranked = [...counts].sort(([a, x], [b, y]) => y - x || (a < b ? -1 : 1))
  return ranked[0]?.[0]
}
