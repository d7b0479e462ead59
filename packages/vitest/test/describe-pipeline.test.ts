import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { execa } from 'execa'
import { beforeAll, describe, expect } from 'vitest'
import { test, type FixtureProject } from '../../../test/support/fixtures.js'
import { assertBuilt, counts, runVitest, testcase, type VitestRun } from './run-vitest.js'

beforeAll(assertBuilt)

async function run(
  fixtureProject: FixtureProject,
  projects: string[],
  args: string[] = [],
): Promise<{ root: string; run: VitestRun }> {
  const root = await fixtureProject(projects, { linkNodeModules: true })
  return { root, run: await runVitest(root, args) }
}

describe('describePipeline on real Vitest', () => {
  test('a passing pipeline: every node, edge and the flow pass, with JUnit properties', async ({
    fixtureProject,
  }) => {
    const { root, run: result } = await run(fixtureProject, ['passing'])
    expect(result.exitCode).toBe(0)
    expect(counts(result)).toEqual({ passed: 10, failed: 0, skipped: 0 })
    expect(result.junit.map((c) => c.name)).toEqual([
      'pipeline passing > specs > Preprocess has a complete spec',
      'pipeline passing > specs > Train has a complete spec',
      'pipeline passing > specs > Evaluate has a complete spec',
      'pipeline passing > scripts > Preprocess runs and writes data_output',
      'pipeline passing > scripts > Train runs and writes model_output',
      'pipeline passing > scripts > Evaluate runs and writes metrics_output',
      "pipeline passing > compatibility > Preprocess → Train: Train consumes Preprocess's outputs",
      "pipeline passing > compatibility > Train → Evaluate: Evaluate consumes Train's outputs",
      "pipeline passing > compatibility > Preprocess → Evaluate: Evaluate consumes Preprocess's outputs",
      'pipeline passing > flow > passing: the whole DAG runs in topological order',
    ])
    const train = testcase(
      result,
      'pipeline passing > scripts > Train runs and writes model_output',
    )
    expect(Object.keys(train.properties)).toEqual([
      'node',
      'script',
      'runner',
      'outcome',
      'exitCode',
      'durationMs',
      'runDir',
      'launch',
    ])
    expect(train.properties).toMatchObject({
      node: 'Train',
      script: 'scripts/train.py',
      runner: 'python',
      outcome: 'success',
      exitCode: '0',
      // Forked from the preloading worker (README "Performance").
      launch: 'worker',
    })
    expect(train.properties.durationMs).toMatch(/^\d+$/)
    expect(train.properties.runDir).toContain(join(root, 'test/integration/runtime/.pipetest/runs'))
    expect(readdirSync(join(train.properties.runDir!, 'outputs', 'model_output'))).toEqual([
      'model.json',
    ])
    const edge = testcase(
      result,
      "pipeline passing > compatibility > Train → Evaluate: Evaluate consumes Train's outputs",
    )
    expect(edge.properties).toMatchObject({
      edge: 'Train → Evaluate',
      node: 'Evaluate',
      ports: 'model_output→model_input',
    })
    const flow = testcase(
      result,
      'pipeline passing > flow > passing: the whole DAG runs in topological order',
    )
    expect(flow.properties).toMatchObject({ pipeline: 'passing', nodes: '3', outcome: 'success' })
    // Passing tests stay quiet: the default reporter prints no annotations for them.
    expect(result.output).not.toContain('runDir')
  })

  test('a failing node: its tests fail with the traceback, its downstream is skipped as blocked', async ({
    fixtureProject,
  }) => {
    const { run: result } = await run(fixtureProject, ['failing-node-blocks-downstream'])
    expect(result.exitCode).toBe(1)
    expect(counts(result)).toEqual({ passed: 4, failed: 3, skipped: 2 })
    const skipped = result.junit.filter((c) => c.status === 'skipped')
    expect(skipped.map((c) => [c.name, c.properties.blockedBy])).toEqual([
      ['pipeline etl > scripts > Load runs and writes report_output', 'Transform'],
      [
        "pipeline etl > compatibility > Transform → Load: Load consumes Transform's outputs",
        'Transform',
      ],
    ])
    expect(result.output).toContain('Load runs and writes report_output')
    expect(result.output).toMatch(/Load runs and writes report_output.*\[blocked by Transform\]/)

    const transform = testcase(
      result,
      'pipeline etl > scripts > Transform runs and writes totals_output',
    )
    const message = result.assertions.find(
      (a) => a.title === 'Transform runs and writes totals_output',
    )!.failureMessages[0]!
    expect(message.split('\n')[0]).toBe(
      "Transform failed (exception): main() raised KeyError: 'customer_id'",
    )
    expect(message).toContain('exit code 1')
    expect(message).toContain('script: scripts/transform.py (python)')
    expect(message).toContain('input records_input ← Extract.records_output')
    expect(message).toContain('outputs: produced none; missing totals_output')
    expect(message).toContain('Traceback (most recent call last):')
    expect(message).toContain('totals[record["customer_id"]]')
    expect(message).toContain(`run folder: ${transform.properties.runDir}`)
    // The message is the whole report: no stack of ours under it.
    expect(message).not.toMatch(/\n\s+at /)
    expect(transform.failure).toBe(message)

    const edge = result.assertions.find((a) => a.title.startsWith('Extract → Transform'))!
    expect(edge.failureMessages[0]).toMatch(
      /^Extract → Transform: Transform failed on Extract's outputs \(exception\): main\(\) raised KeyError/,
    )
    const flow = result.assertions.find((a) => a.title.startsWith('etl: the whole DAG'))!
    expect(flow.failureMessages[0]!.split('\n').slice(0, 2)).toEqual([
      'etl: 1 of 3 nodes failed (Transform)',
      '  not run: Load (blocked by Transform)',
    ])
  })

  test('one bug, one failure: a fan-in node prints its traceback once, the tests sharing it name its test', async ({
    fixtureProject,
  }) => {
    const { run: result } = await run(fixtureProject, ['fan-in-key-error'])
    expect(counts(result)).toEqual({ passed: 6, failed: 4, skipped: 2 })
    // The default reporter's whole output holds the traceback once: in the scripts test.
    expect(result.output.match(/Traceback \(most recent call last\)/g)).toHaveLength(1)
    expect(result.output.match(/scripts\/join\.py", line 10, in main/g)).toHaveLength(1)
    // The JUnit properties stay out of it: the default reporter prints every annotation of a
    // failed test (two lines each), which buried the four failures under ~60 property lines.
    expect(result.output).not.toMatch(/^\s*↳ /m)
    expect(result.output).not.toMatch(/^\s*❯ (node|runDir|outcome)$/m)
    const failure = (title: string) =>
      result.assertions.find((a) => a.title.startsWith(title))!.failureMessages[0]!
    expect(failure('Join runs and writes totals_output')).toContain('Traceback')
    const shownBy = 'same execution as the scripts test "Join runs and writes totals_output"'
    for (const from of ['Orders', 'Customers']) {
      expect(failure(`${from} → Join`)).toBe(
        `${from} → Join: Join failed on ${from}'s outputs (exception): main() raised KeyError: 'customer_id' — ${shownBy}, see its failure`,
      )
    }
    const flow = failure('sales: the whole DAG').split('\n')
    expect(flow.slice(0, 4)).toEqual([
      'sales: 1 of 4 nodes failed (Join)',
      '  not run: Report (blocked by Join)',
      '',
      `  Join failed (exception): main() raised KeyError: 'customer_id' — ${shownBy}, see its failure`,
    ])
    // JUnit keeps every property of the tests that name another.
    expect(
      testcase(
        result,
        "pipeline sales > compatibility > Orders → Join: Join consumes Orders's outputs",
      ).properties,
    ).toMatchObject({ edge: 'Orders → Join', node: 'Join', outcome: 'exception', exitCode: '1' })
  })

  test('the test that shows a failed execution is the first that runs: with -t on an edge, the edge', async ({
    fixtureProject,
  }) => {
    const { run: result } = await run(
      fixtureProject,
      ['fan-in-key-error'],
      ['-t', 'Customers → Join'],
    )
    expect(counts(result)).toMatchObject({ passed: 0, failed: 1 })
    expect(result.output.match(/Traceback \(most recent call last\)/g)).toHaveLength(1)
    const edge = result.assertions.find((a) => a.title.startsWith('Customers → Join'))!
    expect(edge.failureMessages[0]).toContain('Traceback')
  })

  test('an edge whose ports cannot be resolved fails with both sides and the ports entry to add', async ({
    fixtureProject,
  }) => {
    const { run: result } = await run(fixtureProject, ['unresolvable-ports'])
    expect(counts(result)).toEqual({ passed: 4, failed: 2, skipped: 0 })
    const edge = result.assertions.find(
      (a) => a.title === "Source → Sink: Sink consumes Source's outputs",
    )!
    const message = edge.failureMessages[0]!
    expect(message.split('\n')[0]).toBe(
      'Source → Sink: cannot tell which outputs of Source feed which inputs of Sink',
    )
    expect(message).toContain('Source outputs: alpha (')
    expect(message).toContain('Sink inputs: gamma (')
    expect(message).toMatch(/add "ports": \{"\w+": "\w+"\} to the edge in .*pipeline\.dag\.json/)
    expect(message).toContain('{"from": "Source", "to": "Sink", "ports": {')
    expect(result.junit.filter((c) => c.status === 'failed').map((c) => c.name)).toEqual([
      "pipeline ports > compatibility > Source → Sink: Sink consumes Source's outputs",
      'pipeline ports > flow > ports: the whole DAG runs in topological order',
    ])
  })

  test('incomplete specs fail the specs tests with the exact fix', async ({ fixtureProject }) => {
    const { run: result } = await run(fixtureProject, ['incomplete-spec'])
    expect(counts(result)).toEqual({ passed: 1, failed: 7, skipped: 0 })
    expect(testcase(result, 'pipeline incomplete > scripts > Clean runs').status).toBe('passed')
    const specs = Object.fromEntries(
      result.assertions
        .filter((a) => a.ancestorTitles.at(-1) === 'specs')
        .map((a) => [a.title, a.failureMessages[0]!]),
    )
    expect(specs['Clean has a complete spec']).toContain(
      'fix: pipetest spec set Clean --output data_output=test/integration/runtime/clean/output',
    )
    expect(specs['Summarize has a complete spec']).toContain('No spec file for "Summarize"')
    expect(specs['Summarize has a complete spec']).toContain(
      'fix: pipetest spec set Summarize --input data_input=test/integration/runtime/summarize/input',
    )
    expect(specs['Publish has a complete spec']).toContain(
      'names scripts/publish.py, which does not exist',
    )
    const summarize = result.assertions.find(
      (a) => a.title === 'Summarize runs and writes data_output',
    )!
    expect(summarize.failureMessages[0]).toContain('Summarize failed (missing-inputs)')
    expect(summarize.failureMessages[0]).toContain(
      'Note: the spec is not ready, see the specs tests:',
    )
  })

  test('a hanging script is killed at its timeout, with its child, and the test says so', async ({
    fixtureProject,
  }) => {
    const { root, run: result } = await run(fixtureProject, ['hanging-script'])
    expect(counts(result)).toEqual({ passed: 3, failed: 3, skipped: 0 })
    const hang = result.assertions.find((a) => a.title === 'Hang runs and writes data_output')!
    expect(hang.failureMessages[0]!.split('\n')[0]).toMatch(
      /^Hang failed \(timeout\): timed out after 1 s and was killed/,
    )
    expect(hang.failureMessages[0]).toContain('Stack when the timeout hit:')
    expect(await survivorsOf(root)).toEqual([])
  })

  test('several pipelines per file and per project, with names, tiers and node filters', async ({
    fixtureProject,
  }) => {
    const { run: result } = await run(fixtureProject, ['passing', 'vitest-two-pipelines'])
    expect(result.exitCode).toBe(0)
    expect(counts(result)).toEqual({ passed: 12, failed: 0, skipped: 0 })
    const byFile = (file: string) =>
      result.junit.filter((c) => c.classname === `vitest/${file}`).map((c) => c.name)
    expect(byFile('first.test.ts')).toEqual([
      'first > specs > Preprocess has a complete spec',
      'first > specs > Train has a complete spec',
      'first > specs > Evaluate has a complete spec',
      'first > scripts > Preprocess runs and writes data_output',
      'first > scripts > Train runs and writes model_output',
      'first > scripts > Evaluate runs and writes metrics_output',
      'pipeline second > specs > Preprocess has a complete spec',
      'pipeline second > scripts > Preprocess runs and writes data_output',
    ])
    expect(byFile('second.test.ts')).toEqual([
      'pipeline passing > flow > passing: the whole DAG runs in topological order',
      'pipeline inline > specs > Preprocess has a complete spec',
      'pipeline inline > scripts > Preprocess runs and writes data_output',
      'pipeline inline > flow > inline: the whole DAG runs in topological order',
    ])
  })

  test('a test name filter runs only the selected tests and their upstream scripts', async ({
    fixtureProject,
  }) => {
    const { root, run: result } = await run(
      fixtureProject,
      ['passing'],
      ['-t', 'Train runs and writes'],
    )
    expect(counts(result)).toEqual({ passed: 1, failed: 0, skipped: 9 })
    const runsDir = join(root, 'test/integration/runtime/.pipetest/runs')
    const [runId] = readdirSync(runsDir).filter((name) => !name.startsWith('.'))
    const nodes = readdirSync(join(runsDir, runId!)).filter((name) => !name.includes('.'))
    expect(nodes.sort()).toEqual(['Preprocess', 'Train'])
  })

  test('a DAG that cannot be loaded fails the file with the problem and the fix, not our stack', async ({
    fixtureProject,
  }) => {
    const { run: result } = await run(fixtureProject, ['vitest-bad-dag'])
    expect(result.exitCode).toBe(1)
    const message = result.fileMessages.join('\n')
    expect(message).toContain('The DAG has a cycle: Preprocess → Train → Preprocess')
    expect(message).toContain('Remove one of the edges')
    expect(result.output).toContain('PipetestError: The DAG has a cycle')
    expect(result.output).not.toMatch(/pipetest\/dist|packages\/vitest\/dist/)
  })
})

/** Processes still running whose command line names the project (see hang.py). */
async function survivorsOf(root: string): Promise<string[]> {
  const { stdout } = await execa('ps', ['-A', '-o', 'pid=', '-o', 'args='])
  return stdout.split('\n').filter((line) => line.includes(root))
}
