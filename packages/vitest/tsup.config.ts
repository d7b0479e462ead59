import { defineConfig } from 'tsup'

// ES modules only: Vitest itself cannot be loaded from CommonJS, so a CommonJS build of the
// adapter could never work. `vitest` and `pipetest` stay external: the test file, the adapter
// and the user's own imports must share one Vitest runner and one copy of the core (one
// registry of shared pipeline runs per test file). No source maps: what ships is what runs.
export default defineConfig({
  entry: {
    index: 'src/index.ts',
    plugin: 'src/plugin.ts',
    reporter: 'src/reporter.ts',
    junit: 'src/junit.ts',
  },
  format: ['esm'],
  dts: true,
  target: 'node20',
  platform: 'node',
  sourcemap: false,
  clean: true,
  splitting: false,
  // As in the core: built-ins keep `node:` so no resolver mistakes them for packages.
  removeNodeProtocol: false,
  external: ['vitest', 'vite', 'pipetest'],
})
