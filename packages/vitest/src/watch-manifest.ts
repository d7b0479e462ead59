import { join, sep } from 'node:path'
import { readRecords, writeRecord } from 'pipetest/internal/records'

/**
 * The link between a test file and the files its pipelines read (DAG, specs, scripts, sample
 * data), which Vitest's import graph cannot see. `describePipeline` writes one manifest per
 * test file while collecting; the plugin reads them when a file changes in watch mode.
 */
export interface WatchManifest {
  testFile: string
  /** Pipeline title → absolute files and folders its tests depend on. */
  pipelines: Record<string, string[]>
}

/** The key under which the plugin provides the manifest folder to test workers. */
export const WATCH_DIR_KEY = 'pipetestWatchDir'

/** Folder of the manifests, inside Vite's cache folder (never committed, never watched). */
export function watchDirOf(cacheDir: string): string {
  return join(cacheDir, 'pipetest', 'watch')
}

// Several describePipeline calls in one file add up; a fresh module (one per test file under
// Vitest's isolation) starts from nothing, so a pipeline removed from a file is forgotten.
const recorded = new Map<string, WatchManifest>()

export function recordWatchedFiles(
  watchDir: string,
  testFile: string,
  pipeline: string,
  files: string[],
): void {
  const manifest = recorded.get(testFile) ?? { testFile, pipelines: {} }
  manifest.pipelines[pipeline] = files
  recorded.set(testFile, manifest)
  // Atomic: the plugin may read while a worker writes.
  writeRecord(watchDir, testFile, manifest)
}

export function readWatchManifests(watchDir: string): WatchManifest[] {
  return readRecords(
    watchDir,
    (value): value is WatchManifest =>
      typeof (value as WatchManifest).testFile === 'string' &&
      typeof (value as WatchManifest).pipelines === 'object',
  )
}

/**
 * Test files whose pipelines read `changed` (the file itself or a folder holding it). Run
 * outputs under `.pipetest/` never count, or every test run would trigger the next.
 */
export function testsUsing(manifests: WatchManifest[], changed: string): string[] {
  const file = changed.split('/').join(sep)
  if (file.split(sep).includes('.pipetest')) return []
  const tests = new Set<string>()
  for (const manifest of manifests) {
    const watched = Object.values(manifest.pipelines).flat()
    if (
      watched.some(
        (path) => file === path || file.startsWith(path.endsWith(sep) ? path : path + sep),
      )
    ) {
      tests.add(manifest.testFile)
    }
  }
  return [...tests]
}
