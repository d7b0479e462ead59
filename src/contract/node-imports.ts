import { readFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { isFile } from '../files/walk.js'

/**
 * A relative specifier in an `import … from './x'`, `export … from './x'`, `import './x'`,
 * `import('./x')` or `require('./x')`. Read as text, never run: what a Node script imports
 * from its own project is almost always written literally, and a computed specifier is
 * a read the spec declares (`cache.files`).
 */
const RELATIVE_SPECIFIER =
  /(?:\bfrom\s*|\bimport\s*\(?\s*|\brequire\s*\(\s*)(['"])(\.{1,2}\/[^'"\n]*)\1/g

const EXTENSIONS = ['', '.js', '.mjs', '.cjs', '.ts', '.mts', '.cts', '.json']
const INDEXES = ['index.js', 'index.mjs', 'index.cjs', 'index.ts']

/**
 * The project files a Node script imports by relative path, transitively (absolute paths,
 * the script itself left out), resolved as Node does: the exact file, then with an
 * extension, then a folder's `index`. Packages (`import 'lodash'`) are not project files.
 *
 * @example
 *   nodeLocalModules('/p/scripts/train.mjs') // ['/p/scripts/lib/features.mjs']
 */
export function nodeLocalModules(scriptPath: string): string[] {
  const start = resolve(scriptPath)
  const found = new Set<string>()
  const queue = [start]
  while (queue.length > 0) {
    const file = queue.shift()!
    let source: string
    try {
      source = readFileSync(file, 'utf8')
    } catch {
      continue
    }
    if (file.endsWith('.json')) continue
    for (const match of source.matchAll(RELATIVE_SPECIFIER)) {
      const target = resolveRelative(dirname(file), match[2]!)
      if (target === undefined || target === start || found.has(target)) continue
      found.add(target)
      queue.push(target)
    }
  }
  return [...found]
}

function resolveRelative(folder: string, specifier: string): string | undefined {
  const base = resolve(folder, specifier.split(/[?#]/)[0]!)
  for (const extension of EXTENSIONS) {
    if (isFile(base + extension)) return base + extension
  }
  for (const index of INDEXES) {
    if (isFile(resolve(base, index))) return resolve(base, index)
  }
  return undefined
}
