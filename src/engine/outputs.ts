import { readdirSync, statSync } from 'node:fs'
import type { Stats } from 'node:fs'
import { basename, sep } from 'node:path'
import type { OutputReport } from './results.js'

/**
 * A folder walk stops after this many entries: a runaway script writing millions of files
 * must not stall the report. Counts of a larger tree are then those of the part walked.
 */
export const MAX_WALK_ENTRIES = 100_000

const SYSTEM_NAMES = new Set(['.ds_store', 'thumbs.db', 'desktop.ini'])
const TEMPORARY_SUFFIXES = [
  '.tmp',
  '.temp',
  '~',
  '.swp',
  '.bak',
  '.orig',
  '.rej',
  '.lock',
  '.pid',
  '.log',
  '.pyc',
  '.pyo',
]
const KEEP_MARKERS = new Set(['.gitkeep', '.placeholder'])

/**
 * cursus' list of temporary and system files: hidden names (except the `.gitkeep` /
 * `.placeholder` folder markers), `.DS_Store`, `Thumbs.db`, `desktop.ini`, editor and tool
 * leftovers (`*.tmp .temp ~ .swp .bak .orig .rej .lock .pid .log`), and Python bytecode
 * (`__pycache__`, `*.pyc`, `*.pyo`). Takes a name or a path.
 */
export function isTemporaryFile(path: string): boolean {
  if (path.split(/[\\/]/).includes('__pycache__')) return true
  const name = basename(path).toLowerCase()
  if (name.startsWith('.') && !KEEP_MARKERS.has(name)) return true
  if (SYSTEM_NAMES.has(name)) return true
  return TEMPORARY_SUFFIXES.some((suffix) => name.endsWith(suffix))
}

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
 * `__pycache__` are not entered, symlinked folders are not followed (no cycles).
 */
export function discoverOutputs(outputPaths: Record<string, string>): OutputReport[] {
  return Object.entries(outputPaths).map(([name, path]) => discoverOutput(name, path))
}

function discoverOutput(name: string, path: string): OutputReport {
  let stats: Stats
  try {
    stats = statSync(path)
  } catch {
    return { name, path, produced: false, kind: 'missing', files: 0, bytes: 0 }
  }
  if (!stats.isDirectory()) {
    // A declared file is data when it holds bytes, whatever its name.
    const produced = stats.size > 0
    return { name, path, produced, kind: 'file', files: produced ? 1 : 0, bytes: stats.size }
  }
  const { files, bytes } = countDataFiles(path)
  return { name, path, produced: files > 0, kind: 'directory', files, bytes }
}

function countDataFiles(root: string): { files: number; bytes: number } {
  let files = 0
  let bytes = 0
  let seen = 0
  const pending = [root]
  while (pending.length > 0 && seen < MAX_WALK_ENTRIES) {
    const dir = pending.pop() as string
    let entries
    try {
      entries = readdirSync(dir, { withFileTypes: true })
    } catch {
      continue // unreadable subfolder: nothing we can count there
    }
    for (const entry of entries) {
      if (++seen > MAX_WALK_ENTRIES) break
      const full = dir + sep + entry.name
      if (entry.isDirectory()) {
        if (!entry.name.startsWith('.') && entry.name !== '__pycache__') pending.push(full)
        continue
      }
      const size = fileSize(full)
      if (size !== undefined && isDataFile(entry.name, size)) {
        files += 1
        bytes += size
      }
    }
  }
  return { files, bytes }
}

/**
 * Size of a regular file, through a symlink too; undefined for a symlinked folder (not
 * walked), a socket or fifo (not data) and a dangling link or a file removed meanwhile.
 */
function fileSize(path: string): number | undefined {
  try {
    const stats = statSync(path)
    return stats.isFile() ? stats.size : undefined
  } catch {
    return undefined
  }
}
