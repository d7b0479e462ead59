import { defineConfig } from 'tsup'

// The core ships ESM and CommonJS: Jest's default runtime `require`s it, and Jest's module
// loader cannot load ESM-only dependencies, so execa (ESM-only) is bundled into the output.
export default defineConfig({
  entry: {
    index: 'src/index.ts',
    cli: 'src/cli/main.ts',
  },
  format: ['esm', 'cjs'],
  dts: { entry: { index: 'src/index.ts' } },
  target: 'node20',
  platform: 'node',
  sourcemap: true,
  clean: true,
  shims: true,
  noExternal: ['execa'],
  splitting: false,
})
