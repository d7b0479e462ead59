import { existsSync, realpathSync } from 'node:fs'
import { basename, dirname, join, resolve } from 'node:path'
import type { Plugin } from 'vitest/config'
import { loadProjectConfig } from 'pipetest/internal'
import { readWatchManifests, testsUsing, WATCH_DIR_KEY, watchDirOf } from './watch-manifest.js'

/** Deletions arrive one event per file (a removed folder of sample data): rerun once. */
const DELETE_BATCH_MS = 100

/**
 * Vite/Vitest plugin for watch mode: editing or deleting a pipeline's script, a module the
 * script imports from the project, its spec, DAG or sample-data file, or the project
 * configuration reruns the test files of the pipelines that use it. Vitest reruns tests by
 * following imports, and these files are read by child processes and `fs`, so it cannot see
 * them. Reads the project configuration (`pipetest.config.json` or `package.json`'s
 * `pipetest`) for where run outputs and the execution cache live, which are never watched.
 * Needs Vitest ≥ 3.2 (`configureVitest`, `watchTriggerPatterns`).
 *
 * @example
 * // vitest.config.ts
 * import { defineConfig } from 'vitest/config'
 * import { pipetest } from '@pipetest/vitest/plugin'
 * export default defineConfig({ plugins: [pipetest()] })
 */
export function pipetest(): Plugin {
  let configFile: string | undefined
  return {
    name: 'pipetest',
    config(userConfig) {
      const project = loadProjectConfig(resolve(userConfig.root ?? process.cwd()))
      configFile = project.file
      const cacheDir = typeof project.cache === 'object' ? project.cache.dir : undefined
      // Scripts write their outputs under `<testDataDir>/.pipetest/` and the cache may live
      // elsewhere: watching them would only cost file-system events (they never trigger
      // reruns, see `testsUsing`).
      return {
        server: {
          watch: { ignored: ['**/.pipetest/**', ...(cacheDir ? [`${cacheDir}/**`] : [])] },
        },
      }
    },
    configureVitest({ vitest, project }) {
      // Manifests cost a static read of each script's imports: only watch mode needs them.
      if (!vitest.config.watch) return
      const watchDir = watchDirOf(project.vite.config.cacheDir)
      // `provide` is typed by key; the key stays private rather than augmenting ProvidedContext.
      ;(project as unknown as { provide(key: string, value: unknown): void }).provide(
        WATCH_DIR_KEY,
        watchDir,
      )
      const testsFor = (file: string): string[] => {
        const manifests = readWatchManifests(watchDir)
        // The configuration changes every pipeline's python, folders or cache.
        if (configFile !== undefined && canonical(file) === canonical(configFile)) {
          return manifests.map((manifest) => manifest.testFile)
        }
        return testsUsing(manifests, canonical(file))
      }
      vitest.config.watchTriggerPatterns ??= []
      vitest.config.watchTriggerPatterns.push({
        pattern: /.*/,
        // Undefined when no pipeline reads the file, so Vitest's own import-graph handling
        // still decides for ordinary source files.
        testsToRun: (file) => {
          const tests = testsFor(file)
          return tests.length > 0 ? tests : undefined
        },
      })
      // Vitest consults the trigger patterns for changed and added files only; a deleted
      // input file (or module) reruns its pipelines here.
      const deleted = new Set<string>()
      let timer: NodeJS.Timeout | undefined
      vitest.vite.watcher.on('unlink', (file: string) => {
        for (const test of testsFor(file)) deleted.add(test)
        if (deleted.size === 0 || timer) return
        timer = setTimeout(() => {
          timer = undefined
          const specifications = [...deleted].flatMap((test) =>
            vitest.getModuleSpecifications(test),
          )
          deleted.clear()
          if (specifications.length > 0) void vitest.rerunTestSpecifications(specifications)
        }, DELETE_BATCH_MS)
      })
    },
  }
}

/** Paths as the manifests hold them (symlinks resolved), also for a file just deleted. */
function canonical(path: string): string {
  if (existsSync(path)) return realpathSync(path)
  const parent = dirname(path)
  return parent === path ? path : join(canonical(parent), basename(path))
}

export default pipetest
