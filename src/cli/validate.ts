import { EXIT, flag, type CommandDef } from './command.js'
import { interpreterProblems, type ValidateProblem } from './interpreter-check.js'
import { loadDagArg, openProject, projectOptions } from './project.js'
import { displayPath } from './text.js'

export const validateCommand: CommandDef = {
  name: 'validate',
  summary: 'Check that every DAG node has a complete spec; list every problem with its fix',
  positionals: [{ name: 'dag', required: true, description: 'the pipeline DAG JSON file' }],
  options: {
    json: { type: 'boolean', description: 'Print {ok, nodes, problems[]} as JSON on stdout' },
    ...projectOptions,
  },
  notes: ['Exit code 0 when every spec is complete, 1 when anything is missing or incomplete.'],
  examples: [
    'pipetest validate pipelines/fraud/pipeline.dag.json',
    'pipetest validate pipeline.dag.json --json | jq .problems',
  ],
  async run({ values, positionals }, ctx) {
    const { builder, python } = openProject(values, ctx)
    const dag = loadDagArg(positionals.dag!, ctx)
    const problems: ValidateProblem[] = [
      ...builder.checkSpecs(dag),
      ...(await interpreterProblems(builder, dag, python)),
    ]
    const ok = problems.length === 0

    if (flag(values, 'json')) {
      ctx.stdout.write(`${JSON.stringify({ ok, nodes: dag.nodes.length, problems }, null, 2)}\n`)
      return ok ? EXIT.ok : EXIT.failed
    }

    const c = ctx.out
    if (ok) {
      ctx.stdout.write(
        `${c.green('✓')} All ${dag.nodes.length} nodes have complete specs (${displayPath(builder.specsDir, ctx.cwd)})\n`,
      )
      return EXIT.ok
    }
    const lines: string[] = []
    const affected = dag.nodes.filter((node) => problems.some((p) => p.node === node))
    for (const node of affected) {
      const own = problems.filter((p) => p.node === node)
      lines.push(`${c.red('✗')} ${c.bold(node)} ${c.dim(`(script ${own[0]!.scriptName})`)}`)
      for (const problem of own) {
        lines.push(...hang('', problem.message, { label: c.dim, text: (s) => s }))
        if (problem.file) lines.push(`    ${c.dim('file:')} ${displayPath(problem.file, ctx.cwd)}`)
        lines.push(...hang('fix: ', problem.fix, { label: c.dim, text: c.cyan }))
      }
      lines.push('')
    }
    const count = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`
    lines.push(
      c.red(
        `${count(problems.length, 'problem')} in ${affected.length} of ${count(dag.nodes.length, 'node')}`,
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
