import { existsSync, readdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { cli, type CliResult } from '../cli/cli-harness.js'

/**
 * Runs and counts on copies of test/fixtures/projects/cached-pipeline (the fixtureProject
 * fixture's `'cached-pipeline'`; five steps: Load → Clean → Enrich → Train → Report; Python
 * and Node; Clean imports a project-local module). Every step leaves a marker file per
 * execution in `<project>/markers/`, so a test counts which scripts really ran.
 */

export const STEPS = ['Load', 'Clean', 'Enrich', 'Train', 'Report'] as const

/** The cache is on (the project's own test config turns it off everywhere else). */
export const CACHE_ON = { PIPETEST_CACHE: '1' }

/** `pipetest run pipeline.dag.json --json` in the project, with the cache on. */
export async function runPipeline(
  root: string,
  args: string[] = [],
  env: Record<string, string> = {},
): Promise<CliResult & { json: RunJson }> {
  const result = await cli(['run', 'pipeline.dag.json', '--json', ...args], {
    cwd: root,
    env: { ...CACHE_ON, ...env },
  })
  let json: RunJson
  try {
    json = JSON.parse(result.stdout) as RunJson
  } catch {
    throw new Error(`pipetest run printed no JSON:\n${result.stdout}\n${result.stderr}`)
  }
  return { ...result, json }
}

export interface RunJson {
  ok: boolean
  runId: string
  scripts: Record<
    string,
    {
      status: string
      cached?: { runId: string }
      cacheKey?: string
      outputs: Array<{ name: string; path: string }>
    }
  >
}

/** Scripts executed so far, by step (marker files), and cleared for the next count. */
export function takeExecutions(root: string): Record<string, number> {
  const folder = join(root, 'markers')
  const counts: Record<string, number> = {}
  if (!existsSync(folder)) return counts
  for (const name of readdirSync(folder)) {
    const step = name.split('-')[0]!
    counts[step] = (counts[step] ?? 0) + 1
  }
  rmSync(folder, { recursive: true, force: true })
  return counts
}
