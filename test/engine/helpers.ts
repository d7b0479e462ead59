import { cpSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { PipelineDAG } from '../../src/dag/index.js'
import type { PipelineTestingSpec, ScriptExecutionSpec } from '../../src/spec/index.js'
import { test as baseTest } from '../support/fixtures.js'

/** Real temp projects holding copies of the fixture steps (so bytecode caches stay out of the repo). */

const STEPS = join(dirname(fileURLToPath(import.meta.url)), '../fixtures/pipelines/steps')
export interface Project {
  root: string
  traceDir: string
}

/**
 * The engine tests' fixtures: `project`, a temp project holding the fixture steps, removed
 * after the test.
 */
export const test = baseTest.extend('project', async ({ tempDir }): Promise<Project> => {
  const root = tempDir('pipetest-engine-')
  cpSync(STEPS, join(root, 'scripts'), { recursive: true })
  return { root, traceDir: join(root, 'traces') }
})
export const it = test

export interface StepOptions {
  runner?: 'py' | 'mjs'
  inputs?: Record<string, string>
  outputs?: Record<string, string>
  env?: Record<string, string>
  jobArgs?: Record<string, unknown>
  scriptName?: string
}

/** A spec for the fixture step, tracing into the project's trace folder under the node's name. */
export function stepSpec(
  project: Project,
  node: string,
  options: StepOptions = {},
): ScriptExecutionSpec {
  const runner = options.runner ?? 'py'
  return {
    scriptName: options.scriptName ?? node.toLowerCase(),
    stepName: node,
    scriptPath: join(project.root, 'scripts', `step.${runner}`),
    inputPaths: options.inputs ?? {},
    outputPaths: options.outputs ?? { data_output: `out/${node}` },
    environVars: { STEP: node, TRACE_DIR: project.traceDir, ...options.env },
    jobArgs: options.jobArgs ?? { job_type: 'testing' },
  }
}

export function pipelineOf(
  project: Project,
  edges: Array<[string, string] | [string, string, Record<string, string>]>,
  specs: ScriptExecutionSpec[],
  nodes: string[] = specs.map((spec) => spec.stepName),
): PipelineTestingSpec {
  const dag = new PipelineDAG({ name: 'test' })
  for (const node of nodes) dag.addNode(node)
  for (const [from, to, ports] of edges) dag.addEdge(from, to, ports)
  return {
    dag,
    scriptSpecs: Object.fromEntries(specs.map((spec) => [spec.stepName, spec])),
    testWorkspaceRoot: 'data',
    rootDir: project.root,
  }
}

export function writeData(project: Project, path: string, content: string): string {
  const file = join(project.root, path)
  mkdirSync(dirname(file), { recursive: true })
  writeFileSync(file, content)
  return file
}

export interface Trace {
  step: string
  start: number
  end: number
  inputs: Record<string, string>
}

/** One entry per execution of a fixture step. */
export function traces(project: Project): Trace[] {
  let files: string[]
  try {
    files = readdirSync(project.traceDir)
  } catch {
    return []
  }
  return files.map(
    (file) => JSON.parse(readFileSync(join(project.traceDir, file), 'utf8')) as Trace,
  )
}

export function executionsOf(project: Project, step: string): number {
  return traces(project).filter((trace) => trace.step === step).length
}

/** The largest number of executions whose [start, end] intervals overlap at one instant. */
export function maxOverlap(list: Trace[]): number {
  const points = list.flatMap((t) => [
    { at: t.start, delta: 1 },
    { at: t.end, delta: -1 },
  ])
  // Ends before starts at the same instant: touching intervals do not overlap.
  points.sort((a, b) => a.at - b.at || a.delta - b.delta)
  let current = 0
  let max = 0
  for (const point of points) {
    current += point.delta
    max = Math.max(max, current)
  }
  return max
}
