import { existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { hashOf, readRecords, writeRecord } from 'pipetest/internal/records'

/**
 * Per-test properties travel from the test environment (in a Jest worker) to jest-junit (in the
 * main Jest process) through one JSON file per test file. jest-junit's testcase-properties
 * function receives the test result only — no file, no config — so both sides must find the
 * folder from what they share: the working directory (workers inherit the main process's).
 */
export interface TestCaseProperties {
  /** Jest's full name: describe titles and the test title joined by spaces. */
  fullName: string
  /** When the test started (ms since the epoch), as Jest reports it in `startAt`. */
  startAt: number | null
  /** Its duration (ms) as Jest reports it; what tells namesakes apart on Jest 29 (no startAt). */
  duration?: number | null
  properties: Record<string, string>
}

export interface PropertiesFile {
  testPath: string
  tests: TestCaseProperties[]
}

/**
 * `PIPETEST_JEST_PROPERTIES_DIR` when set, else `node_modules/.cache/pipetest/jest-properties`
 * of the nearest folder with a package.json (the find-cache-dir convention), else a folder in
 * the system temp dir named after the working directory.
 */
export function propertiesDirectory(cwd: string = process.cwd()): string {
  const configured = process.env.PIPETEST_JEST_PROPERTIES_DIR
  if (configured) return configured
  for (let dir = cwd; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) {
      return join(dir, 'node_modules', '.cache', 'pipetest', 'jest-properties')
    }
    if (dirname(dir) === dir) break
  }
  return join(tmpdir(), 'pipetest-jest-properties', hashOf(cwd))
}

/** One file per test file, overwritten by its next run, so the folder does not grow. */
export function writePropertiesFile(directory: string, file: PropertiesFile): void {
  writeRecord(directory, file.testPath, file)
}

/** Every readable properties file of the folder; a missing folder or a damaged file is skipped. */
export function readPropertiesFiles(directory: string): PropertiesFile[] {
  return readRecords(directory, (value): value is PropertiesFile =>
    Array.isArray((value as PropertiesFile).tests),
  )
}
