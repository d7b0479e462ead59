import {
  chmodSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs'
import { join } from 'node:path'
import { describe, expect } from 'vitest'
import { it, type TempDir } from '../support/fixtures.js'
import { ExecutionCache } from '../../src/cache/index.js'

/** The store on real folders: damaged entries, eviction. */

function temp(tempDir: TempDir): string {
  const root = tempDir('pipetest-store-')
  return root
}

/** An execution folder as the engine leaves it: outputs (a file and a nested folder) and logs. */
function executionDir(root: string, name: string, payload: string): string {
  const dir = join(root, 'runs', name)
  mkdirSync(join(dir, 'outputs/model/parts'), { recursive: true })
  mkdirSync(join(dir, 'outputs/empty'), { recursive: true })
  writeFileSync(join(dir, 'outputs/model/model.json'), payload)
  writeFileSync(join(dir, 'outputs/model/parts/part-0.csv'), `${payload}\n1,2\n`)
  writeFileSync(join(dir, 'stdout.log'), `trained ${name}\n`)
  writeFileSync(join(dir, 'stderr.log'), '')
  return dir
}

const facts = (node: string) => ({
  node,
  scriptName: node.toLowerCase(),
  runId: `run-${node}`,
  executionDir: `/runs/${node}`,
  durationMs: 1200,
  exitCode: 0,
})

function key(n: number): string {
  return String(n).repeat(64).slice(0, 64)
}

/** Every blob file in the store. */
function blobFiles(cacheDir: string): string[] {
  const blobs = join(cacheDir, 'blobs')
  return readdirSync(blobs).flatMap((shard) =>
    readdirSync(join(blobs, shard)).map((name) => join(blobs, shard, name)),
  )
}

describe('ExecutionCache', () => {
  it('restores outputs, empty folders and logs byte for byte into a fresh folder', async ({
    tempDir,
  }) => {
    const root = temp(tempDir)
    const cache = new ExecutionCache(join(root, 'cache'), 1e9)
    const source = executionDir(root, 'a', '{"w": 1}')
    expect(await cache.store(key(1), facts('Train'), source)).toBe(true)
    const entry = cache.lookup(key(1))!
    expect(entry.runId).toBe('run-Train')
    const target = join(root, 'restored')
    mkdirSync(target)
    expect(await cache.restore(entry, target)).toBe(true)
    for (const file of ['outputs/model/model.json', 'outputs/model/parts/part-0.csv', 'stdout.log'])
      expect(readFileSync(join(target, file), 'utf8')).toBe(
        readFileSync(join(source, file), 'utf8'),
      )
    expect(readdirSync(join(target, 'outputs/empty'))).toEqual([])
  })

  it('treats a blob whose bytes changed (same size) as a miss and removes the entry', async ({
    tempDir,
  }) => {
    const root = temp(tempDir)
    const cache = new ExecutionCache(join(root, 'cache'), 1e9)
    await cache.store(key(1), facts('Train'), executionDir(root, 'a', '{"w": 1}'))
    for (const blob of blobFiles(cache.dir)) {
      if (readFileSync(blob, 'utf8') !== '{"w": 1}') continue
      chmodSync(blob, 0o644)
      writeFileSync(blob, '{"w": 9}')
    }
    const target = join(root, 'restored')
    mkdirSync(target)
    expect(await cache.restore(cache.lookup(key(1))!, target)).toBe(false)
    expect(cache.lookup(key(1))).toBeUndefined()
  })

  it('treats a missing or truncated blob as a miss', async ({ tempDir }) => {
    const root = temp(tempDir)
    const cache = new ExecutionCache(join(root, 'cache'), 1e9)
    const blobOf = (n: number, path: string) => {
      const sha = cache.lookup(key(n))!.files.find((file) => file.path === path)!.sha256
      return join(cache.dir, 'blobs', sha.slice(0, 2), sha)
    }
    await cache.store(key(1), facts('Train'), executionDir(root, 'a', 'payload'))
    rmSync(blobOf(1, 'outputs/model/model.json'))
    const target = join(root, 'restored')
    mkdirSync(target)
    expect(await cache.restore(cache.lookup(key(1))!, target)).toBe(false)

    await cache.store(key(2), facts('Train'), executionDir(root, 'b', 'payload'))
    const blob = blobOf(2, 'outputs/model/parts/part-0.csv')
    chmodSync(blob, 0o644)
    writeFileSync(blob, 'pay')
    expect(await cache.restore(cache.lookup(key(2))!, join(root, 'again'))).toBe(false)
  })

  it('treats a torn or foreign entry file as a miss', async ({ tempDir }) => {
    const root = temp(tempDir)
    const cache = new ExecutionCache(join(root, 'cache'), 1e9)
    await cache.store(key(1), facts('Train'), executionDir(root, 'a', 'payload'))
    const entryFile = join(cache.dir, 'entries', key(1).slice(0, 2), `${key(1)}.json`)
    const text = readFileSync(entryFile, 'utf8')
    writeFileSync(entryFile, text.slice(0, text.length / 2))
    expect(cache.lookup(key(1))).toBeUndefined()
    // An entry copied under another key's name is not that key's.
    mkdirSync(join(cache.dir, 'entries', key(2).slice(0, 2)), { recursive: true })
    writeFileSync(join(cache.dir, 'entries', key(2).slice(0, 2), `${key(2)}.json`), text)
    expect(cache.lookup(key(2))).toBeUndefined()
  })

  it('refuses to store outputs holding a symlink (a restore could not give the same outputs)', async ({
    tempDir,
  }) => {
    const root = temp(tempDir)
    const cache = new ExecutionCache(join(root, 'cache'), 1e9)
    const dir = executionDir(root, 'a', 'payload')
    const { symlinkSync } = await import('node:fs')
    symlinkSync('/etc/hostname', join(dir, 'outputs/model/link'))
    expect(await cache.store(key(1), facts('Train'), dir)).toBe(false)
    expect(cache.lookup(key(1))).toBeUndefined()
  })

  it('evicts the least recently used entries, and only as many as the size bound needs', async ({
    tempDir,
  }) => {
    const root = temp(tempDir)
    const cache = new ExecutionCache(join(root, 'cache'), 1e9)
    const payload = (n: number) => `${n}`.repeat(1000)
    for (const n of [1, 2, 3, 4]) {
      await cache.store(key(n), facts(`N${n}`), executionDir(root, `e${n}`, payload(n)))
    }
    // Used in the order 2, 3, 4, then 1 was restored (a hit touches its entry).
    const entryFile = (n: number) =>
      join(cache.dir, 'entries', key(n).slice(0, 2), `${key(n)}.json`)
    ;[2, 3, 4, 1].forEach((n, i) =>
      utimesSync(entryFile(n), new Date(1e12 + i * 1e6), new Date(1e12 + i * 1e6)),
    )
    const target = join(root, 'restored')
    mkdirSync(target)
    expect(await cache.restore(cache.lookup(key(1))!, target)).toBe(true)

    const perEntry = cache.status().bytes / 4
    const result = cache.evict(Math.ceil(perEntry * 2.5))
    expect(result.entries).toBe(2)
    expect(cache.lookup(key(2))).toBeUndefined()
    expect(cache.lookup(key(3))).toBeUndefined()
    expect(cache.lookup(key(4))).toBeDefined()
    expect(cache.lookup(key(1))).toBeDefined()
    expect(cache.status().bytes).toBeLessThanOrEqual(perEntry * 2.5)
    // What is left restores whole.
    const again = join(root, 'again')
    mkdirSync(again)
    expect(await cache.restore(cache.lookup(key(4))!, again)).toBe(true)
  })

  it('keeps blobs shared with entries that stay', async ({ tempDir }) => {
    const root = temp(tempDir)
    const cache = new ExecutionCache(join(root, 'cache'), 1e9)
    await cache.store(key(1), facts('A'), executionDir(root, 'a', 'same'))
    await cache.store(key(2), facts('B'), executionDir(root, 'b', 'same'))
    const entryFile = (n: number) =>
      join(cache.dir, 'entries', key(n).slice(0, 2), `${key(n)}.json`)
    utimesSync(entryFile(1), new Date(1e12), new Date(1e12))
    // Stored once: the two entries share every blob except their logs.
    cache.evict(cache.status().bytes - 1)
    expect(cache.lookup(key(1))).toBeUndefined()
    const target = join(root, 'restored')
    mkdirSync(target)
    expect(await cache.restore(cache.lookup(key(2))!, target)).toBe(true)
  })

  it('empties itself on clean and says what it held', async ({ tempDir }) => {
    const root = temp(tempDir)
    const cache = new ExecutionCache(join(root, 'cache'), 1e9)
    await cache.store(key(1), facts('A'), executionDir(root, 'a', 'x'))
    expect(cache.clean().entries).toBe(1)
    expect(cache.status()).toMatchObject({ entries: 0, blobs: 0, bytes: 0 })
  })
})
