import { readdirSync, statSync, type Dirent, type Stats } from 'node:fs'
import { basename, join } from 'node:path'

/**
 * The one folder walk of pipetest (outputs, data formats, the input guard). Its policy, the
 * same for every caller:
 * - it never follows a symlink: a link is reported as `symlink` and the caller decides whether
 *   to look through it (and how far), so a link loop written by a script cannot hang a walk;
 * - it never opens a FIFO, socket or device: they are reported as `special`, because reading
 *   a FIFO with no writer blocks forever;
 * - an unreadable folder is reported and has no entries;
 * - entries come sorted by name, parents before their children, so results are stable;
 * - it stops after `maxEntries` entries: a script that writes millions of files must not stall
 *   a report.
 * The root itself is not reported: the caller has already looked at it (and may have followed
 * it when it is a link, as a linked data folder is common).
 */
export type EntryKind = 'file' | 'directory' | 'symlink' | 'special'

export interface TreeEntry {
  path: string
  name: string
  kind: EntryKind
}

export interface WalkOptions {
  /** Entries to leave out; a folder left out is not entered. */
  skip?: (name: string, kind: EntryKind, path: string) => boolean
  maxEntries?: number
}

export const MAX_WALK_ENTRIES = 100_000

export function* walkTree(root: string, options: WalkOptions = {}): Generator<TreeEntry> {
  const limit = options.maxEntries ?? MAX_WALK_ENTRIES
  const stack: TreeEntry[] = []
  const pushChildren = (dir: string) => {
    let dirents: Dirent[]
    try {
      dirents = readdirSync(dir, { withFileTypes: true })
    } catch {
      return
    }
    const children: TreeEntry[] = []
    for (const dirent of dirents) {
      const kind = kindOf(dirent)
      const path = join(dir, dirent.name)
      if (!options.skip?.(dirent.name, kind, path)) children.push({ path, name: dirent.name, kind })
    }
    children.sort((a, b) => (a.name < b.name ? 1 : a.name > b.name ? -1 : 0))
    for (const child of children) stack.push(child)
  }
  pushChildren(root)
  for (let seen = 0; seen < limit && stack.length > 0; seen++) {
    const entry = stack.pop() as TreeEntry
    yield entry
    if (entry.kind === 'directory') pushChildren(entry.path)
  }
}

function kindOf(dirent: Dirent): EntryKind {
  if (dirent.isSymbolicLink()) return 'symlink'
  if (dirent.isDirectory()) return 'directory'
  if (dirent.isFile()) return 'file'
  return 'special'
}

/** A path's stats through symlinks, or undefined when it (or a link's target) is gone. */
export function statThrough(path: string): Stats | undefined {
  try {
    return statSync(path)
  } catch {
    return undefined
  }
}

/** A regular file (through symlinks), of at least `minSize` bytes; never opened, so never a FIFO. */
export function isFile(path: string, minSize = 0): boolean {
  const stats = statThrough(path)
  return stats !== undefined && stats.isFile() && stats.size >= minSize
}

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
