import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync, readdirSync } from 'node:fs'
import { isBuiltin } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

/**
 * What loads at start-up: `pipetest --help`, a command, and the package an adapter imports in
 * every test file load only what they need; the heavy dependencies of features used now and
 * then (the report's graph layout, data readers) load when the feature is used.
 */
const dist = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist')

/**
 * Packages a built file loads when it is evaluated: its static imports (the ES module entries)
 * and top-level requires (the CommonJS build they re-export), followed through our chunks.
 */
function staticPackages(entry: string): Set<string> {
  const packages = new Set<string>()
  const seen = new Set<string>()
  const visit = (file: string) => {
    if (seen.has(file)) return
    seen.add(file)
    const code = readFileSync(file, 'utf8')
    // Static `import … from "x"`, `export … from "x"`, `import "x"`, `require("x")` and
    // `var y = require("x")` at the start of a line (a lazy `import()` is inside a function).
    const pattern = /^(?:(?:import|export)\b[^;]*?|(?:var \w+ = )?require\()["']([^"']+)["']/gm
    for (const match of code.matchAll(pattern)) {
      const specifier = match[1]!
      if (specifier.startsWith('.')) visit(join(dirname(file), specifier))
      else if (!isBuiltin(specifier)) packages.add(specifier)
    }
  }
  visit(join(dist, entry))
  return packages
}

function built(prefix: string): string {
  const file = existsSync(dist)
    ? readdirSync(dist).find((name) => name.startsWith(prefix))
    : undefined
  if (!file) throw new Error(`dist/${prefix}… is missing: run \`npm run build\` first.`)
  return file
}

const LOADED_ON_USE = [
  '@dagrejs/dagre',
  'csv-parse',
  'hyparquet',
  'hyparquet-compressors',
  'tinyglobby',
]

describe('start-up', () => {
  it('pipetest --help loads the dispatcher and colours, no command', () => {
    expect([...staticPackages('cli.cjs')]).toEqual(['picocolors'])
  })

  it.each(['index.js', built('run-'), built('validate-')])(
    '%s loads neither the graph layout nor the data readers',
    (entry) => {
      const packages = staticPackages(entry)
      expect(packages.size).toBeGreaterThan(0)
      for (const name of LOADED_ON_USE) expect(packages).not.toContain(name)
    },
  )

  it("the CommonJS build (Jest's) requires them only when used", () => {
    const script = `require(${JSON.stringify(join(dist, 'index.cjs'))}); console.log(JSON.stringify(Object.keys(require.cache)))`
    const loaded = JSON.parse(
      execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' }),
    ) as string[]
    // zod is bundled (tree-shaken, see tsup.config.ts): its own entry loads every locale.
    expect(loaded.filter((file) => file.includes('node_modules/zod/'))).toEqual([])
    for (const name of LOADED_ON_USE) {
      expect(loaded.filter((file) => file.includes(`node_modules/${name}/`))).toEqual([])
    }
  })
})
