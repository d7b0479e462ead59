import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect } from 'vitest'
import { it } from '../support/fixtures.js'
import { assertBuilt, cli, completeSpecs, pythonProject } from './cli-harness.js'

beforeAll(assertBuilt)

describe('commands without a DAG argument use the "dag" of pipetest.config.json', () => {
  it('run, validate and graph read the configured DAG; --report still takes a DAG after it', async ({
    tempDir,
  }) => {
    const project = pythonProject(tempDir())
    await completeSpecs(project)
    writeFileSync(
      join(project.root, 'pipetest.config.json'),
      JSON.stringify({ dag: 'pipeline.dag.json' }),
    )
    const run = await cli(['run', '--tier', 'scripts', '--json'], { cwd: project.root })
    expect(run.code).toBe(0)
    expect(Object.keys((JSON.parse(run.stdout) as { scripts: object }).scripts)).toEqual([
      'Prepare',
      'Train',
      'Report',
    ])
    const validate = await cli(['validate'], { cwd: project.root })
    expect(validate.stdout).toContain('3 nodes')
    const graph = await cli(['graph'], { cwd: project.root })
    expect(graph.stdout).toContain('Prepare -->')
    const report = await cli(['run', '--tier', 'scripts', '--report', 'pipeline.dag.json'], {
      cwd: project.root,
    })
    expect(report.code).toBe(0)
    expect(report.stdout).toContain('demo: 3 nodes')
    // An optional value that is not a DAG file is the option's: the configured DAG is used.
    const changed = await cli(['run', '--changed', 'origin/main'], { cwd: project.root })
    expect(changed.stderr).toContain('Cannot tell what changed since "origin/main"')

    const help = await cli(['run', '--help'], { cwd: project.root })
    expect(help.stdout).toContain('pipetest run [dag] [options]')
    expect(help.stdout).toContain('(default: the "dag" of pipetest.config.json)')
  })

  it('asks for a DAG when none is configured, and for a choice when several are', async ({
    tempDir,
  }) => {
    const project = pythonProject(tempDir())
    const none = await cli(['run'], { cwd: project.root })
    expect(none.code).toBe(2)
    expect(none.stderr).toContain(
      'Missing <dag> for "pipetest run": name the pipeline DAG JSON file, or set "dag" in pipetest.config.json',
    )
    writeFileSync(
      join(project.root, 'pipetest.config.json'),
      JSON.stringify({ dag: ['pipeline.dag.json', 'other.dag.json'] }),
    )
    const several = await cli(['validate'], { cwd: project.root })
    expect(several.code).toBe(2)
    expect(several.stderr).toContain(
      'pipetest.config.json lists 2 DAGs (pipeline.dag.json, other.dag.json): name one, e.g. pipetest validate pipeline.dag.json',
    )
  })
})
