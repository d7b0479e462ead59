import type { Plugin } from 'vitest/config'
import { readWatchManifests, testsUsing, WATCH_DIR_KEY, watchDirOf } from './watch-manifest.js'

/**
 * Vite/Vitest plugin for watch mode: editing a pipeline's script, spec, DAG or sample-data
 * file reruns the test files of the pipelines that use it. Vitest reruns tests by following
 * imports, and these files are read by child processes and `fs`, so it cannot see them.
 * Needs Vitest ≥ 3.2 (`configureVitest`, `watchTriggerPatterns`).
 *
 * @example
 * // vitest.config.ts
 * import { defineConfig } from 'vitest/config'
 * import { pipetest } from '@pipetest/vitest/plugin'
 * export default defineConfig({ plugins: [pipetest()] })
 */
export function pipetest(): Plugin {
  return {
    name: 'pipetest',
    // Scripts write their outputs under `<testDataDir>/.pipetest/`: watching them would only
    // cost file-system events (they never trigger reruns, see `testsUsing`).
    config: () => ({ server: { watch: { ignored: ['**/.pipetest/**'] } } }),
    configureVitest({ vitest, project }) {
      const watchDir = watchDirOf(project.vite.config.cacheDir)
      // `provide` is typed by key; the key stays private rather than augmenting ProvidedContext.
      ;(project as unknown as { provide(key: string, value: unknown): void }).provide(
        WATCH_DIR_KEY,
        watchDir,
      )
      vitest.config.watchTriggerPatterns ??= []
      vitest.config.watchTriggerPatterns.push({
        pattern: /.*/,
        // Undefined when no pipeline reads the file, so Vitest's own import-graph handling
        // still decides for ordinary source files.
        testsToRun: (file) => {
          const tests = testsUsing(readWatchManifests(watchDir), file)
          return tests.length > 0 ? tests : undefined
        },
      })
    },
  }
}

export default pipetest
