import { readFileSync } from 'node:fs'
import { createRequire, isBuiltin } from 'node:module'
import { join } from 'node:path'
import { execa } from 'execa'
import { describe, expect, test } from 'vitest'
import { repoRoot } from '../support/fixtures.js'

/**
 * What each package would publish (`npm pack --dry-run`): our own code only, with its
 * dependencies declared rather than bundled (except zod's, below), no source maps, no build
 * nothing loads. The packs
 * are installed and run by packages/vitest/test/pack.test.ts and packages/jest/test/pack.test.ts.
 */
/**
 * The core's budget: issue 15 asked for ≤ 250 KB (from 1.15 MB, when execa and its dependencies
 * were bundled and source maps embedded them); the packaging met it at 190 KB. Our own code has
 * grown since (data layer, contract reader, HTML report, execution cache, Python worker,
 * selectors, snapshots), to 424 KB with an ES module and a CommonJS build of it, and is back
 * at 242 KB with one implementation (CommonJS, which every loader can load, under ES module
 * entries) and one set of declarations. Then 290 KB, from 245 KB, when the part of zod we use
 * was bundled (see tsup.config.ts): zod's own entry loads all of its locales and JSON Schema
 * code, ~45 ms of CPU in every process that loads pipetest (each command, each Vitest or Jest
 * worker); bundled, the build keeps its English messages only, ~41 KB gzipped. zod stays a
 * dependency: the declarations use its types. 292 KB when `pipetest run` learned to start Python
 * before it loads zod and the engine (its command line and the early worker in chunks apart).
 * 295 KB (291.7 → 293.9 KB) when the group watchdog learned to start scripts, off the thread
 * running the pipeline (its protocol, and the README's account of why and what it measured).
 */
const CORE_BUDGET_BYTES = 295_000
/** Packages whose used code is bundled into the core's build, tree-shaken. */
const BUNDLED = ['zod']

interface Pack {
  /** Gzipped tarball size, bytes. */
  size: number
  files: Array<{ path: string }>
}

async function pack(workspace?: string): Promise<{ pack: Pack; dir: string }> {
  const args = ['pack', '--dry-run', '--json', ...(workspace ? ['-w', workspace] : [])]
  const { stdout } = await execa('npm', args, { cwd: repoRoot })
  const [result] = JSON.parse(stdout) as Pack[]
  const dir = workspace ? join(repoRoot, 'packages', workspace.split('/')[1]!) : repoRoot
  return { pack: result!, dir }
}

function manifest(dir: string): Record<string, Record<string, unknown> | undefined> {
  return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Record<
    string,
    Record<string, unknown>
  >
}

