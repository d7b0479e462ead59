import { defineConfig } from 'tsup'

// ESM and CommonJS, like the core. `vitest` and `pipetest` stay external: the test file, the
// adapter and the user's own imports must share one Vitest runner and one copy of the core
// (one registry of shared pipeline runs per test file).
export default defineConfig({
  entry: {
    index: 'src/index.ts',
    plugin: 'src/plugin.ts',
    reporter: 'src/reporter.ts',
  },
  format: ['esm', 'cjs'],
  dts: true,
  target: 'node20',
  platform: 'node',
  sourcemap: true,
  clean: true,
  splitting: false,
  // As in the core: built-ins keep `node:` so no resolver mistakes them for packages.
  removeNodeProtocol: false,
  external: ['vitest', 'vite', 'pipetest'],
})
