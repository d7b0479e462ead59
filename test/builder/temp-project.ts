import { createHash } from 'node:crypto'
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises'
import { dirname, join, relative } from 'node:path'

/** A project folder on disk (a `tempDir` fixture's, removed after the test), for tests that need real files. */
export interface TempProject {
  root: string
  path(rel: string): string
  write(rel: string, content: string | object): Promise<string>
  read(rel: string): Promise<string>
  readJson(rel: string): Promise<Record<string, unknown>>
  /** Every file under `rel` (default: the whole project) with a hash of its bytes. */
  snapshot(rel?: string): Promise<Record<string, string>>
}

export function tempProject(root: string): TempProject {
  const path = (rel: string) => join(root, rel)
  return {
    root,
    path,
    async write(rel, content) {
      const file = path(rel)
      await mkdir(dirname(file), { recursive: true })
      await writeFile(
        file,
        typeof content === 'string' ? content : `${JSON.stringify(content, null, 2)}\n`,
      )
      return file
    },
    read: (rel) => readFile(path(rel), 'utf8'),
    async readJson(rel) {
      return JSON.parse(await readFile(path(rel), 'utf8')) as Record<string, unknown>
    },
    async snapshot(rel = '.') {
      const base = path(rel)
      const result: Record<string, string> = {}
      const entries = await readdir(base, { recursive: true, withFileTypes: true }).catch(() => [])
      for (const entry of entries) {
        if (!entry.isFile()) continue
        const file = join(entry.parentPath, entry.name)
        const hash = createHash('sha256')
          .update(await readFile(file))
          .digest('hex')
        result[relative(root, file).split('\\').join('/')] = hash
      }
      return result
    },
  }
}

/** The cursus layout of a spec file for `scriptName` under the default test data dir. */
export function specRel(scriptName: string, testDataDir = 'test/integration/runtime'): string {
  return `${testDataDir}/.specs/${scriptName}_runtime_test_spec.json`
}
