import { chmodSync, lstatSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { cp, symlink } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { basename, dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { test as base } from 'vitest'

/**
 * The project's test fixtures (Vitest `test.extend`): each test asks for the temporary folders
 * and fixture-project or example copies it needs, and gets them removed when it ends, whatever it left
 * behind (a mode-000 spec file, a read-only folder). `beforeAll` hooks that share a project
 * across a file use the file-scoped twins (`fileTempDir`, `fileFixtureProject`), removed after
 * the file's last test. Nothing a test creates outlives its test file in the temp folder.
 */

/** Repository root and the fixture projects shared by the core, Vitest and Jest adapter tests. */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..')
export const projectsDir = join(repoRoot, 'test', 'fixtures', 'projects')
/** The examples a user reads first (examples/<name>); some tests run them end to end. */
export const examplesDir = join(repoRoot, 'examples')

/** A fresh folder in the system's temp folder, named `<prefix>XXXXXX`. */
export type TempDir = (prefix?: string) => string

export interface CopyOptions {
  /**
   * Link `<copy>/node_modules` to the repository's, so a test file in the copy imports
   * `pipetest` and `@pipetest/vitest` as a user would (by package name, from their dist).
   */
  linkNodeModules?: boolean
}

/**
 * Copies fixture projects (names under test/fixtures/projects) into one fresh temp folder,
 * later ones over earlier ones (an overlay adds test files or a second pipeline to a base
 * project), and returns it. Runs write under the copy's `.pipetest/`, so tests never touch the
 * repository or each other.
 */
export type FixtureProject = (names: string | string[], options?: CopyOptions) => Promise<string>

/** Copies an example (a folder under examples/) into a fresh temp folder, as a user has it. */
export type ExampleProject = (name: string) => Promise<string>

/**
 * The node_modules fixture copies link to: the repository's, or another one set in
 * PIPETEST_FIXTURE_NODE_MODULES (to try a build made elsewhere).
 */
export function fixtureNodeModules(): string {
  return process.env.PIPETEST_FIXTURE_NODE_MODULES ?? join(repoRoot, 'node_modules')
}

/** Leftovers of a run made in place (run folders, caches, links) are not part of a fixture. */
const generated = new Set(['.pipetest', 'node_modules', '.vite', 'reports', '__pycache__'])

/** Removes `dir`, first making writable what a test left unreadable or read-only. */
export function removeTree(dir: string): void {
  makeRemovable(dir)
  rmSync(dir, { recursive: true, force: true })
}

function makeRemovable(dir: string): void {
  try {
    chmodSync(dir, 0o755)
    for (const entry of readdirSync(dir)) {
      const path = join(dir, entry)
      const stats = lstatSync(path)
      if (stats.isDirectory()) makeRemovable(path)
      else if (!stats.isSymbolicLink()) chmodSync(path, 0o644)
    }
  } catch {
    // Best effort: rmSync with force copes with the rest.
  }
}

/**
 * A temp-folder factory whose folders are all removed by `onCleanup`, unless PIPETEST_KEEP is
 * set: then they stay, to look at what a failing test left (an installed pack, a run folder).
 */
function tempFolders(onCleanup: (cleanup: () => void) => void): TempDir {
  const created: string[] = []
  onCleanup(() => {
    if (process.env.PIPETEST_KEEP) return
    for (const dir of created.splice(0)) removeTree(dir)
  })
  return (prefix = 'pipetest-') => {
    const dir = mkdtempSync(join(tmpdir(), prefix))
    created.push(dir)
    return dir
  }
}

/** Copies of the projects under `from` (fixture projects or examples), made in `tempDir`. */
function projectCopies(tempDir: TempDir, from = projectsDir): FixtureProject {
  return async (names, options = {}) => {
    const list = typeof names === 'string' ? [names] : names
    const dir = tempDir(`pipetest-${list.join('+')}-`)
    for (const name of list) {
      await cp(join(from, name), dir, {
        recursive: true,
        filter: (path) => !generated.has(basename(path)),
      })
    }
    if (options.linkNodeModules) {
      await symlink(fixtureNodeModules(), join(dir, 'node_modules'), 'dir')
    }
    return dir
  }
}

/* eslint-disable no-empty-pattern -- Vitest reads a fixture's dependencies from its first parameter's destructuring. */
export const test = base
  .extend('tempDir', async ({}, { onCleanup }) => tempFolders(onCleanup))
  .extend('fixtureProject', async ({ tempDir }) => projectCopies(tempDir))
  .extend('exampleProject', async ({ tempDir }): Promise<ExampleProject> => {
    const copy = projectCopies(tempDir, examplesDir)
    return (name) => copy(name)
  })
  .extend('fileTempDir', { scope: 'file' }, async ({}, { onCleanup }) => tempFolders(onCleanup))
  .extend('fileFixtureProject', { scope: 'file' }, async ({ fileTempDir }) =>
    projectCopies(fileTempDir),
  )
/* eslint-enable no-empty-pattern */

export const it = test