/** Packages a built file imports or requires (bare specifiers, built-ins excluded). */
function packagesImportedBy(code: string): string[] {
  const pattern =
    /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+|\brequire\s*\(\s*)["']((?:@[\w.-]+\/)?[\w.-]+(?:\/[\w./-]+)?)["']/g
  return [...code.matchAll(pattern)]
    .map((match) => match[1]!)
    .filter((specifier) => !specifier.startsWith('.') && !isBuiltin(specifier))
    .map((specifier) =>
      specifier
        .split('/')
        .slice(0, specifier.startsWith('@') ? 2 : 1)
        .join('/'),
    )
}

/** Every built file ships our code only, and imports nothing its package does not declare. */
function expectOwnCodeOnly(
  dir: string,
  files: string[],
  self: string,
  bundled: string[] = [],
): void {
  const json = manifest(dir)
  const declared = new Set([
    self,
    ...Object.keys(json.dependencies ?? {}),
    ...Object.keys(json.peerDependencies ?? {}),
  ])
  for (const file of files.filter((path) => /^dist\/.*\.c?js$/.test(path))) {
    const code = readFileSync(join(dir, file), 'utf8')
    // esbuild marks each bundled module with a `// node_modules/<package>/…` comment.
    const modules = [...code.matchAll(/^\/\/ node_modules\/((?:@[\w.-]+\/)?[\w.-]+)\//gm)]
    expect(
      modules.map((match) => match[1]).filter((name) => !bundled.includes(name!)),
      file,
    ).toEqual([])
    expect(
      packagesImportedBy(code).filter((name) => !declared.has(name)),
      file,
    ).toEqual([])
  }
}

describe('published packages', () => {
  test("pipetest exports what README.md documents, and the adapters' needs are internal", async () => {
    const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8')
    const facade = Object.keys(await import('pipetest'))
    expect(facade.filter((name) => !new RegExp(`\\b${name}\\b`).test(readme))).toEqual([])
    // The same names whichever way it is loaded: `require` gets the CommonJS build.
    const required = createRequire(join(repoRoot, 'package.json'))('pipetest') as object
    expect(Object.keys(required).sort()).toEqual([...facade].sort())
    expect(facade).toEqual(expect.arrayContaining(['RuntimeTester', 'PipelineTestingSpecBuilder']))
    expect(facade).not.toContain('PipelineRun')
  })

  test('pipetest: within its budget gzipped, no source maps, one CommonJS implementation under ES module entries', async () => {
    const { pack: core, dir } = await pack()
    const paths = core.files.map((file) => file.path)
    expect(core.size).toBeLessThanOrEqual(CORE_BUDGET_BYTES)
    expect(paths.filter((path) => path.endsWith('.map'))).toEqual([])
    // Each entry is built once, as CommonJS (Jest's sandbox cannot require an ES module), and
    // its ES module entry only re-exports it: no second copy of the code. The CLI has none: its
    // bin is the CommonJS file, run by Node directly.
    const entries = ['index', 'internal', 'internal-report', 'internal-records']
    expect(paths).toEqual(
      expect.arrayContaining([...entries, 'cli'].map((name) => `dist/${name}.cjs`)),
    )
    expect(paths.filter((path) => /^dist\/.*\.js$/.test(path)).sort()).toEqual(
      entries.map((name) => `dist/${name}.js`).sort(),
    )
    for (const name of entries) {
      const code = readFileSync(join(dir, `dist/${name}.js`), 'utf8')
      expect(code.trim(), name).toBe(`export * from './${name}.cjs'`)
    }
    expect(manifest(dir).bin).toEqual({ pipetest: './dist/cli.cjs' })
    expect(readFileSync(join(dir, 'dist/cli.cjs'), 'utf8')).toMatch(/^#!\/usr\/bin\/env node\n/)
    const exportsMap = manifest(dir).exports as Record<string, Record<string, string>>
    expect(exportsMap['./internal/report']).toEqual({
      types: './dist/internal-report.d.cts',
      import: './dist/internal-report.js',
      require: './dist/internal-report.cjs',
    })
    // One set of declarations, CommonJS-flavoured (.d.cts), for `import` and `require` alike:
    // a `module: node16` CommonJS project cannot import ES module declarations.
    expect(paths.filter((path) => path.endsWith('.d.ts'))).toEqual([])
    expect(paths).toEqual(expect.arrayContaining(['dist/index.d.cts', 'dist/internal.d.cts']))
    expectOwnCodeOnly(dir, paths, 'pipetest', BUNDLED)
    // zod tree-shaken: of its locales only English (its default messages), which the error
    // renderers' wording relies on.
    const zodModules = paths
      .filter((path) => path.endsWith('.cjs'))
      .flatMap((path) => [
        ...readFileSync(join(dir, path), 'utf8').matchAll(/^\/\/ node_modules\/zod\/(\S+)/gm),
      ])
      .map((match) => match[1]!)
    expect(zodModules).toContain('v4/locales/en.js')
    expect(zodModules.filter((module) => module.includes('/locales/'))).toEqual([
      'v4/locales/en.js',
    ])
    // The CLI's entry holds the dispatcher, not a copy of the library: commands load lazily.
    expect(readFileSync(join(dir, 'dist/cli.cjs'), 'utf8').length).toBeLessThan(20_000)
  })

  test('import and require of pipetest/internal in one process share one module and its state', async () => {
    const script = [
      "import { createRequire } from 'node:module'",
      "import * as imported from 'pipetest/internal'",
      "const required = createRequire(import.meta.url)('pipetest/internal')",
      'console.log(JSON.stringify(Object.keys(imported).filter((name) => imported[name] !== required[name])))',
    ].join('\n')
    const { stdout } = await execa(process.execPath, ['--input-type=module', '--eval', script], {
      cwd: repoRoot,
    })
    expect(JSON.parse(stdout)).toEqual([])
  })

  test('@pipetest/vitest: ES modules only, no CommonJS entry advertised (Vitest has none)', async () => {
    const { pack: vitest, dir } = await pack('@pipetest/vitest')
    const paths = vitest.files.map((file) => file.path)
    expect(paths.filter((path) => /\.(cjs|d\.cts|map)$/.test(path))).toEqual([])
    expect(JSON.stringify(manifest(dir).exports)).not.toContain('require')
    expect(manifest(dir).main).toBeUndefined()
    expectOwnCodeOnly(dir, paths, '@pipetest/vitest')
  })

  test("@pipetest/jest: Jest's own packages are peers, so Jest 29 users get no Jest 30 stack", async () => {
    const { pack: jest, dir } = await pack('@pipetest/jest')
    const paths = jest.files.map((file) => file.path)
    expect(paths.filter((path) => path.endsWith('.map'))).toEqual([])
    const json = manifest(dir)
    expect(Object.keys(json.dependencies ?? {}).filter((name) => /jest/.test(name))).toEqual([])
    expect(json.peerDependencies).toMatchObject({
      jest: '>=29.7.0 <31',
      'jest-environment-node': '>=29.7.0 <31',
    })
    // `preset: '@pipetest/jest'`: Jest resolves `<preset>/jest-preset` through the exports map.
    expect(paths).toContain('jest-preset.json')
    expect(json.exports?.['./jest-preset']).toBe('./jest-preset.json')
    expectOwnCodeOnly(dir, paths, '@pipetest/jest')
  })
})
