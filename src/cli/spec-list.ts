import type { PipelineDAG } from '../dag/index.js'
import { isPipetestError } from '../errors.js'
import { specFilePath } from '../spec/index.js'
import type { CliContext } from './command.js'
import { EXIT, flag, stringOption, type CommandDef } from './command.js'
import { loadDagArg, openProject, type Project } from './project.js'
import { projectOptions } from './project-options.js'
import { displayPath } from '../text.js'
import { count, describeSource, firstLine } from './text.js'

type SavedRow = ReturnType<typeof savedRows>[number]
type NodeRow = ReturnType<typeof nodeRows>[number]

export const specListCommand: CommandDef = {
  name: 'spec list',
  positionals: [],
  options: {
    dag: {
      type: 'string',
      value: 'FILE',
      description: 'List the nodes of this DAG: their spec file, how it was found, completeness',
    },
    json: { type: 'boolean', description: 'Print the rows as JSON' },
    ...projectOptions,
  },
  examples: ['pipetest spec list', 'pipetest spec list --dag pipelines/fraud/pipeline.dag.json'],
  async run({ values }, ctx) {
    const project = openProject(values, ctx)
    const dagFile = stringOption(values, 'dag')
    const json = flag(values, 'json')
    if (dagFile === undefined) {
      const rows = savedRows(project)
      if (json) {
        ctx.stdout.write(
          `${JSON.stringify({ specsDir: project.builder.specsDir, specs: rows }, null, 2)}\n`,
        )
      } else printSaved(rows, project, ctx)
      return EXIT.ok
    }
    const dag = loadDagArg(dagFile, ctx)
    const rows = nodeRows(project, dag)
    if (json) {
      ctx.stdout.write(`${JSON.stringify({ dag: dag.file, nodes: rows }, null, 2)}\n`)
    } else printNodes(rows, dag.name ?? dagFile, ctx)
    return EXIT.ok
  },
}

function savedRows({ builder }: Project) {
  return builder.listSavedSpecs().map((scriptName) => {
    const file = specFilePath(builder.specsDir, scriptName)
    try {
      const spec = builder.getScriptSpecByName(scriptName)!
      return {
        scriptName,
        stepName: spec.stepName,
        file,
        complete: builder.isSpecComplete(spec),
        error: null,
      }
    } catch (error) {
      if (!isPipetestError(error)) throw error
      return { scriptName, stepName: null, file, complete: false, error: error.shortMessage }
    }
  })
}

function nodeRows({ builder }: Project, dag: PipelineDAG) {
  // One resolution for every node: resolving them one by one reads every spec file per node.
  return builder.resolveNodes(dag).nodes.map(({ node, resolution, error, problems }) => ({
    node,
    scriptName: error ? null : resolution.scriptName,
    file: (error ? error.file : resolution.specFile) ?? null,
    source: error ? null : resolution.source,
    complete: !error && problems.length === 0,
    problems: problems.length,
    error: error?.shortMessage ?? null,
  }))
}

function printSaved(rows: SavedRow[], { builder }: Project, ctx: CliContext): void {
  const c = ctx.out
  const where = displayPath(builder.specsDir, ctx.cwd)
  if (rows.length === 0) {
    ctx.stdout.write(
      `No specs in ${where}. Create them with "pipetest init <dag>" or "pipetest spec set <node> …".\n`,
    )
    return
  }
  const width = Math.max(...rows.map((row) => row.scriptName.length))
  const stepWidth = Math.max(...rows.map((row) => (row.stepName ?? '').length))
  const lines = [`${count(rows.length, 'spec')} in ${where}`]
  for (const row of rows) {
    const name = row.scriptName.padEnd(width)
    if (row.error)
      lines.push(`  ${c.red('!')} ${name}  ${c.red(`invalid: ${firstLine(row.error)}`)}`)
    else {
      const state = row.complete ? c.green('complete') : c.yellow('incomplete')
      lines.push(
        `  ${row.complete ? c.green('✓') : c.yellow('✗')} ${name}  step ${(row.stepName ?? '').padEnd(stepWidth)}  ${state}`,
      )
    }
  }
  ctx.stdout.write(`${lines.join('\n')}\n`)
}

function printNodes(rows: NodeRow[], title: string, ctx: CliContext): void {
  const c = ctx.out
  const nodeWidth = Math.max(...rows.map((row) => row.node.length))
  const lines = [`${c.bold(title)}: ${count(rows.length, 'node')}`]
  for (const row of rows) {
    const mark = row.complete ? c.green('✓') : row.error ? c.red('!') : c.yellow('✗')
    const spec = row.error
      ? c.red(`invalid spec: ${firstLine(row.error)}`)
      : row.file
        ? `${displayPath(row.file, ctx.cwd)} ${c.dim(`(${describeSource(row.source ?? '')})`)}`
        : c.dim(`no spec file (defaults for ${row.scriptName})`)
    const state = row.problems === 0 ? '' : `  ${c.yellow(`${count(row.problems, 'problem')}`)}`
    lines.push(`  ${mark} ${row.node.padEnd(nodeWidth)}  ${spec}${state}`)
  }
  if (rows.some((row) => !row.complete)) {
    lines.push('', 'Run "pipetest validate <dag>" to see each problem and its fix.')
  }
  ctx.stdout.write(`${lines.join('\n')}\n`)
}
