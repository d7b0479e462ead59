import { execFile } from 'node:child_process'
import { chmodSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { makeProject, writePipeline } from '../lib/generators.mjs'
import { launchByHand } from '../lib/launchers.mjs'
import { assertAllPassed, buildPipelineSpec } from '../lib/pipetest.mjs'
import { wide } from '../lib/shapes.mjs'
import { formatMs } from '../lib/table.mjs'
import { compareInterleaved } from '../lib/timing.mjs'

const TARGET = 1.15
/** Spawn rows: the pipeline thread's time in spawn() with the watchdog, against without. */
const SPAWN_TARGET = 0.1
const SPAWN_PROBE = fileURLToPath(new URL('../lib/spawn-probe.mjs', import.meta.url))
/** A CLI-sized host, and one holding as much as a Vitest or Jest worker running tests. */
const HOST_HEAPS = [0, 300]

/**
 * Measure 1 — runner overhead. `executions` sequential executions of a trivial `main()`
 * (as many independent nodes, one script each) through pipetest — one PipelineRun at
 * concurrency 1 running the script tier, so the figure includes the run folder, input
 * hashing, the harness, log files, output discovery and closing the run — vs. the same
 * scripts one after another through the hand-written launcher with the interpreter already
 * resolved. pipetest is given the default `python3` — a pyenv shim here — so the ratio only
 * stays low if the runner resolves the shim once per process; the shim launcher is reported
 * for context (what every execution would cost without that resolution).
 */
export async function measureRunnerOverhead({ pipetest, python, repeat, executions, log }) {
  const rows = []
  const details = {}
  for (const runner of ['python', 'node']) {
    const pipeline = writePipeline(makeProject(`overhead-${runner}`), wide(executions), { runner })
    const spec = buildPipelineSpec(pipetest, pipeline)
    const extension = runner === 'node' ? 'mjs' : 'py'
    let serial = 0

    const throughPipetest = async () => {
      const run = new pipetest.PipelineRun(spec, { concurrency: 1 })
      const { scripts } = await run.runTiers({ scripts: true })
      await run.close()
      assertAllPassed(`runner overhead (${runner})`, Object.values(scripts))
      if (run.executionCount !== executions) {
        throw new Error(`expected ${executions} executions, pipetest ran ${run.executionCount}`)
      }
    }
    const byHand = (interpreter) => async () => {
      for (const node of pipeline.shape.nodes) {
        await launchByHand({
          runner,
          python: interpreter,
          scriptPath: join(pipeline.root, 'scripts', `${node}.${extension}`),
          cwd: pipeline.root,
          inputPaths: { data: join(pipeline.root, pipeline.specs[node].inputPaths.data) },
          outputRoot: join(pipeline.root, 'baseline', String(serial++)),
          jobArgs: { iterations: 0 },
        })
      }
    }
    const variants = { pipetest: throughPipetest, launcher: byHand(python) }
    if (runner === 'python') variants.shimLauncher = byHand('python3')

    // One untimed round: the first execution pays for module loading and the one-off
    // interpreter resolution, which a test run pays once, not per script.
    for (const variant of Object.values(variants)) await variant()
    const timings = await compareInterleaved(variants, repeat)
    const perExecution = (name) => timings[name].median / executions
    const ratio = perExecution('pipetest') / perExecution('launcher')
    log(
      `  ${runner}: pipetest ${formatMs(perExecution('pipetest'))}, launcher ${formatMs(perExecution('launcher'))} per execution`,
    )
    rows.push({
      measure: `1. runner overhead, ${runner} (per execution)`,
      figure: formatMs(perExecution('pipetest')),
      baseline: `${formatMs(perExecution('launcher'))} hand-written launcher`,
      ratio,
      target: `≤ ${TARGET}×`,
      met: ratio <= TARGET,
    })
    if (variants.shimLauncher) {
      rows.push({
        measure: '1. (context) same launcher through the python3 shim',
        figure: formatMs(perExecution('pipetest')),
        baseline: `${formatMs(perExecution('shimLauncher'))} shim launcher`,
        ratio: perExecution('pipetest') / perExecution('shimLauncher'),
        target: 'context',
        met: null,
      })
    }
    details[runner] = {
      executionsPerSample: executions,
      perExecutionMs: Object.fromEntries(
        Object.keys(variants).map((name) => [name, perExecution(name)]),
      ),
      samplesMs: Object.fromEntries(Object.entries(timings).map(([name, t]) => [name, t.samples])),
      ratio,
    }
  }
  details.spawn = await measureSpawnBlocking({ repeat, executions, log, rows })
  return { rows, details }
}

/**
 * Measure 1, spawn rows — how long the thread running the pipeline is blocked starting
 * processes, per Node or command execution: the time spent inside `child_process.spawn`
 * (see lib/spawn-probe.mjs), with scripts started by the group watchdog (the default)
 * against started by the host itself (PIPETEST_SPAWNER=0), both in the same probe process,
 * alternately. A spawn forks its caller (libuv uses fork() on Linux) and copies its page
 * tables, so the probe runs once with a small heap and once with a 300 MB one, like a Vitest
 * or Jest worker. The wall time per execution of both ways is shown for context: the
 * watchdog must not make executions slower to save the thread.
 */
async function measureSpawnBlocking({ repeat, executions, log, rows }) {
  const details = {}
  for (const runner of ['node', 'command']) {
    const pipeline = writePipeline(makeProject(`spawn-${runner}`), wide(executions), {
      runner: 'node',
    })
    if (runner === 'command') useShellSteps(pipeline)
    for (const heap of HOST_HEAPS) {
      const { stdout } = await promisify(execFile)(
        process.execPath,
        [
          SPAWN_PROBE,
          pipeline.root,
          pipeline.testDataDir,
          String(executions),
          String(repeat),
          String(heap),
        ],
        { maxBuffer: 16 * 1024 * 1024 },
      )
      const result = JSON.parse(stdout.trim().split('\n').at(-1))
      const host = heap === 0 ? 'small host' : `host with ${heap} MB heap`
      const ratio = result.watchdog.spawnMs / result.here.spawnMs
      log(
        `  spawn, ${runner}, ${host}: ${formatMs(result.watchdog.spawnMs)} vs ${formatMs(result.here.spawnMs)} in spawn() per execution; wall ${formatMs(result.watchdog.wallMs)} vs ${formatMs(result.here.wallMs)}`,
      )
      rows.push({
        measure: `1. thread blocked in spawn(), ${runner} step, ${host} (per execution)`,
        figure: formatMs(result.watchdog.spawnMs),
        baseline: `${formatMs(result.here.spawnMs)} spawned by the host (PIPETEST_SPAWNER=0)`,
        ratio,
        target: `≤ ${SPAWN_TARGET}×`,
        met: ratio <= SPAWN_TARGET,
      })
      rows.push({
        measure: `1. (context) wall per ${runner} execution, ${host}, watchdog vs host spawning`,
        figure: formatMs(result.watchdog.wallMs),
        baseline: `${formatMs(result.here.wallMs)} spawned by the host`,
        ratio: result.watchdog.wallMs / result.here.wallMs,
        target: 'context',
        met: null,
      })
      details[`${runner}-${heap}`] = result
    }
  }
  return details
}

/** Turns a generated Node pipeline into command steps: one shell script per node. */
function useShellSteps(pipeline) {
  const dag = JSON.parse(readFileSync(pipeline.dagFile, 'utf8'))
  for (const node of dag.nodes) {
    node.script = `scripts/${node.name}.sh`
    const script = join(pipeline.root, node.script)
    const output = `PIPETEST_OUTPUT_OUT_${node.name.toUpperCase()}`
    writeFileSync(script, `#!/bin/sh\necho done > "$${output}/out.txt"\n`)
    chmodSync(script, 0o755)
    const specFile = join(
      pipeline.root,
      pipeline.testDataDir,
      '.specs',
      `${node.name}_runtime_test_spec.json`,
    )
    const spec = JSON.parse(readFileSync(specFile, 'utf8'))
    writeFileSync(
      specFile,
      `${JSON.stringify({ ...spec, runner: 'command', command: ['{script}'] }, null, 2)}\n`,
    )
  }
  writeFileSync(pipeline.dagFile, `${JSON.stringify(dag, null, 2)}\n`)
}
