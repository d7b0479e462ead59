import { checkPipeline } from '../builder/index.js'
import { EXIT, flag, type CommandDef } from './command.js'
import { dagFileOf, loadDagArg, openProject } from './project.js'
import { dagPositional, projectOptions } from './project-options.js'
import { displayPath } from '../text.js'
import { count } from './text.js'

export const validateCommand: CommandDef = {
  name: 'validate',
  positionals: [dagPositional],
  options: {
    json: {
      type: 'boolean',
      description: 'Print {ok, nodes, problems[]} as JSON on stdout (each with severity)',
    },
    ...projectOptions,
  },
  notes: [
    'Checks every spec (complete, script found, input data present), every edge\'s "ports"\n' +
      "against the specs, and each spec against its script's code: the inputs, outputs,\n" +
      "environment variables and job arguments it reads, main's signature, and that the\n" +
      'interpreter can import its third-party modules (one process, no script is run). The\n' +
      'specs tests of describePipeline fail on exactly the same errors.',
    'Exit code 0 when there is no error (warnings are printed), 1 when there is one.',
  ],
  examples: [
    'pipetest validate pipelines/fraud/pipeline.dag.json',
    'pipetest validate pipeline.dag.json --json | jq .problems',
  ],
  async run({ values, positionals }, ctx) {
    const { builder, reading } = openProject(values, ctx)
    const dag = loadDagArg(dagFileOf(positionals.dag, 'validate', ctx), ctx)
    const { problems } = await checkPipeline(builder.buildFromDagWithReport(dag), {
      ...reading,
      environment: ctx.env,
    })
    const errors = problems.filter((problem) => problem.severity === 'error')
    const ok = errors.length === 0

    if (flag(values, 'json')) {
      ctx.stdout.write(`${JSON.stringify({ ok, nodes: dag.nodes.length, problems }, null, 2)}\n`)
      return ok ? EXIT.ok : EXIT.failed
    }

    const c = ctx.out
    const lines: string[] = []
    const affected = dag.nodes.filter((node) => problems.some((p) => p.node === node))
    for (const node of affected) {
      const own = problems.filter((p) => p.node === node)
      const failing = own.some((p) => p.severity === 'error')
      lines.push(
        `${failing ? c.red('✗') : c.yellow('!')} ${c.bold(node)} ${c.dim(`(script ${own[0]!.scriptName})`)}`,
      )
      for (const problem of own) {
        const label = problem.severity === 'warning' ? 'warning: ' : ''
        lines.push(...hang(label, problem.message, { label: c.yellow, text: (s) => s }))
        if (problem.file) lines.push(`    ${c.dim('file:')} ${displayPath(problem.file, ctx.cwd)}`)
        lines.push(...hang('fix: ', problem.fix, { label: c.dim, text: c.cyan }))
      }
      lines.push('')
    }
    const warnings = problems.length - errors.length
    const warned = warnings > 0 ? `, ${count(warnings, 'warning')}` : ''
    if (ok) {
      lines.push(
        `${c.green('✓')} All ${dag.nodes.length} nodes are ready: specs, ports and scripts agree (${displayPath(builder.specsDir, ctx.cwd)})${warned}`,
      )
      ctx.stdout.write(`${lines.join('\n')}\n`)
      return EXIT.ok
    }
    const failing = dag.nodes.filter((node) => errors.some((p) => p.node === node))
    lines.push(
      c.red(
        `${count(errors.length, 'problem')} in ${failing.length} of ${count(dag.nodes.length, 'node')}${warned}`,
      ),
    )
    ctx.stdout.write(`${lines.join('\n')}\n`)
    return EXIT.failed
  },
}

/** A possibly multi-line text after a label, continuation lines aligned with the first. */
function hang(
  label: string,
  text: string,
  colours: { label: (s: string) => string; text: (s: string) => string },
): string[] {
  const pad = ' '.repeat(label.length)
  return text
    .split('\n')
    .map((line, i) => `    ${i === 0 ? colours.label(label) : pad}${colours.text(line)}`)
}
