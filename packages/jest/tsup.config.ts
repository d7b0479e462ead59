import { defineConfig } from 'tsup'

// CommonJS only: Jest's default runtime `require`s the adapter, its environment and the
// jest-junit properties module. The core and Jest's packages stay external so the test file,
// the adapter and the user's imports share one copy of each; `@jest/globals` above all, which
// Jest's module registry hands out per test file instead of loading it.
export default defineConfig({
  entry: {
    index: 'src/index.ts',
    environment: 'src/environment.ts',
    'junit-properties': 'src/junit-properties.ts',
    reporter: 'src/reporter.ts',
  },
  format: ['cjs'],
  // jest-junit `require`s the properties module by path: it has no importers to type.
  dts: {
    entry: {
      index: 'src/index.ts',
      environment: 'src/environment.ts',
      reporter: 'src/reporter.ts',
    },
  },
  external: ['@jest/globals'],
  target: 'node20',
  platform: 'node',
  sourcemap: false,
  clean: true,
  splitting: false,
  // As in the core: built-ins keep `node:` so no resolver mistakes them for packages.
  removeNodeProtocol: false,
})
