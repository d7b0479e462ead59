import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import { specFromContract, type NodeResolution, type SpecTodo } from '../builder/index.js'
import { readContracts, type ScriptContract } from '../contract/index.js'
import type { PipelineDAG } from '../dag/index.js'
import { DEFAULT_PYTHON } from '../engine/run-options.js'
import type { ScriptExecutionSpec } from '../spec/index.js'
import { EXIT, type CommandDef } from './command.js'
import { ensureGitignored } from './gitignore.js'
import {
  dagFileOf,
  dagPositional,
  loadDagArg,
  locatingArgs,
  openProject,
  type Project,
  projectOptions,
} from './project.js'
import { displayPath, shellQuote } from '../text.js'
import { describeSource } from './text.js'

interface Row {
  node: string
  file: string
  /** How an existing spec was found, or the node whose new spec it shares. */
  detail?: string
}

export const initCommand: CommandDef = {
  name: 'init',
  positionals: [dagPositional],
  options: { ...projectOptions },
  notes: [
    "Each new spec is filled from the script's contract (see pipetest contract) and the DAG:\n" +
      'the inputs and outputs its code reads, each input of a downstream node wired to the path\n' +
      'its upstream declares for that output, environment variables and job arguments with\n' +
      "their literal defaults, job_type from the node's suffix. Existing spec files are never\n" +
      'changed. ".pipetest/" (run folders) is added to the nearest .gitignore, or to a new one\n' +
      'at --root.',
  ],
  examples: ['pipetest init pipelines/fraud/pipeline.dag.json'],
  async run({ values, positionals }, ctx) {
    const project = openProject(values, ctx)
    const dagFile = dagFileOf(positionals.dag, 'init', ctx)
    const dag = loadDagArg(dagFile, ctx)
    const { builder } = project
    const c = ctx.out
    const created: Row[] = []
    const existing: Row[] = []
    const shared: Row[] = []
    const unreadable: Row[] = []

    const plan = builder.planMissingSpecs(dag)
    const contracts = await contractsOf(project, plan.missing)
    const todos = new Map<string, SpecTodo[]>()
    const fed = new Map<string, string[]>()
    const written = new Map<string, ScriptExecutionSpec>()
    const testDataDirForSpecs = displayPath(builder.testDataDir, project.rootDir)
    // Two nodes running the same script share the spec the first one created, exactly as
    // the builder will resolve them later.
    const outcomes = plan.create((node, base, specOf) => {
      const made = specFromContract({
        node,
        base,
        contract: contracts.get(node),
        dag,
        specOf,
        testDataDirForSpecs,
      })
      if (made.todos.length > 0) todos.set(node, made.todos)
      fed.set(node, made.fed)
      written.set(node, made.spec)
      return made.spec
    })
    for (const outcome of outcomes) {
      const { node } = outcome
      if (outcome.action === 'created') created.push({ node, file: outcome.file })
      else if (outcome.action === 'shared')
        shared.push({ node, file: outcome.file, detail: outcome.createdFor })
      else if (outcome.action === 'existing')
        existing.push({ node, file: outcome.file, detail: describeSource(outcome.source) })
      else
        unreadable.push({
          node,
          file: outcome.error.file ?? '',
          detail: outcome.error.shortMessage,
        })
    }

    // A folder that cannot be written fails every node alike: one error with the fix, and
    // nothing else touched (no .gitignore either).
    const unwritable = outcomes.find(
      (outcome) => outcome.action === 'unreadable' && outcome.error.code === 'SPEC_UNWRITABLE',
    )
    if (unwritable?.action === 'unreadable') throw unwritable.error

    const ignore = ensureGitignored(project.rootDir)
    const path = (file: string) => displayPath(file, ctx.cwd)
    const width = Math.max(...dag.nodes.map((node) => node.length))
    const out: string[] = [
      `Specs for ${c.bold(dag.name ?? dagFile)} (${dag.nodes.length} nodes) in ${path(builder.specsDir)}`,
    ]
    if (created.length > 0) {
      out.push('', c.bold(`Created (${created.length})`))
      for (const row of created) {
        out.push(`  ${c.green('+')} ${row.node.padEnd(width)}  ${path(row.file)}`)
        const spec = written.get(row.node)
        const from = contracts.get(row.node)
        const read = spec ? summary(spec) : ''
        if (from && !from.error && from.source !== 'none' && read !== '') {
          out.push(`    ${' '.repeat(width)}  ${c.dim(read)}`)
        } else if (from?.error) {
          out.push(`    ${' '.repeat(width)}  ${c.yellow(`defaults: ${from.error.message}`)}`)
        }
      }
    }
    if (shared.length > 0) {
      out.push('', c.bold(`Sharing a spec created above (same script) (${shared.length})`))
      for (const row of shared) {
        out.push(
          `  ${c.green('+')} ${row.node.padEnd(width)}  ${path(row.file)}  ${c.dim(`(with ${row.detail})`)}`,
        )
      }
    }
    if (existing.length > 0) {
      out.push('', c.bold(`Already existing, left unchanged (${existing.length})`))
      for (const row of existing) {
        out.push(
          `  ${c.dim('=')} ${row.node.padEnd(width)}  ${path(row.file)}  ${c.dim(`(${row.detail})`)}`,
        )
      }
    }
    if (unreadable.length > 0) {
      out.push('', c.bold(c.red(`Could not be read, left unchanged (${unreadable.length})`)))
      for (const row of unreadable)
        out.push(`  ${c.red('!')} ${row.node.padEnd(width)}  ${row.detail}`)
    }
    out.push(
      '',
      ignore.action === 'present'
        ? `${path(ignore.file)} already ignores .pipetest/`
        : `${ignore.action === 'created' ? 'Created' : 'Updated'} ${path(ignore.file)}: added .pipetest/ (run folders)`,
    )
    const rerun = [dagFile, ...locatingArgs(values)].map(shellQuote).join(' ')
    const steps = nextSteps(dag, written, fed, todos, contracts, project.rootDir)
    out.push('', c.bold('Next'))
    let step = 1
    if (steps.length > 0) {
      out.push(`  ${step++}. Fill in what the code cannot tell:`)
      for (const line of steps) out.push(`     ${line}`)
    }
    out.push(
      `  ${step++}. pipetest validate ${rerun}   (everything still missing, with the fix)`,
      `  ${step++}. pipetest run ${rerun}`,
    )
    ctx.stdout.write(`${out.join('\n')}\n`)
    return unreadable.length > 0 ? EXIT.failed : EXIT.ok
  },
}

