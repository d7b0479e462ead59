import { relative } from 'node:path'
import { isTemporaryFile, statThrough, walkTree, type EntryKind } from '../files/walk.js'
import type { OutputReport } from './results.js'

/**
 * A file that counts as produced data: not temporary, not hidden (a `.gitkeep` keeps a
 * folder in git, it is not a result) and not empty (an empty file is what a script that
 * crashed after `open()` leaves behind).
 */
function isDataFile(name: string, size: number): boolean {
  return size > 0 && !name.startsWith('.') && !isTemporaryFile(name)
}

/**
 * What each declared output holds after an execution. An output is produced when its path is
 * a non-empty file, or a folder with at least one data file at any depth (scripts commonly
 * write `train/ val/ test/` subfolders). Counts cover data files only; hidden folders and
 * `__pycache__` are not entered, symlinked files count and symlinked folders are not followed
 * (the walk's policy, in src/files/walk.ts).
 */
export function discoverOutputs(outputPaths: Record<string, string>): OutputReport[] {
  return Object.entries(outputPaths).map(([name, path]) => discoverOutput(name, path))
}

function discoverOutput(name: string, path: string): OutputReport {
  const stats = statThrough(path)
  if (stats === undefined) {
    return { name, path, produced: false, kind: 'missing', files: 0, bytes: 0 }
  }
  if (!stats.isDirectory()) {
    // A declared file is data when it holds bytes, whatever its name.
    const produced = stats.size > 0
    return { name, path, produced, kind: 'file', files: produced ? 1 : 0, bytes: stats.size }
  }
  const { files, bytes, nonData } = countDataFiles(path)
  return {
    name,
    path,
    produced: files > 0,
    kind: 'directory',
    files,
    bytes,
    ...(files === 0 && nonData.count > 0 ? { nonData } : {}),
  }
}

/** Non-data files named in a report: enough to recognise them. */
const NON_DATA_EXAMPLES = 3

function countDataFiles(root: string): Pick<OutputReport, 'files' | 'bytes'> & {
  nonData: Required<OutputReport>['nonData']
} {
  let files = 0
  let bytes = 0
  const nonData = { count: 0, examples: [] as string[] }
  const skip = (name: string, kind: EntryKind) =>
    kind === 'directory' && (name.startsWith('.') || name === '__pycache__')
  for (const entry of walkTree(root, { skip })) {
    if (entry.kind !== 'file' && entry.kind !== 'symlink') continue
    // Through a symlink too; a symlinked folder is not a file, and is not walked.
    const stats = statThrough(entry.path)
    const size = stats?.isFile() ? stats.size : undefined
    if (size !== undefined && isDataFile(entry.name, size)) {
      files += 1
      bytes += size
    } else {
      nonData.count += 1
      if (nonData.examples.length < NON_DATA_EXAMPLES) {
        nonData.examples.push(relative(root, entry.path))
      }
    }
  }
  return { files, bytes, nonData }
}
