import { beforeAll, describe, expect, it } from 'vitest'
import { PipelineTestingSpecBuilder } from '../../src/index.js'
import { PipelineRun } from '../../src/engine/index.js'
import {
  distReady,
  expectNoProcessLeft,
  isRunning,
  recordedPids,
  useTempProjects,
  waitFor,
} from './helpers.js'

/**
 * Fault matrix, escape rows: a script that leaves a process outside its process group (a
 * `setsid` double fork, a detached and unref'd Node child) does not leave it running. Every
 * process of an execution inherits the execution's mark (the PIPETEST_EXECUTION_ID variable),
 * and whatever still carries it when the execution ends is killed.
 */

const newProject = useTempProjects()

beforeAll(distReady)

async function runEscape(script: string, label: string) {
  const project = newProject()
  project.copyScripts([script])
  const dag = project.writeDag('pipeline.dag.json', {
    nodes: [{ name: 'Step', script: `scripts/${script}` }],
    edges: [],
  })
  project.writeSpec({
    script: script.replace(/\.[^.]+$/, ''),
    step: 'Step',
    outputs: { data_output: 'out/step' },
  })
  const before = project.snapshot()
  const builder = new PipelineTestingSpecBuilder({ rootDir: project.root })
  const run = new PipelineRun(builder.buildFromDag(dag), { timeoutSeconds: 60 })
  const result = await run.testScript('Step')
  await run.close()
  // Recorded before the script returned: the escaped process did start.
  await waitFor(() => recordedPids(project, label).length === 1, 10_000, `the ${label} pid`)
  const [escaped] = recordedPids(project, label)
  return { project, result, before, escaped: escaped! }
}

describe('escape rows: processes that leave the process group are still ended', () => {
  it('a Python script that double-forks a setsid daemon → passes, the daemon is killed and named', async () => {
    const { project, result, before, escaped } = await runEscape('escapes_setsid.py', 'daemon')
    expect(result.outcome, result.message).toBe('success')
    // Gone when the result is given, not some time later.
    expect(isRunning(escaped)).toBe(false)
    expect(result.message).toContain('left 1 process running outside its process group')
    expect(result.message).toContain(String(escaped))
    expect(project.snapshot()).toEqual(before)
    await expectNoProcessLeft(project)
  })

  it('a Node script that spawns a detached, unref’d child → passes, the child is killed and named', async () => {
    const { project, result, before, escaped } = await runEscape('escapes_detached.mjs', 'detached')
    expect(result.outcome, result.message).toBe('success')
    expect(isRunning(escaped)).toBe(false)
    expect(result.message).toContain('left 1 process running outside its process group')
    expect(project.snapshot()).toEqual(before)
    await expectNoProcessLeft(project)
  })
})
