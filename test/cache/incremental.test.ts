import { appendFileSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect } from 'vitest'
import { it } from '../support/fixtures.js'
import { assertBuilt, cli } from '../cli/cli-harness.js'
import { CACHE_ON, STEPS, runPipeline, takeExecutions } from './cached-project.js'

beforeAll(assertBuilt)

const everyStepOnce = Object.fromEntries(STEPS.map((step) => [step, 1]))

describe('pipetest run with the execution cache', () => {
  it('executes no script the second time when nothing changed, and says each result was cached', async ({
    fixtureProject,
  }) => {
    const root = await fixtureProject('cached-pipeline')
    const first = await runPipeline(root)
    expect(first.json.ok, first.stderr).toBe(true)
    expect(takeExecutions(root)).toEqual(everyStepOnce)
    for (const step of STEPS) expect(first.json.scripts[step]!.cached).toBeUndefined()

    const second = await runPipeline(root)
    expect(second.json.ok, second.stderr).toBe(true)
    expect(takeExecutions(root)).toEqual({})
    for (const step of STEPS) {
      expect(second.json.scripts[step]!.cached?.runId).toBe(first.json.runId)
      expect(second.json.scripts[step]!.cacheKey).toBe(first.json.scripts[step]!.cacheKey)
    }
    // The outputs a test reads are the same bytes either way.
    const report = (runId: string) =>
      readFileSync(
        join(root, 'data/.pipetest/runs', runId, 'Report/1-script/outputs/report/report.txt'),
        'utf8',
      )
    expect(report(second.json.runId)).toBe(report(first.json.runId))
    // The live view (here its log form, on stderr with --json) says so too.
    expect(second.stderr).toContain(`cached (from run ${first.json.runId})`)
  })

  it('reruns only the executions of an edited leaf script', async ({ fixtureProject }) => {
    const root = await fixtureProject('cached-pipeline')
    await runPipeline(root)
    takeExecutions(root)
    appendFileSync(join(root, 'scripts/report.py'), '\n# reworded\n')
    const after = await runPipeline(root)
    expect(after.json.ok).toBe(true)
    expect(takeExecutions(root)).toEqual({ Report: 1 })
    expect(after.json.scripts.Report!.cached).toBeUndefined()
    expect(after.json.scripts.Train!.cached).toBeDefined()
  })

  it('reruns a middle step and everything downstream when a local module it imports changes', async ({
    fixtureProject,
  }) => {
    const root = await fixtureProject('cached-pipeline')
    await runPipeline(root)
    takeExecutions(root)
    const rules = join(root, 'scripts/shared/rules.py')
    writeFileSync(rules, readFileSync(rules, 'utf8').replace('MIN_AMOUNT = 0', 'MIN_AMOUNT = 8'))
    const after = await runPipeline(root)
    expect(after.json.ok, after.stderr).toBe(true)
    expect(takeExecutions(root)).toEqual({ Clean: 1, Enrich: 1, Train: 1, Report: 1 })
    expect(after.json.scripts.Load!.cached).toBeDefined()
  })

  it('reruns the consumers of a changed input file', async ({ fixtureProject }) => {
    const root = await fixtureProject('cached-pipeline')
    await runPipeline(root)
    takeExecutions(root)
    writeFileSync(join(root, 'data/lookup/regions.json'), '{"1": "east", "3": "south"}\n')
    const after = await runPipeline(root)
    expect(after.json.ok).toBe(true)
    // Enrich reads the lookup; Train and Report read what Enrich wrote.
    expect(takeExecutions(root)).toEqual({ Enrich: 1, Train: 1, Report: 1 })
  })

  it('runs every script with --no-cache, with cache: false in the config, and with PIPETEST_CACHE=0', async ({
    fixtureProject,
  }) => {
    const root = await fixtureProject('cached-pipeline')
    await runPipeline(root)
    takeExecutions(root)
    await runPipeline(root, ['--no-cache'])
    expect(takeExecutions(root)).toEqual(everyStepOnce)
    await runPipeline(root, [], { PIPETEST_CACHE: '0' })
    expect(takeExecutions(root)).toEqual(everyStepOnce)
    writeFileSync(
      join(root, 'pipetest.config.json'),
      JSON.stringify({ dag: 'pipeline.dag.json', testDataDir: 'data', cache: false }),
    )
    await runPipeline(root)
    expect(takeExecutions(root)).toEqual(everyStepOnce)
  })

  it('never caches a node whose spec says "cache": false', async ({ fixtureProject }) => {
    const root = await fixtureProject('cached-pipeline')
    const spec = join(root, 'data/.specs/train_runtime_test_spec.json')
    writeFileSync(spec, JSON.stringify({ ...JSON.parse(readFileSync(spec, 'utf8')), cache: false }))
    await runPipeline(root)
    takeExecutions(root)
    const after = await runPipeline(root)
    expect(after.json.ok).toBe(true)
    // Train has no key, so Report's input is keyed by the content Train wrote (unchanged).
    expect(takeExecutions(root)).toEqual({ Train: 1 })
  })

  it('shows the cache in the summary', async ({ fixtureProject }) => {
    const root = await fixtureProject('cached-pipeline')
    await runPipeline(root)
    const second = await cli(['run', 'pipeline.dag.json'], { cwd: root, env: CACHE_ON })
    expect(second.stdout).toMatch(/Cache\s+5 of 5 executions restored/)
  })
})
