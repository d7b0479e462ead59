import { chmodSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect } from 'vitest'
import { it } from '../support/fixtures.js'
import { assertBuilt, cli } from '../cli/cli-harness.js'
import { CACHE_ON, STEPS, runPipeline, takeExecutions, type RunJson } from './cached-project.js'

beforeAll(assertBuilt)

/** What Train wrote in a run, as the test of that run would read it. */
const modelOf = (run: RunJson) => readFileSync(run.scripts.Train!.outputs[0]!.path, 'utf8')

describe('a damaged or shared execution cache', () => {
  it('runs a step again when its stored output was damaged, and never shows the damaged bytes', async ({
    fixtureProject,
  }) => {
    const root = await fixtureProject('cached-pipeline')
    const first = await runPipeline(root)
    takeExecutions(root)
    const cacheDir = join(root, 'data/.pipetest/cache')
    const key = first.json.scripts.Train!.cacheKey!
    const entry = JSON.parse(
      readFileSync(join(cacheDir, 'entries', key.slice(0, 2), `${key}.json`), 'utf8'),
    ) as { files: Array<{ path: string; sha256: string }> }
    const sha = entry.files.find((file) => file.path.endsWith('model.json'))!.sha256
    const blob = join(cacheDir, 'blobs', sha.slice(0, 2), sha)
    const bytes = readFileSync(blob, 'utf8')
    chmodSync(blob, 0o644)
    // Same size, other bytes: only the digest can tell.
    writeFileSync(
      blob,
      bytes.replace(/\d/g, (digit) => String((Number(digit) + 1) % 10)),
    )

    const second = await runPipeline(root)
    expect(second.json.ok, second.stderr).toBe(true)
    expect(takeExecutions(root)).toEqual({ Train: 1 })
    expect(second.json.scripts.Train!.cached).toBeUndefined()
    expect(modelOf(second.json)).toBe(modelOf(first.json))
    // Stored again whole: the next run restores it.
    await runPipeline(root)
    expect(takeExecutions(root)).toEqual({})
  })

  it('stays whole when two runs write to one cache folder at once (two shards on one volume)', async ({
    fixtureProject,
    tempDir,
  }) => {
    const cacheDir = tempDir('pipetest-shared-cache-')
    const projects = [
      await fixtureProject('cached-pipeline'),
      await fixtureProject('cached-pipeline'),
    ]
    for (const root of projects) {
      writeFileSync(
        join(root, 'pipetest.config.json'),
        JSON.stringify({ dag: 'pipeline.dag.json', testDataDir: 'data', cache: { dir: cacheDir } }),
      )
    }
    const together = await Promise.all(projects.map((root) => runPipeline(root)))
    for (const run of together) expect(run.json.ok, run.stderr).toBe(true)
    projects.forEach(takeExecutions)
    // Same scripts, same data: the same keys, each stored once, whole.
    const status = await cli(['cache', 'status'], { cwd: projects[0]!, env: CACHE_ON })
    expect(status.stdout).toContain(`${STEPS.length} executions`)
    const entries = readdirSync(join(cacheDir, 'entries')).flatMap((shard) =>
      readdirSync(join(cacheDir, 'entries', shard)),
    )
    expect(entries).toHaveLength(STEPS.length)
    for (const [i, root] of projects.entries()) {
      const again = await runPipeline(root)
      expect(again.json.ok).toBe(true)
      expect(takeExecutions(root)).toEqual({})
      expect(modelOf(again.json)).toBe(modelOf(together[i]!.json))
    }
  })
})
