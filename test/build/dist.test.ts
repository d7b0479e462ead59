import { existsSync, readFileSync, readdirSync } from 'node:fs'
import { isBuiltin } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

/**
 * The builds are evaluated by other module loaders than Node's — Vite's module runner inlines
 * them when the package is linked rather than installed. A bare built-in (`timers/promises`)
 * is then one resolver quirk away from being looked up as a file under the project root (it
 * was, in CI), so every built-in import or require in them must carry `node:`. The CommonJS
 * files are the implementation the ES module entries re-export, so they are checked too.
 */
const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
const esmDirs = ['dist', 'packages/vitest/dist']
/** Every file of the builds: entries and the chunks they share. */
const esmBuilds = esmDirs.flatMap((dir) => {
  const path = join(repoRoot, dir)
  const files = existsSync(path) ? readdirSync(path).filter((name) => /\.c?js$/.test(name)) : []
  return files.map((name) => `${dir}/${name}`)
})

/** Specifiers of static imports, re-exports, dynamic imports and requires in built code. */
function importedSpecifiers(code: string): string[] {
  const pattern = /(?:\bfrom\s*|\b(?:import|require)\s*\(\s*|\bimport\s+)["']([^"']+)["']/g
  return [...code.matchAll(pattern)].map((match) => match[1]!)
}

describe('built modules', () => {
  it('are built', () => {
    expect(esmBuilds, 'run `npm run build` first').toEqual(
      expect.arrayContaining([
        'dist/index.js',
        'dist/index.cjs',
        'dist/cli.cjs',
        'packages/vitest/dist/index.js',
      ]),
    )
  })

  it.each(esmBuilds)('%s imports Node built-ins with the node: prefix', (build) => {
    const file = join(repoRoot, build)
    if (!existsSync(file)) throw new Error(`${build} is missing: run \`npm run build\` first.`)
    const specifiers = importedSpecifiers(readFileSync(file, 'utf8'))
    const bare = specifiers.filter(
      (specifier) => isBuiltin(specifier) && !specifier.startsWith('node:'),
    )
    expect(bare).toEqual([])
  })
})
