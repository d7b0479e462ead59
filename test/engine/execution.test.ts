import { createHash } from 'node:crypto'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect } from 'vitest'
import { PipelineRun } from '../../src/engine/index.js'
import { executionsOf, it, pipelineOf, stepSpec, type Project, writeData } from './helpers.js'

function single(project: Project, spec: ReturnType<typeof stepSpec>) {
  return new PipelineRun(pipelineOf(project, [], [spec]), { concurrency: 2 })
}

function hashTree(path: string): string {
  const hash = createHash('sha256')
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) =>
      a.name < b.name ? -1 : 1,
    )) {
      const full = join(dir, entry.name)
      hash.update(full)
      if (entry.isDirectory()) walk(full)
      else hash.update(readFileSync(full))
    }
  }
  walk(path)
  return hash.digest('hex')
}

describe('one execution', () => {
  it('passes when a Python script writes every declared output into fresh run folders', async ({
    project,
  }) => {
    writeData(project, 'data/raw/rows.csv', 'id,label\n1,0\n')
    // Stale data at the spec's output path must not count: outputs go to the run folder.
    writeData(project, 'out/Prep/old.csv', 'stale')
    const run = single(
      project,
      stepSpec(project, 'Prep', {
        inputs: { raw: 'data/raw' },
        outputs: { data_output: 'out/Prep' },
      }),
    )
    const result = await run.testScript('Prep')
    await run.close()

    expect(result).toMatchObject({
      status: 'passed',
      outcome: 'success',
      success: true,
      hasMainFunction: true,
      runner: 'python',
      exitCode: 0,
    })
    expect(result.inputs).toEqual({ raw: join(project.root, 'data/raw') })
    const output = result.outputs[0]!
    expect(output).toMatchObject({
      name: 'data_output',
      produced: true,
      kind: 'directory',
      files: 1,
    })
    expect(output.path).toBe(join(result.runDir, 'outputs', 'data_output'))
    expect(
      result.runDir.startsWith(join(project.root, 'data', '.pipetest', 'runs', run.runId, 'Prep')),
    ).toBe(true)
    expect(readdirSync(output.path)).toEqual(['data.csv'])
    expect(readFileSync(join(output.path, 'data.csv'), 'utf8')).toBe('Prep\nid,label\n1,0\n')
    expect(result.message).toMatch(
      /^Ran in .* and wrote data_output \(1 file, \d+ B\)\.\nRun folder: /,
    )
    expect(existsSync(result.logs.stderr!)).toBe(true)
  })

  it('runs a Node script and gives a file-like output the file path it declares', async ({
    project,
  }) => {
    const spec = stepSpec(project, 'Report', {
      runner: 'mjs',
      outputs: { report: 'out/report.json' },
    })
    const run = single(project, spec)
    const result = await run.testScript('Report')
    expect(result).toMatchObject({ status: 'passed', runner: 'node' })
    expect(result.outputs[0]).toMatchObject({ kind: 'file', produced: true })
    expect(result.outputs[0]!.path).toBe(join(result.runDir, 'outputs', 'report', 'report.json'))
  })

  it('counts train/ val/ test/ subfolders as a produced output', async ({ project }) => {
    const run = single(project, stepSpec(project, 'Split', { env: { SPLITS: '1' } }))
    const result = await run.testScript('Split')
    expect(result.status).toBe('passed')
    expect(result.outputs[0]).toMatchObject({ produced: true, files: 3 })
  })

  it('fails with produced and missing outputs listed when some are not written', async ({
    project,
  }) => {
    const spec = stepSpec(project, 'Train', {
      outputs: { model: 'out/model', metrics: 'out/metrics.json', plots: 'out/plots' },
      env: { SKIP_OUTPUTS: 'metrics,plots' },
    })
    const result = await single(project, spec).testScript('Train')
    expect(result).toMatchObject({ status: 'failed', outcome: 'missing-outputs', success: false })
    expect(result.producedOutputs).toEqual(['model'])
    expect(result.missingOutputs).toEqual(['metrics', 'plots'])
    const lines = result.message.split('\n')
    expect(lines[0]).toBe(
      'The script succeeded but did not write 2 of 3 declared outputs: metrics, plots.',
    )
    expect(lines[1]).toMatch(/^ {2}produced \(1\): model \(1 file, \d+ B\)$/)
    expect(lines[2]).toContain('missing (2): metrics (not written: ')
    expect(lines[2]).toContain('plots (empty folder: ')
    expect(lines.at(-1)).toBe(`Run folder: ${result.runDir}`)
    expect(result.errorMessage).toBe(result.message)
  })

  it('fails with missing-outputs when the script writes nothing at all', async ({ project }) => {
    const spec = stepSpec(project, 'Idle', { env: { SKIP_OUTPUTS: 'data_output' } })
    const result = await single(project, spec).testScript('Idle')
    expect(result).toMatchObject({
      outcome: 'missing-outputs',
      producedOutputs: [],
      missingOutputs: ['data_output'],
    })
  })

  it('reports every missing input at once and does not start the script', async ({ project }) => {
    writeData(project, 'data/present.csv', 'x')
    const spec = stepSpec(project, 'Join', {
      inputs: { left: 'data/left', present: 'data/present.csv', right: 'data/right.csv' },
    })
    const run = single(project, spec)
    const result = await run.testScript('Join')
    expect(result).toMatchObject({ status: 'failed', outcome: 'missing-inputs', exitCode: null })
    expect(result.missingInputs).toEqual([
      { name: 'left', path: join(project.root, 'data/left') },
      { name: 'right', path: join(project.root, 'data/right.csv') },
    ])
    expect(result.message.split('\n')).toEqual([
      "Script 'join' requires the following input data (2 of 3 inputs missing, the script was not run):",
      `  - left: ${join(project.root, 'data/left')}`,
      `  - right: ${join(project.root, 'data/right.csv')}`,
      'Create the data at these paths, or point the spec at existing data: pipetest spec set Join --input left=PATH --input right=PATH',
    ])
    expect(executionsOf(project, 'Join')).toBe(0)
    expect(run.executionCount).toBe(0)
  })

  it('reports a script that does not exist without starting anything', async ({ project }) => {
    const spec = { ...stepSpec(project, 'Ghost'), scriptPath: 'scripts/ghost.py' }
    const run = single(project, spec)
    const result = await run.testScript('Ghost')
    expect(result).toMatchObject({
      status: 'failed',
      outcome: 'script-not-found',
      hasMainFunction: false,
    })
    expect(result.message).toContain(join(project.root, 'scripts/ghost.py'))
    expect(result.message).toContain('pipetest spec set Ghost --script PATH')
    expect(run.executionCount).toBe(0)
  })

  it('fails a node that has no spec, naming the fix', async ({ project }) => {
    const pipeline = pipelineOf(project, [], [], ['Lonely'])
    const result = await new PipelineRun(pipeline).testScript('Lonely')
    expect(result).toMatchObject({ status: 'failed', outcome: 'invalid-spec' })
    expect(result.message).toMatch(/^There is no ScriptExecutionSpec for node "Lonely"/)
  })

  it('reports the exception of a failing main() with its traceback', async ({ project }) => {
    const result = await single(
      project,
      stepSpec(project, 'Boom', { env: { FAIL: 'label column missing' } }),
    ).testScript('Boom')
    expect(result).toMatchObject({ status: 'failed', outcome: 'exception', success: false })
    expect(result.message.split('\n')[0]).toContain('label column missing')
    expect(result.message.split('\n').at(-1)).toBe(`Run folder: ${result.runDir}`)
  })

  it("uses the spec's timeout over the run's and its interpreter over the run's", async ({
    project,
  }) => {
    const slow = { ...stepSpec(project, 'Slow', { env: { SLEEP: '30' } }), timeoutSeconds: 1 }
    const odd = { ...stepSpec(project, 'Odd'), python: 'python-that-does-not-exist' }
    const run = new PipelineRun(pipelineOf(project, [], [slow, odd]), { timeoutSeconds: 120 })
    const [timedOut, noPython] = await Promise.all([run.testScript('Slow'), run.testScript('Odd')])
    expect(timedOut).toMatchObject({ status: 'failed', outcome: 'timeout' })
    expect(timedOut.durationMs).toBeLessThan(20_000)
    expect(noPython).toMatchObject({ status: 'failed', outcome: 'interpreter-not-found' })
    expect(noPython.message).toContain('python-that-does-not-exist')
  })

  it('leaves the inputs byte-identical and flags a script that deletes its own input', async ({
    project,
  }) => {
    writeData(project, 'data/raw/a.csv', 'a\n1\n')
    writeData(project, 'data/raw/sub/b.csv', 'b\n2\n')
    writeData(project, 'data/victim/c.csv', 'c\n3\n')
    const before = hashTree(join(project.root, 'data/raw'))
    const run = new PipelineRun(
      pipelineOf(
        project,
        [],
        [
          stepSpec(project, 'Reader', { inputs: { raw: 'data/raw' } }),
          stepSpec(project, 'Vandal', {
            inputs: { victim: 'data/victim' },
            env: { DELETE_INPUT: 'victim' },
          }),
        ],
      ),
    )
    const [reader, vandal] = await Promise.all([run.testScript('Reader'), run.testScript('Vandal')])
    expect(reader.status).toBe('passed')
    expect(hashTree(join(project.root, 'data/raw'))).toBe(before)
    expect(vandal).toMatchObject({ status: 'failed', outcome: 'input-modified' })
    expect(vandal.message).toContain(`deleted victim: ${join(project.root, 'data/victim')}`)
  })
})
