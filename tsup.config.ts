import { defineConfig, type Options } from 'tsup'

const shared: Options = {
  entry: { index: 'src/index.ts', internal: 'src/internal.ts', cli: 'src/cli/main.ts' },
  target: 'node20',
  platform: 'node',
  sourcemap: true,
  shims: true,
  // Keep `node:` on built-in imports. Stripped (tsup's default), `timers/promises` is a bare
  // specifier that a resolver may look up as a package: Vite's module runner did so in CI when
  // it inlined our dist, and failed with "Cannot find module '<root>/timers/promises'".
  removeNodeProtocol: false,
  splitting: false,
  // `npm run build` empties dist/ first; the two builds below run side by side.
  clean: false,
}

export default defineConfig([
  // ESM: dependencies stay external (execa is ESM and imports natively).
  {
    ...shared,
    format: ['esm'],
    dts: { entry: { index: 'src/index.ts', internal: 'src/internal.ts' } },
  },
  // CommonJS, for Jest's default runtime: its module loader cannot `require` ESM-only
  // packages, so execa, the Parquet reader (hyparquet and its compressors) and their ESM-only
  // dependencies are bundled into this build.
  {
    ...shared,
    format: ['cjs'],
    noExternal: ['execa', 'hyparquet', 'hyparquet-compressors'],
    dts: { entry: { index: 'src/index.ts', internal: 'src/internal.ts' } },
  },
])
