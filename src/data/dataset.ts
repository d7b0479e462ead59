import { statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { isFile, isTemporaryFile, walkTree } from '../files/walk.js'
import { detectFormat } from './formats.js'
import type { DataFile } from './readers.js'

/**
 * What an output (or input) path holds, as data: its readable files — one file, shards
 * (`part-00000.csv` …) or split subfolders (`train/`, `val/`, `test/`) — or why it cannot be
 * read. Unknown formats are reported with the file and the reason, never guessed.
 */
export type Dataset =
  | { kind: 'files'; path: string; files: DataFile[]; bytes: number }
  | { kind: 'unreadable'; path: string; reason: string }

/** Files of one output looked at; a runaway step writing millions of shards is cut here. */
const MAX_FILES = 10_000

/**
 * The data files at `path`. `file` picks one file inside a folder output (the contract's
 * `file`, e.g. `metrics.json` next to a model).
 */
export function openDataset(path: string, file?: string): Dataset {
  let stats
  try {
    stats = statSync(path)
  } catch {
    return { kind: 'unreadable', path, reason: 'nothing was written there' }
  }
  if (file !== undefined) {
    const chosen = stats.isDirectory() ? join(path, file) : path
    return openFiles(path, [chosen])
  }
  if (!stats.isDirectory()) return openFiles(path, [path])
  const files = listDataFiles(path)
  if (files.length === 0)
    return { kind: 'unreadable', path, reason: 'the folder holds no data file' }
  return openFiles(path, files)
}

function openFiles(root: string, paths: string[]): Dataset {
  const files: DataFile[] = []
  const problems: string[] = []
  let bytes = 0
  for (const path of paths) {
    const name = path === root ? (path.split(/[\\/]/).pop() ?? path) : relative(root, path)
    let detection
    try {
      bytes += statSync(path).size
      detection = detectFormat(path)
    } catch {
      problems.push(`${name}: cannot be opened`)
      continue
    }
    if (detection.format === undefined) {
      problems.push(`${name}: ${detection.reason}`)
      continue
    }
    const segments = name.split(/[\\/]/)
    files.push({
      path,
      relative: segments.join('/'),
      format: detection.format,
      gzip: detection.gzip,
      ...(segments.length > 1 ? { split: segments[0]! } : {}),
    })
  }
  if (problems.length > 0) {
    const shown = problems.slice(0, 5)
    if (problems.length > shown.length) shown.push(`… and ${problems.length - shown.length} more`)
    return {
      kind: 'unreadable',
      path: root,
      reason: `not data pipetest can read:\n${shown.map((line) => `  ${line}`).join('\n')}`,
    }
  }
  return { kind: 'files', path: root, files, bytes }
}

/**
 * Data files under a folder, in name order (shards in order), through the one walk
 * (src/files/walk.ts): temporary and hidden files and `_SUCCESS`-style markers left out,
 * symlinked files read, symlinked folders not entered.
 */
function listDataFiles(root: string): string[] {
  const found: string[] = []
  const skip = (name: string) => isTemporaryFile(name) || name.startsWith('_')
  for (const entry of walkTree(root, { skip })) {
    if (found.length >= MAX_FILES) break
    if (entry.kind !== 'file' && entry.kind !== 'symlink') continue
    if (isFile(entry.path, 1)) found.push(entry.path)
  }
  return found
}
