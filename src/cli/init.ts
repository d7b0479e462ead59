import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import { specFromContract, type NodeResolution, type SpecTodo } from '../builder/index.js'
import { readContracts, type ScriptContract } from '../contract/index.js'
import type { PipelineDAG } from '../dag/index.js'
import type { ScriptExecutionSpec } from '../spec/index.js'
import { EXIT, type CommandDef } from './command.js'
import { ensureGitignored } from './gitignore.js'
import { dagFileOf, loadDagArg, locatingArgs, openProject, type Project } from './project.js'
import { dagPositional, projectOptions } from './project-options.js'
import { displayPath, shellQuote } from '../text.js'
import { describeSource } from './text.js'

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

    // A folder that cannot be written fails every node alike: one error with the fix, and
    // nothing else touched (no .gitignore either).
    const unwritable = outcomes.find(
      (outcome) => outcome.action === 'unreadable' && outcome.error.code === 'SPEC_UNWRITABLE',
    )
    if (unwritable?.action === 'unreadable') throw unwritable.error

    const ignore = ensureGitignored(project.rootDir)
    const path = (file: string) => displayPath(file, ctx.cwd)
    const width = Math.max(...dag.nodes.map((node) => node.length))
    const row = (mark: string, node: string, rest: string) =>
      `  ${mark} ${node.padEnd(width)}  ${rest}`
    const out: string[] = [
      `Specs for ${c.bold(dag.name ?? dagFile)} (${dag.nodes.length} nodes) in ${path(builder.specsDir)}`,
    ]
    /** The outcomes of one kind under their heading, with their count; none: nothing. */
    type Outcome = (typeof outcomes)[number]
    const section = <A extends Outcome['action']>(
      action: A,
      title: string,
      lines: (outcome: Extract<Outcome, { action: A }>) => string[],
      tone = (text: string) => text,
    ) => {
      const rows = outcomes.filter(
        (outcome): outcome is Extract<Outcome, { action: A }> => outcome.action === action,
      )
      if (rows.length > 0)
        out.push('', c.bold(tone(`${title} (${rows.length})`)), ...rows.flatMap(lines))
    }
    section('created', 'Created', ({ node, file }) => {
      const spec = written.get(node)
      const from = contracts.get(node)
      const read = spec ? summary(spec) : ''
      const note =
        from && !from.error && from.source !== 'none' && read !== ''
          ? [c.dim(read)]
          : from?.error
            ? [c.yellow(`defaults: ${from.error.message}`)]
            : []
      return [
        row(c.green('+'), node, path(file)),
        ...note.map((text) => `    ${' '.repeat(width)}  ${text}`),
      ]
    })
    section(
      'shared',
      'Sharing a spec created above (same script)',
      ({ node, file, createdFor }) => [
        row(c.green('+'), node, `${path(file)}  ${c.dim(`(with ${createdFor})`)}`),
      ],
    )
    section('existing', 'Already existing, left unchanged', ({ node, file, source }) => [
      row(c.dim('='), node, `${path(file)}  ${c.dim(`(${describeSource(source)})`)}`),
    ])
    section(
      'unreadable',
      'Could not be read, left unchanged',
      ({ node, error }) => [row(c.red('!'), node, error.shortMessage)],
      c.red,
    )
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
    return outcomes.some((outcome) => outcome.action === 'unreadable') ? EXIT.failed : EXIT.ok
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
    project.reading,
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
