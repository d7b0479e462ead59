import { readdirSync, readlinkSync } from 'node:fs'
import { writeFile } from 'node:fs/promises'
import { join, sep } from 'node:path'
import { execa } from 'execa'
import { describe, expect } from 'vitest'
import { isRunning, waitFor } from '../../../test/runners/helpers.js'
import { repoRoot } from '../../../test/support/fixtures.js'
import { failureOf, statuses, type JestReport, test } from './run-jest.js'

describe('describePipeline on Jest', () => {
  test('a passing pipeline gives one passing test per node, edge and tier, with properties', async ({
    jestProject,
    runJest,
  }) => {
    const dir = await jestProject('passing')
    const { exitCode, report, testcases } = await runJest(dir)

    expect(exitCode).toBe(0)
    expect(statuses(report)).toEqual({
      'pipeline passing › specs › Preprocess has a complete spec': 'passed',
      'pipeline passing › specs › Train has a complete spec': 'passed',
      'pipeline passing › specs › Evaluate has a complete spec': 'passed',
      'pipeline passing › scripts › Preprocess runs and writes data_output': 'passed',
      'pipeline passing › scripts › Train runs and writes model_output': 'passed',
      'pipeline passing › scripts › Evaluate runs and writes metrics_output': 'passed',
      "pipeline passing › compatibility › Preprocess → Train: Train consumes Preprocess's outputs":
        'passed',
      "pipeline passing › compatibility › Train → Evaluate: Evaluate consumes Train's outputs":
        'passed',
      "pipeline passing › compatibility › Preprocess → Evaluate: Evaluate consumes Preprocess's outputs":
        'passed',
      'pipeline passing › flow › passing: the whole DAG runs in topological order': 'passed',
    })

    // jest-junit: one testcase per test, each carrying the node's properties.
    expect(testcases).toHaveLength(10)
    expect(testcases.filter((testcase) => testcase.failure || testcase.skipped)).toEqual([])
    const train = testcases.find(
      (testcase) => testcase.name === 'pipeline passing scripts Train runs and writes model_output',
    )
    expect(train?.properties).toMatchObject({
      node: 'Train',
      script: 'scripts/train.py',
      runner: 'python',
      exitCode: '0',
    })
    expect(Number(train?.properties.durationMs)).toBeGreaterThan(0)
    expect(train?.properties.runDir).toMatch(
      new RegExp(`^${escapeRegExp(dir)}/test/integration/runtime/\\.pipetest/runs/[^/]+/Train/`),
    )
    for (const testcase of testcases) expect(testcase.properties).not.toEqual({})
  })

  test('a failing node fails with its traceback; its downstream is skipped, blocked', async ({
    jestProject,
    runJest,
  }) => {
    const dir = await jestProject('failing-node-blocks-downstream')
    const { exitCode, report, testcases } = await runJest(dir)

    expect(exitCode).toBe(1)
    expect(statuses(report)).toEqual({
      'pipeline etl › specs › Extract has a complete spec': 'passed',
      'pipeline etl › specs › Transform has a complete spec': 'passed',
      'pipeline etl › specs › Load has a complete spec': 'passed',
      'pipeline etl › scripts › Extract runs and writes records_output': 'passed',
      'pipeline etl › scripts › Transform runs and writes totals_output': 'failed',
      'pipeline etl › scripts › Load runs and writes report_output': 'pending',
      "pipeline etl › compatibility › Extract → Transform: Transform consumes Extract's outputs":
        'failed',
      "pipeline etl › compatibility › Transform → Load: Load consumes Transform's outputs":
        'pending',
      'pipeline etl › flow › etl: the whole DAG runs in topological order': 'failed',
    })
    // Only the tests that ran Transform's failed execution fail; what it blocks is skipped.
    expect([report.numFailedTests, report.numPendingTests]).toEqual([3, 2])

    const transform = failureOf(report, 'Transform runs and writes totals_output')
    expect(transform.split('\n')[0]).toBe(
      "Transform failed (exception): main() raised KeyError: 'customer_id'",
    )
    expect(transform).toContain('Traceback (most recent call last):')
    expect(transform).toContain('exit code 1')
    expect(transform).toMatch(/run folder: .*\/\.pipetest\/runs\/[^/]+\/Transform\/1-script$/)
    // The verdict is the whole message: no stack frames of the adapter or the core.
    expect(transform).not.toMatch(/^\s+at /m)

    // Skipped before their body ran, as under Vitest: JUnit `<skipped/>` with the cause.
    for (const name of [
      'Load runs and writes report_output',
      "Transform → Load: Load consumes Transform's outputs",
    ]) {
      const blocked = testcases.find((testcase) => testcase.name.endsWith(name))
      expect(blocked?.skipped).toBe(true)
      expect(blocked?.failure).toBeUndefined()
      expect(blocked?.properties).toMatchObject({ node: 'Load', blockedBy: 'Transform' })
    }
    const failed = testcases.find((testcase) =>
      testcase.name.endsWith('Transform runs and writes totals_output'),
    )
    expect(failed?.properties).toMatchObject({
      node: 'Transform',
      outcome: 'exception',
      exitCode: '1',
    })
  })

  test('one bug, one failure: a fan-in node prints its traceback once, the tests sharing it name its test', async ({
    jestProject,
    runJest,
  }) => {
    const dir = await jestProject('fan-in-key-error')
    const { output, report, testcases } = await runJest(dir)

    // One failed execution (Join): the tests that ran it fail, what it blocks is skipped.
    expect([report.numFailedTests, report.numPendingTests, report.numPassedTests]).toEqual([
      4, 2, 6,
    ])
    expect(output.match(/Traceback \(most recent call last\)/g)).toHaveLength(1)
    expect(failureOf(report, 'Join runs and writes totals_output')).toContain('Traceback')
    const shownBy = 'same execution as the scripts test "Join runs and writes totals_output"'
    expect(failureOf(report, "Orders → Join: Join consumes Orders's outputs")).toBe(
      `Orders → Join: Join failed on Orders's outputs (exception): main() raised KeyError: 'customer_id' — ${shownBy}, see its failure`,
    )
    expect(failureOf(report, 'sales: the whole DAG runs in topological order')).not.toContain(
      'Traceback',
    )
    const edge = testcases.find((testcase) => testcase.name.endsWith("Customers's outputs"))
    expect(edge?.properties).toMatchObject({ node: 'Join', outcome: 'exception' })
  })

  test('an edge whose ports cannot be matched fails with the ports entry to add', async ({
    jestProject,
    runJest,
  }) => {
    const dir = await jestProject('unresolvable-ports')
    const { report } = await runJest(dir)

    expect(statuses(report)).toEqual({
      'pipeline ports › specs › Source has a complete spec': 'passed',
      'pipeline ports › specs › Sink has a complete spec': 'passed',
      'pipeline ports › scripts › Source runs and writes alpha, beta': 'passed',
      'pipeline ports › scripts › Sink runs and writes joined': 'passed',
      "pipeline ports › compatibility › Source → Sink: Sink consumes Source's outputs": 'failed',
      'pipeline ports › flow › ports: the whole DAG runs in topological order': 'failed',
    })
    const edge = failureOf(report, "Source → Sink: Sink consumes Source's outputs")
    expect(edge.split('\n')[0]).toBe(
      'Source → Sink: cannot tell which outputs of Source feed which inputs of Sink',
    )
    expect(edge).toContain('"ports": {"beta": "delta"}')
  })

  test('an incomplete spec fails its specs test with the fix, and the tests that need it', async ({
    jestProject,
    runJest,
  }) => {
    const dir = await jestProject('incomplete-spec')
    const { report } = await runJest(dir)

    expect(statuses(report)).toEqual({
      'pipeline incomplete › specs › Clean has a complete spec': 'failed',
      'pipeline incomplete › specs › Summarize has a complete spec': 'failed',
      'pipeline incomplete › specs › Publish has a complete spec': 'failed',
      'pipeline incomplete › scripts › Clean runs': 'passed',
      'pipeline incomplete › scripts › Summarize runs and writes data_output': 'failed',
      'pipeline incomplete › scripts › Publish runs and writes published': 'failed',
      "pipeline incomplete › compatibility › Clean → Summarize: Summarize consumes Clean's outputs":
        'failed',
      'pipeline incomplete › flow › incomplete: the whole DAG runs in topological order': 'failed',
    })
    const clean = failureOf(report, 'Clean has a complete spec')
    expect(clean.split('\n')[0]).toBe('Clean: the spec is not ready (1 problem)')
    expect(clean).toContain(
      'fix: pipetest spec set Clean --output data_output=test/integration/runtime/clean/output',
    )
    expect(failureOf(report, 'Publish has a complete spec')).toContain('scripts/publish.py')
  })

  test('a hanging script is killed at its timeout with its children; nothing outlives Jest', async ({
    jestProject,
    runJest,
  }) => {
    const dir = await jestProject('hanging-script')
    const { report } = await runJest(dir)

    expect(statuses(report)).toEqual({
      'pipeline hanging › specs › Start has a complete spec': 'passed',
      'pipeline hanging › specs › Hang has a complete spec': 'passed',
      'pipeline hanging › scripts › Start runs and writes data_output': 'passed',
      'pipeline hanging › scripts › Hang runs and writes data_output': 'failed',
      "pipeline hanging › compatibility › Start → Hang: Hang consumes Start's outputs": 'failed',
      'pipeline hanging › flow › hanging: the whole DAG runs in topological order': 'failed',
    })
    const hang = failureOf(report, 'Hang runs and writes data_output')
    expect(hang.split('\n')[0]).toMatch(/^Hang failed \(timeout\): timed out after 1 s/)
    expect(hang).toContain('Stack when the timeout hit:')
    // hang.py and the sleeper it started run with the project as working directory.
    await waitFor(() => processesIn(dir).length === 0, 10_000, `no process left in ${dir}`)
  })

  test('a DAG that cannot be loaded fails the file once, with the fix and no stack', async ({
    jestProject,
    runJest,
  }) => {
    const dir = await jestProject('passing', 'vitest-bad-dag')
    await writeFile(
      join(dir, 'jest', 'cycle.jest.test.ts'),
      "import { describePipeline } from '@pipetest/jest'\n\ndescribePipeline('cycle.dag.json')\n",
    )
    const { exitCode, report } = await runJest(dir, ['jest/cycle.jest.test.ts'])

    expect(exitCode).toBe(1)
    expect(report.numTotalTests).toBe(0)
    const message = report.testResults[0]?.message ?? ''
    expect(message).toContain('The DAG has a cycle: Preprocess → Train → Preprocess')
    expect(message.match(/Remove one of the edges/g)).toHaveLength(1)
    expect(message).not.toMatch(/^\s+at /m)
  })

  test('test names, tiers and outcomes are the Vitest adapter’s, blocked tests skipped on both', async ({
    jestProject,
    runJest,
  }) => {
    const dir = await jestProject('failing-node-blocks-downstream')
    const jest = await runJest(dir)
    const vitest = await runVitest(dir)

    const onVitest = statuses(vitest)
    expect(onVitest['pipeline etl › scripts › Load runs and writes report_output']).toBe('skipped')
    expect(Object.keys(statuses(jest.report))).toEqual(Object.keys(onVitest))
    for (const [name, status] of Object.entries(statuses(jest.report))) {
      // Jest says `pending` where Vitest's JSON report says `skipped`.
      expect({ name, status }).toEqual({
        name,
        status: onVitest[name] === 'skipped' ? 'pending' : onVitest[name],
      })
    }
  })
})

/** The repository's Vitest on the project's Vitest test files, JSON report (Jest's format). */
async function runVitest(dir: string): Promise<JestReport> {
  const { stdout } = await execa(
    `${repoRoot}/node_modules/.bin/vitest`,
    ['run', '--reporter=json', '--silent'],
    { cwd: dir, reject: false, env: { NO_COLOR: '1' } },
  )
  return JSON.parse(stdout.slice(stdout.indexOf('{'))) as JestReport
}

/** Processes still running (not zombies) whose working directory is inside `dir`. */
function processesIn(dir: string): number[] {
  const pids: number[] = []
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    let cwd: string
    try {
      cwd = readlinkSync(`/proc/${entry}/cwd`)
    } catch {
      continue // gone meanwhile, or not ours to read
    }
    if ((cwd === dir || cwd.startsWith(dir + sep)) && isRunning(Number(entry)))
      pids.push(Number(entry))
  }
  return pids
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}
