import { readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect } from 'vitest'
import { it } from '../support/fixtures.js'
import { assertBuilt, cli } from '../cli/cli-harness.js'
import { CACHE_ON, STEPS, runPipeline, takeExecutions } from './cached-project.js'

beforeAll(assertBuilt)

describe('pipetest cache and pipetest clean', () => {
  it('cache status says what the cache holds; cache clean empties it, so the next run executes everything', async ({
    fixtureProject,
  }) => {
    const root = await fixtureProject('cached-pipeline')
    await runPipeline(root)
    takeExecutions(root)
    const status = await cli(['cache', 'status'], { cwd: root, env: CACHE_ON })
    expect(status.code).toBe(0)
    expect(status.stdout).toContain('Execution cache data/.pipetest/cache')
    expect(status.stdout).toContain(`${STEPS.length} executions`)
    expect(status.stdout).toContain('of 1.0 GB')

    const clean = await cli(['cache', 'clean'], { cwd: root, env: CACHE_ON })
    expect(clean.code).toBe(0)
    expect(clean.stdout).toContain(`(${STEPS.length} executions,`)
    expect((await cli(['cache', 'status'], { cwd: root })).stdout).toContain('0 executions')
    await runPipeline(root)
    expect(takeExecutions(root)).toEqual(Object.fromEntries(STEPS.map((step) => [step, 1])))
  })

  it('keeps the cache within maxSize from the project config', async ({ fixtureProject }) => {
    const root = await fixtureProject('cached-pipeline')
    writeFileSync(
      join(root, 'pipetest.config.json'),
      JSON.stringify({ dag: 'pipeline.dag.json', testDataDir: 'data', cache: { maxSize: '150B' } }),
    )
    await runPipeline(root)
    const status = await cli(['cache', 'status'], { cwd: root, env: CACHE_ON })
    expect(status.stdout).toContain('of 150 B')
    const bytes = /executions?, (\d+) B of/.exec(status.stdout)
    expect(bytes, status.stdout).not.toBeNull()
    expect(Number(bytes![1])).toBeLessThanOrEqual(150)
  })

  it('clean empties the cache and keeps only the newest run folders', async ({
    fixtureProject,
  }) => {
    const root = await fixtureProject('cached-pipeline')
    for (let i = 0; i < 3; i++) await runPipeline(root)
    const runs = () => readdirSync(join(root, 'data/.pipetest/runs')).sort()
    const before = runs()
    expect(before).toHaveLength(3)
    const clean = await cli(['clean', '--keep', '1'], { cwd: root, env: CACHE_ON })
    expect(clean.code, clean.stderr).toBe(0)
    expect(clean.stdout).toContain('Removed 2 run folders (kept the newest 1).')
    expect(runs()).toEqual(before.slice(-1))
    expect((await cli(['cache', 'status'], { cwd: root })).stdout).toContain('0 executions')
  })

  it('refuses an unknown action and a bad --keep with the fix', async ({ fixtureProject }) => {
    const root = await fixtureProject('cached-pipeline')
    const unknown = await cli(['cache', 'empty'], { cwd: root })
    expect(unknown.code).not.toBe(0)
    expect(unknown.stderr).toContain('Use "pipetest cache status" or "pipetest cache clean".')
    const keep = await cli(['clean', '--keep', 'all'], { cwd: root })
    expect(keep.code).not.toBe(0)
    expect(keep.stderr).toContain('--keep needs a whole number')
  })
})
