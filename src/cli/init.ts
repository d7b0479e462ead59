import { EXIT, type CommandDef } from './command.js'
import { ensureGitignored } from './gitignore.js'
import { loadDagArg, locatingArgs, openProject, projectOptions } from './project.js'
import { describeSource, displayPath, shellQuote } from './text.js'

interface Row {
  node: string
  file: string
  /** How an existing spec was found, or the node whose new spec it shares. */
  detail?: string
}

export const initCommand: CommandDef = {
  name: 'init',
  summary: 'Create a default spec for every DAG node that has none (never overwrites)',
  positionals: [{ name: 'dag', required: true, description: 'the pipeline DAG JSON file' }],
  options: { ...projectOptions },
  notes: [
    'Existing spec files are never changed. ".pipetest/" (run folders) is added to the nearest\n' +
      '.gitignore, or to a new one at --root.',
  ],
  examples: ['pipetest init pipelines/fraud/pipeline.dag.json'],
  async run({ values, positionals }, ctx) {
    const project = openProject(values, ctx)
    const dagFile = positionals.dag!
    const dag = loadDagArg(dagFile, ctx)
    const { builder } = project
    const c = ctx.out
    const created: Row[] = []
    const existing: Row[] = []
    const shared: Row[] = []
    const unreadable: Row[] = []

    // Two nodes running the same script share the spec the first one created, exactly as
    // the builder will resolve them later.
    for (const outcome of builder.createMissingSpecs(dag)) {
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

    const ignore = ensureGitignored(project.rootDir)
    const path = (file: string) => displayPath(file, ctx.cwd)
    const width = Math.max(...dag.nodes.map((node) => node.length))
    const out: string[] = [
      `Specs for ${c.bold(dag.name ?? dagFile)} (${dag.nodes.length} nodes) in ${path(builder.specsDir)}`,
    ]
    if (created.length > 0) {
      out.push('', c.bold(`Created (${created.length})`))
      for (const row of created)
        out.push(`  ${c.green('+')} ${row.node.padEnd(width)}  ${path(row.file)}`)
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
    out.push(
      '',
      c.bold('Next'),
      `  1. Put sample input data where each spec's input_paths point, and set the real`,
      `     inputs and outputs: pipetest spec edit <node> --dag ${rerun} (prompted)`,
      `     or pipetest spec set <node> --input NAME=PATH --output NAME=PATH …`,
      `  2. pipetest validate ${rerun}   (lists what is still missing, with the fix)`,
      `  3. pipetest run ${rerun}`,
    )
    ctx.stdout.write(`${out.join('\n')}\n`)
    return unreadable.length > 0 ? EXIT.failed : EXIT.ok
  },
}
