import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { execa } from 'execa'
import { describe, expect } from 'vitest'
import {
  childEnv,
  distIndexJs,
  distReady,
  expectNoProcessLeft,
  fixturesDir,
  makeVitestProject,
  runFolders,
  it,
  test,
  vitestMjs,
  type TempProject,
} from './helpers.js'

/**
 * Fault matrix, concurrency rows: two processes writing one spec file never leave a torn
 * file (every read parses, the last write wins), and two Vitest workers testing one pipeline
 * at the same time each get their own output folders and both pass.
 */

test.beforeAll(distReady)

describe('concurrency: two processes updating the same spec at once', () => {
  it('every read of the file parses, no temp file is left, and the last write wins', async ({
    project,
  }) => {
    project.write('data/raw/records.csv', 'id,label\n1,0\n')
    const file = project.writeSpec({
      script: 'preprocess',
      step: 'Preprocess',
      inputs: { data_input: 'data/raw' },
      outputs: { data_output: 'out/preprocess' },
    })
    const iterations = 150
    const writer = (name: string) =>
      execa(
        'node',
        [
          join(fixturesDir, 'drivers', 'spec-writer.mjs'),
          distIndexJs,
          project.root,
          name,
          String(iterations),
        ],
        { timeout: 120_000 },
      )
    const writers = [writer('A'), writer('B')]
    let finished = false
    const done = Promise.all(writers).finally(() => (finished = true))

    // Read as fast as possible while both write: a torn or half-written file would fail to parse.
    let reads = 0
    const torn: string[] = []
    while (!finished) {
      for (let i = 0; i < 20; i++) {
        const text = readFileSync(file, 'utf8')
        reads++
        try {
          JSON.parse(text)
        } catch {
          torn.push(text)
        }
      }
      await new Promise((resolve) => setImmediate(resolve))
    }
    const [a, b] = await done
    expect(torn, 'reads that were not valid JSON').toEqual([])
    expect(reads).toBeGreaterThan(0)

    const onDisk = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>
    const lastWrites = [a!, b!].map(
      (result) => JSON.parse(result.stdout) as { userNotes: string; lastUpdated: string },
    )
    // Last write wins: the file is one writer's final spec, whole — not a mix, not an older one.
    expect(lastWrites.map((spec) => spec.userNotes)).toContain(onDisk.user_notes)
    const winner = lastWrites.find((spec) => spec.userNotes === onDisk.user_notes)!
    expect(onDisk.last_updated).toBe(winner.lastUpdated)
    expect(onDisk.job_args).toEqual({
      writer: winner.userNotes.split(' ')[0],
      iteration: iterations - 1,
    })
    // Temp files of the atomic writes are all renamed away or removed.
    expect(readdirSync(project.specsDir)).toEqual(['preprocess_runtime_test_spec.json'])
    await expectNoProcessLeft(project)
  })
})

interface Trace {
  worker: string
  step: string
  pid: number
  inputs: Record<string, string>
  outputs: Record<string, string>
}

/**
 * Extract → Transform, both run by `worker_step.py`. Extract waits until the other worker
 * runs it too (BARRIER_DIR), so the two test files provably run the pipeline at the same time.
 */
function twoWorkerProject(project: TempProject): TempProject {
  project.copyScripts(['worker_step.py'])
  project.write('data/raw/records.csv', 'id,label\n1,0\n2,1\n')
  project.writeDag('pipeline.dag.json', {
    name: 'shared',
    nodes: [
      { name: 'Extract', script: 'scripts/worker_step.py' },
      { name: 'Transform', script: 'scripts/transform.py' },
    ],
    edges: [['Extract', 'Transform']],
  })
  project.write('scripts/transform.py', 'from worker_step import main  # noqa: F401\n')
  const trace = join(project.scratch, 'traces')
  project.writeSpec({
    script: 'worker_step',
    step: 'Extract',
    inputs: { data_input: 'data/raw' },
    outputs: { data_output: 'out/extract' },
    env: { STEP: 'Extract', TRACE_DIR: trace, BARRIER_DIR: join(project.scratch, 'barrier') },
  })
  project.writeSpec({
    script: 'transform',
    step: 'Transform',
    inputs: { data_input: 'out/extract' },
    outputs: { data_output: 'out/transform' },
    env: { STEP: 'Transform', TRACE_DIR: trace },
  })
  const test =
    "import { describePipeline } from '@pipetest/vitest'\n\ndescribePipeline('pipeline.dag.json')\n"
  makeVitestProject(project, { 'first.test.ts': test, 'second.test.ts': test })
  return project
}