/** The contracts of the scripts of nodes that have no spec yet: one process per interpreter. */
async function contractsOf(
  project: Project,
  missing: NodeResolution[],
): Promise<Map<string, ScriptContract>> {
  const nodes = missing.filter((resolution) => resolution.scriptPath !== undefined)
  const contracts = await readContracts(
    nodes.map((resolution) => ({
      scriptPath: resolution.scriptPath!,
      runner: resolution.spec.runner,
      command: resolution.spec.command,
    })),
    {
      python: project.python ?? DEFAULT_PYTHON,
      ...(project.contractsDir ? { contractsDir: project.contractsDir } : {}),
    },
  )
  return new Map(nodes.map((resolution, i) => [resolution.node, contracts[i]!]))
}

/** `inputs raw_data; outputs processed_data; env LABEL_FIELD=churned; args job_type=training` */
function summary(spec: ScriptExecutionSpec): string {
  const part = (label: string, entries: string[]) =>
    entries.length > 0 ? `${label} ${entries.join(', ')}` : undefined
  return [
    part('inputs', Object.keys(spec.inputPaths)),
    part('outputs', Object.keys(spec.outputPaths)),
    part(
      'env',
      Object.entries(spec.environVars).map(([key, value]) => `${key}=${value}`),
    ),
    part(
      'args',
      Object.entries(spec.jobArgs).map(([key, value]) => `${key}=${JSON.stringify(value)}`),
    ),
  ]
    .filter((text) => text !== undefined)
    .join('; ')
}

/**
 * The `spec set` commands that remain after init: input data of the nodes nothing upstream
 * feeds (source steps), and keys the code reads without a default.
 */
function nextSteps(
  dag: PipelineDAG,
  written: Map<string, ScriptExecutionSpec>,
  fed: Map<string, string[]>,
  todos: Map<string, SpecTodo[]>,
  contracts: Map<string, ScriptContract>,
  rootDir: string,
): string[] {
  const lines: string[] = []
  for (const node of dag.topologicalSort()) {
    const spec = written.get(node)
    if (!spec) continue
    const missing = Object.entries(spec.inputPaths).filter(
      ([name, path]) => !fed.get(node)?.includes(name) && !existsSync(resolve(rootDir, path)),
    )
    if (missing.length > 0) {
      const inputs = missing.map(([name]) => `--input ${shellQuote(`${name}=PATH`)}`).join(' ')
      lines.push(`pipetest spec set ${shellQuote(node)} ${inputs}   # its input data`)
    }
    const script = contracts.get(node)?.scriptPath
    for (const todo of todos.get(node) ?? []) {
      const where = script
        ? ` (${displayPath(script, rootDir)}${todo.line ? ` line ${todo.line}` : ''})`
        : ''
      const flag = todo.role === 'env' ? '--env' : '--arg'
      lines.push(
        `pipetest spec set ${shellQuote(node)} ${flag} ${shellQuote(`${todo.name}=VALUE`)}   # read without a default${where}`,
      )
    }
  }
  return lines
}
