import { basename, extname } from 'node:path'
import { isTemporaryFile, statThrough, walkTree } from '../files/walk.js'

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
 * Symlinked files count, symlinked folders are not entered (the walk's policy, src/files/walk.ts).
 */
export function dominantFormat(paths: string[]): string | undefined {
  const counts = new Map<string, number>()
  let seen = 0
  const count = (path: string, name: string): void => {
    if (!isDataFile(path)) return
    seen++
    const format = fileFormat(name)
    counts.set(format, (counts.get(format) ?? 0) + 1)
  }
  const skip = (name: string) => isTemporaryFile(name)
  for (const path of paths) {
    if (!isFolder(path)) count(path, basename(path))
    else
      for (const entry of walkTree(path, { skip })) {
        if (seen >= SAMPLE_FILES) break
        count(entry.path, entry.name)
      }
  }
  const ranked = [...counts].sort(([a, x], [b, y]) => y - x || (a < b ? -1 : 1))
  return ranked[0]?.[0]
}

function isFolder(path: string): boolean {
  return statThrough(path)?.isDirectory() ?? false
}

/** A non-empty regular file, through a symlink too (never a FIFO: it is not opened). */
function isDataFile(path: string): boolean {
  const stats = statThrough(path)
  return stats !== undefined && stats.isFile() && stats.size > 0
}
