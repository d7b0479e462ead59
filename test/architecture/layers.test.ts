import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

/**
 * The layer rules of ARCHITECTURE.md, enforced: its code map says which folders of src/ each
 * folder may import, and every import in src/ must keep to it. A new folder adds its row there.
 */
const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
const src = join(root, 'src')

/** `| \`src/engine/\` | … | dag, spec |` → engine: [dag, spec]. */
function layerRules(): Map<string, Set<string>> {
  const rules = new Map<string, Set<string>>()
  const text = readFileSync(join(root, 'ARCHITECTURE.md'), 'utf8')
  for (const match of text.matchAll(
    /^\|\s*`src\/([\w-]+?)(?:\.ts|\/)`\s*\|.*\|\s*([^|]*?)\s*\|$/gm,
  )) {
    const allowed = match[2]!.split(',').map((name) => name.trim().replace(/`/g, ''))
    rules.set(match[1]!, new Set(allowed.filter((name) => name !== '' && name !== 'nothing')))
  }
  return rules
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => join(entry.parentPath, entry.name))
    .filter((file) => !file.includes(`${join('runners', 'harness')}/`))
}

/** `engine` for src/engine/x.ts, `errors` for src/errors.ts. */
function layerOf(file: string): string {
  const [first = ''] = relative(src, file).split('/')
  return first.replace(/\.ts$/, '')
}

/** Relative imports of a file, resolved to .ts paths (`import type` included). */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8')
  const specifiers = [...text.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)]
  return specifiers.map((m) => resolve(dirname(file), m[1]!.replace(/\.js$/, '.ts')))
}

describe('layers', () => {
  const rules = layerRules()
  const files = sourceFiles(src)

  it('ARCHITECTURE.md names every folder and top-level module of src/', () => {
    const layers = new Set(files.map(layerOf))
    const missing = [...layers].filter((layer) => !rules.has(layer))
    expect(missing, 'add a row for each to the code map of ARCHITECTURE.md').toEqual([])
  })

  it('every import in src/ keeps to the code map of ARCHITECTURE.md', () => {
    const breaches: string[] = []
    for (const file of files) {
      const from = layerOf(file)
      for (const target of importsOf(file)) {
        const to = layerOf(target)
        if (to !== from && !rules.get(from)?.has(to)) {
          breaches.push(`${relative(root, file)} imports ${relative(root, target)}`)
        }
      }
    }
    expect(breaches).toEqual([])
  })

  it('no module imports itself through others (no cycles, type-only ones included)', () => {
    const graph = new Map(files.map((file) => [file, importsOf(file)]))
    const cycles: string[] = []
    const state = new Map<string, 'open' | 'done'>()
    const visit = (file: string, path: string[]) => {
      if (state.get(file) === 'done') return
      if (state.get(file) === 'open') {
        const cycle = path.slice(path.indexOf(file)).concat(file)
        cycles.push(cycle.map((f) => relative(src, f)).join(' → '))
        return
      }
      state.set(file, 'open')
      for (const next of graph.get(file) ?? []) visit(next, [...path, file])
      state.set(file, 'done')
    }
    for (const file of files) visit(file, [])
    expect(cycles).toEqual([])
  })
})
