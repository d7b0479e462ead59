import { copyFile, writeFile } from 'node:fs/promises'
import { defineConfig } from 'tsup'

/**
 * The entries, each built once as CommonJS (`dist/<name>.cjs`). `internal-records` is the
 * record folders alone, for the adapters' code that runs outside a test file (Jest's
 * environment, jest-junit's properties function): through `internal` it would load the whole
 * engine, ~30 ms of CPU in each Jest worker, to read and write a few small JSON files.
 */
const entry = {
  index: 'src/index.ts',
  internal: 'src/internal.ts',
  'internal-report': 'src/internal-report.ts',
  'internal-records': 'src/files/record-folder.ts',
  cli: 'src/cli/main.ts',
}

/**
 * ES module entries over the CommonJS build: `import 'pipetest'` loads `dist/index.js`, which
 * re-exports `dist/index.cjs` (Node finds a CommonJS module's named exports statically). So
 * `import` and `require` get one module, and its state (the registry of shared pipeline runs)
 * exists once in a process whichever way each caller loaded it.
 *
 * The command line has none: its bin is `dist/cli.cjs` itself. Started through an ES module,
 * Node loads every CommonJS chunk through its ES module loader, which first scans each one for
 * its exports: `pipetest run --help` took ~35 ms more CPU that way (Node 20), all of it before
 * a run's first script can start.
 */
async function writeEsmEntries(): Promise<void> {
  // zod's code is in our chunks (see `noExternal` below): its licence goes with it.
  await copyFile('node_modules/zod/LICENSE', 'dist/zod.LICENSE')
  for (const name of Object.keys(entry)) {
    if (name !== 'cli') await writeFile(`dist/${name}.js`, `export * from './${name}.cjs'\n`)
  }
}

/**
 * What is published is what users run: our own code (dependencies are dependencies, not
 * bundled — but for zod, see `noExternal`), no source maps, and one copy of each module shared
 * by every entry point (code splitting), so the CLI loads the library's code instead of
 * repeating it.
 *
 * One implementation, CommonJS: Jest's sandbox (the engine runs inside a Jest test file) has a
 * module registry that cannot `require` an ES module (Jest 29; Jest 30 before Node 24.9), while
 * every ES module loader (Node's, Vite's module runner) imports CommonJS. A second, ES module
 * build of the same code would double the package and give a process two copies of the
 * library's state when both ways are used. The source stays ES modules; `treeshake` has Rollup
 * write the CommonJS chunks (tsup's own CommonJS code splitting compiles optional chaining and
 * class fields down to helpers, a quarter more code). Rollup keeps `import()` of our lazily
 * loaded chunks (the CLI's commands) and of the ES-module-only Parquet reader as `import()`,
 * which Node's CommonJS modules can call; where Jest's sandbox cannot, the data layer's
 * `loadLibrary` falls back to Node's own require().
 *
 * The declarations are built once, as .d.cts, and serve `import` and `require` alike: a
 * CommonJS project (`module: node16`) cannot use ES module declarations, while an ES module
 * project may import CommonJS ones (pipetest has named exports only).
 */
export default defineConfig({
  entry,
  format: ['cjs'],
  // zod's part that we use is bundled: its entry (`zod`, `zod/mini` or `zod/v4/core` alike)
  // loads every one of its locales and its JSON Schema code, ~45 ms of CPU in each process that
  // loads pipetest, a third of loading it. esbuild keeps only what our schemas reach (zod
  // declares no side effects), provided the source imports it as a namespace (`import * as z`;
  // `import { z }` is an object esbuild cannot see through) and names nothing through `z.core`
  // (a namespace inside it: the whole of zod's core, locales included). zod stays a dependency
  // for its types, which our declarations use.
  noExternal: ['zod'],
  target: 'node20',
  platform: 'node',
  splitting: true,
  treeshake: true,
  sourcemap: false,
  // `import.meta.url` (where the harness, the report assets and package.json are) is the
  // built file's URL, from `src/cjs-shim.ts`. tsup's own shim builds it from `file:` and the
  // path, which breaks on a `#` or `%` in the install path.
  define: { 'import.meta.url': 'importMetaUrl' },
  inject: ['src/cjs-shim.ts'],
  // Keep `node:` on built-in imports. Stripped (tsup's default), `timers/promises` is a bare
  // specifier that a resolver may look up as a package: Vite's module runner did so in CI when
  // it inlined our dist, and failed with "Cannot find module '<root>/timers/promises'".
  removeNodeProtocol: false,
  // `npm run build` empties dist/ first.
  clean: false,
  dts: {
    entry: {
      index: 'src/index.ts',
      internal: 'src/internal.ts',
      'internal-report': 'src/internal-report.ts',
      'internal-records': 'src/files/record-folder.ts',
    },
  },
  onSuccess: writeEsmEntries,
})
