import { readlinkSync, type Stats } from 'node:fs'
import { resolve } from 'node:path'
import { statThrough, walkTree } from './walk.js'

/**
 * Everything a script can reach through a path, as the script would reach it: the folder
 * walk (walk.ts) looked through symlinks. The input guard fingerprints it and the execution
 * cache digests it (engine/input-guard.ts, cache/content-hash.ts), so both see the same tree.
 *
 * The root is followed when it is a link (a linked data folder is common). A link inside is
 * reported with its text, and its target walked under the link's path, so a write through it
 * is seen. Each folder is entered once (`dir-again` after that), so a link loop ends there;
 * links are looked through at most `maxLinkDepth` deep, one inside another (`too-deep`).
 * FIFOs, sockets and devices are `special` and never opened. The walk is lazy: a caller that
 * has seen enough stops iterating.
 */
export interface Reached {
  path: string
  /** `missing`: nothing there; `dangling`: a link whose target is gone. */
  kind: 'missing' | 'dangling' | 'file' | 'special' | 'dir' | 'dir-again' | 'too-deep'
  /** The link's text, when `path` is a symlink. */
  link: string | undefined
  /** Through the link, if any; undefined when nothing is there. */
  stats: Stats | undefined
}

export interface ReachOptions {
  /** Folders never entered (by path, or the same folder reached another way). */
  exclude?: string[]
  maxLinkDepth?: number
}

export function* reachableEntries(root: string, options: ReachOptions = {}): Generator<Reached> {
  const exclude = options.exclude ?? []
  const excluded = new Set([
    ...exclude.map((path) => resolve(path)),
    ...exclude.flatMap((path) => folderId(statThrough(path)) ?? []),
  ])
  const isExcluded = (path: string, stats = statThrough(path)) =>
    excluded.has(path) || excluded.has(folderId(stats) ?? '')
  const visited = new Set<string>()
  const maxLinkDepth = options.maxLinkDepth ?? 32
  const skip = (_name: string, kind: string, path: string) =>
    kind === 'directory' && isExcluded(path)

  function* enter(path: string, link: string | undefined, linkDepth: number): Generator<Reached> {
    const stats = statThrough(path)
    const reached = (kind: Reached['kind']): Reached => ({ path, kind, link, stats })
    if (stats === undefined) {
      yield reached(link === undefined ? 'missing' : 'dangling')
    } else if (!stats.isDirectory()) {
      yield reached(stats.isFile() ? 'file' : 'special')
    } else if (linkDepth > maxLinkDepth) {
      yield reached('too-deep')
    } else if (isExcluded(path, stats)) {
      return
    } else if (visited.has(folderId(stats)!)) {
      yield reached('dir-again')
    } else {
      visited.add(folderId(stats)!)
      yield reached('dir')
      for (const entry of walkTree(path, { skip, maxEntries: Number.MAX_SAFE_INTEGER })) {
        if (entry.kind === 'directory') {
          const inner = statThrough(entry.path)
          visited.add(folderId(inner) ?? '')
          yield { path: entry.path, kind: 'dir', link: undefined, stats: inner }
        } else if (entry.kind === 'symlink') {
          yield* enter(entry.path, readLink(entry.path), linkDepth + 1)
        } else {
          yield* enter(entry.path, undefined, linkDepth)
        }
      }
    }
  }
  yield* enter(root, undefined, 0)
}

function folderId(stats: Stats | undefined): string | undefined {
  return stats?.isDirectory() ? `${stats.dev}:${stats.ino}` : undefined
}

function readLink(path: string): string {
  try {
    return readlinkSync(path)
  } catch {
    return '?'
  }
}
