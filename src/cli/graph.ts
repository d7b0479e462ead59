import type { PipelineDAG } from '../dag/index.js'
import { PipetestError } from '../errors.js'
import { toMermaid } from '../report/mermaid.js'
import { EXIT, flag, type CommandDef } from './command.js'
import { readLastRun, lastRunFile, type LastRun } from './last-run.js'
import { dagFileOf, loadDagArg, openProject } from './project.js'
import { dagPositional, projectOptions } from './project-options.js'
import { displayPath, shellQuote } from '../text.js'

/**
 * `pipetest graph`'s chart: the DAG, coloured by what the runs learnt. Results may come from
 * different runs (`run --only`): each node says when its result was obtained.
 */
export function graphMermaid(dag: PipelineDAG, status?: LastRun): string {
  if (!status) return toMermaid(dag)
  const nodes = dag.nodes.filter((node) => status.nodes[node] !== undefined)
  return toMermaid(dag, {
    comment: `status: ${status.state} run ${status.runId}, finished ${status.finishedAt}`,
    nodes: Object.fromEntries(nodes.map((node) => [node, status.nodes[node]!.status])),
    edges: Object.fromEntries(
      Object.entries(status.edges).map(([key, known]) => [key, known.status]),
    ),
    notes: Object.fromEntries(
      nodes.map((node) => {
        const known = status.nodes[node]!
        return [node, `${known.status} ${known.at.slice(0, 16).replace('T', ' ')} UTC`]
      }),
    ),
  })
}

export const graphCommand: CommandDef = {
  name: 'graph',
  positionals: [dagPositional],
  options: {
    status: {
      type: 'boolean',
      description:
        'Colour nodes and edges by their latest "pipetest run" result (passed/failed/blocked), with when it was obtained',
    },
    markdown: {
      type: 'boolean',
      description: 'Wrap it in a ```mermaid block, ready to paste into a README or PR',
    },
    ...projectOptions,
  },
  examples: [
    'pipetest graph pipelines/fraud/pipeline.dag.json --markdown >> README.md',
    'pipetest graph pipeline.dag.json --status',
  ],
  async run({ values, positionals }, ctx) {
    const dagFile = dagFileOf(positionals.dag, 'graph', ctx)
    const dag = loadDagArg(dagFile, ctx)
    let status: LastRun | undefined
    if (flag(values, 'status')) {
      const { builder } = openProject(values, ctx)
      status = readLastRun(builder.testDataDir, dag.file!)
      if (!status) {
        throw new PipetestError(
          'LAST_RUN_NOT_FOUND',
          `No recorded run of ${displayPath(dag.file!, ctx.cwd)} in ${displayPath(lastRunFile(builder.testDataDir), ctx.cwd)}`,
          {
            hint: `Run "pipetest run ${shellQuote(dagFile)}" first (with the same --test-data-dir), or leave out --status.`,
          },
        )
      }
    }
    const mermaid = graphMermaid(dag, status)
    ctx.stdout.write(flag(values, 'markdown') ? `\`\`\`mermaid\n${mermaid}\`\`\`\n` : mermaid)
    return EXIT.ok
  },
}
