import { cp, mkdtemp, rm, symlink } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { basename, dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll } from 'vitest'

/** Repository root and the fixture projects shared by the core, Vitest and Jest adapter tests. */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..')
export const projectsDir = join(repoRoot, 'test', 'fixtures', 'projects')

/** Leftovers of a run made in place (run folders, caches, links) are not part of a fixture. */
const generated = new Set(['.pipetest', 'node_modules', '.vite', 'reports'])

function isSource(path: string): boolean {
  return !generated.has(basename(path))
}

/**
 * The node_modules fixture copies link to: the repository's, or another one set in
 * PIPETEST_FIXTURE_NODE_MODULES (to try a build made elsewhere).
 */
export function fixtureNodeModules(): string {
  return process.env.PIPETEST_FIXTURE_NODE_MODULES ?? join(repoRoot, 'node_modules')
}

export interface CopyOptions {
  /**
   * Link `<copy>/node_modules` to the repository's, so a test file in the copy imports
   * `pipetest` and `@pipetest/vitest` as a user would (by package name, from their dist).
   */
  linkNodeModules?: boolean
}

/**
 * Copies fixture projects into a fresh temp folder, later ones over earlier ones (an overlay
 * adds test files or a second pipeline to a base project). Runs write under the copy's
 * `.pipetest/`, so tests never touch the repository or each other. Removed after the file.
 */
export function useFixtureProjects(): (names: string[], options?: CopyOptions) => Promise<string> {
  const created: string[] = []
  afterAll(async () => {
    await Promise.all(created.splice(0).map((dir) => rm(dir, { recursive: true, force: true })))
  })
  return async (names, options = {}) => {
    const dir = await mkdtemp(join(tmpdir(), `pipetest-${names.join('+')}-`))
    created.push(dir)
    for (const name of names) {
      await cp(join(projectsDir, name), dir, { recursive: true, filter: isSource })
    }
    if (options.linkNodeModules) {
      await symlink(fixtureNodeModules(), join(dir, 'node_modules'), 'dir')
    }
    return dir
  }
}
