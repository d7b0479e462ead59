import { defineConfig, type Options } from 'tsup'

/**
 * What is published is what users run: our own code only (dependencies are dependencies, not
 * bundled), no source maps, and one copy of each module shared by every entry point (code
 * splitting), so the CLI loads the library's code instead of repeating it, and a module's
 * state (the registry of shared pipeline runs) exists once whichever entry imported it.
 */
const shared: Options = {
  target: 'node20',
  platform: 'node',
  splitting: true,
  sourcemap: false,
  shims: true,
  // Keep `node:` on built-in imports. Stripped (tsup's default), `timers/promises` is a bare
  // specifier that a resolver may look up as a package: Vite's module runner did so in CI when
  // it inlined our dist, and failed with "Cannot find module '<root>/timers/promises'".
  removeNodeProtocol: false,
  // `npm run build` empties dist/ first; the two builds below run side by side.
  clean: false,
}

export default defineConfig([
  // ESM: the library, the adapters' internal entries and the CLI (which loads its commands lazily).
  {
    ...shared,
    format: ['esm'],
    entry: {
      index: 'src/index.ts',
      internal: 'src/internal.ts',
      'internal-report': 'src/internal-report.ts',
      cli: 'src/cli/main.ts',
    },
  },
  // CommonJS, for what Jest's default runtime loads: its module registry cannot `require` an
  // ES module (Jest 29; Jest 30 before Node 24.9), so the library has a CommonJS build too.
  // Nothing is bundled here either: the dependencies ship CommonJS, except the Parquet reader
  // (hyparquet, ES modules only), which the data layer imports on the first Parquet file.
  {
    ...shared,
    format: ['cjs'],
    entry: { index: 'src/index.ts', internal: 'src/internal.ts' },
    dts: {
      entry: {
        index: 'src/index.ts',
        internal: 'src/internal.ts',
        'internal-report': 'src/internal-report.ts',
      },
    },
  },
])