function traces(project: TempProject): Trace[] {
  const dir = join(project.scratch, 'traces')
  if (!existsSync(dir)) return []
  return readdirSync(dir)
    .filter((name) => name.endsWith('.json'))
    .map((name) => JSON.parse(readFileSync(join(dir, name), 'utf8')) as Trace)
}

describe('concurrency: two Vitest workers running the same pipeline', () => {
  it.for(['forks', 'threads'])(
    'pool %s: both files pass, at the same time, each with its own run and output folders',
    async (pool, { project }) => {
      twoWorkerProject(project)
      const before = project.snapshot()
      const reportFile = join(project.scratch, 'report.json')
      const result = await execa(
        'node',
        [
          vitestMjs,
          'run',
          `--pool=${pool}`,
          '--maxWorkers=2',
          '--reporter=json',
          `--outputFile=${reportFile}`,
        ],
        {
          cwd: project.root,
          reject: false,
          env: childEnv(),
          extendEnv: false,
          all: true,
          timeout: 180_000,
        },
      )
      const report = JSON.parse(await readFile(reportFile, 'utf8')) as {
        numFailedTests: number
        numPassedTests: number
        testResults: Array<{ name: string; status: string }>
      }
      expect(result.exitCode, result.all).toBe(0)
      expect(report.testResults.map((file) => file.status)).toEqual(['passed', 'passed'])
      // Per file: 2 specs + 2 scripts + 1 edge + 1 flow.
      expect(report.numPassedTests).toBe(12)

      const all = traces(project)
      const workers = [...new Set(all.map((trace) => trace.worker))]
      expect(workers, 'the two files ran in two workers').toHaveLength(2)
      const outputsOf = (worker: string) =>
        all
          .filter((trace) => trace.worker === worker)
          .flatMap((trace) => Object.values(trace.outputs))
      const [first, second] = workers.map(outputsOf) as [string[], string[]]
      expect(
        first.filter((path) => second.includes(path)),
        'output folders used by both workers',
      ).toEqual([])
      expect(new Set([...first, ...second]).size, 'output folders reused by two executions').toBe(
        first.length + second.length,
      )

      // Both correct: each worker's Transform read its own Extract's output and wrote from it.
      for (const worker of workers) {
        const mine = all.filter((trace) => trace.worker === worker)
        const extractOutputs = mine
          .filter((t) => t.step === 'Extract')
          .map((t) => t.outputs.data_output)
        const wired = mine.filter(
          (t) => t.step === 'Transform' && extractOutputs.includes(t.inputs.data_input!),
        )
        expect(
          wired.length,
          `worker ${worker}: a Transform fed by its own Extract`,
        ).toBeGreaterThan(0)
        for (const transform of wired) {
          const text = readFileSync(join(transform.outputs.data_output!, 'part-0.txt'), 'utf8')
          expect(text).toBe('data_output <- data_output <- id,label\n1,0\n2,1\n')
        }
      }

      const runs = runFolders(project)
      expect(runs).toHaveLength(2)
      expect(runs.map((run) => run.state)).toEqual(['complete', 'complete'])
      for (const trace of all) {
        const owner = runs.filter((run) => trace.outputs.data_output!.startsWith(run.dir))
        expect(owner).toHaveLength(1)
      }

      expect(project.snapshot()).toEqual(before)
      await expectNoProcessLeft(project)
    },
  )
})
