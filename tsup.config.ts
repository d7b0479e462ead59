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
  // CommonJS, for what Jest's sandbox loads: its module registry cannot `require` an ES module
  // (Jest 29; Jest 30 before Node 24.9). That is the façade a test file may require and the
  // adapter's internal entry: the engine runs inside the test file, so most of the library.
  // The report and the CLI are not in it: Jest's reporters load through Node's own require(),
  // which loads ES modules (Node ≥ 20.19), hence `internal-report` is ES modules only.
  // Nothing is bundled here either: the dependencies ship CommonJS, except the Parquet reader
  // (hyparquet, ES modules only), which the data layer imports on the first Parquet file.
  // The declarations are built once, here, as .d.cts, and serve `import` and `require` alike:
  // a CommonJS project (`module: node16`) cannot use ES module declarations, while an ES
  // module project may import CommonJS ones (pipetest has named exports only).
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
