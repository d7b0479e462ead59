import type { StatusCounts } from '../engine/run-totals.js'
import { toMermaid } from './mermaid.js'
import type { PipelineView, ReportModel } from './model.js'

/**
 * The report as Markdown for a CI job summary (GitHub's `$GITHUB_STEP_SUMMARY`) or a file:
 * counts per tier, the failed nodes with one-line reasons, and the DAG as a Mermaid chart
 * coloured by result. Reads the same model as the HTML page.
 */

/** GitHub renders Mermaid up to a size; past it the chart would be an error box. */
const MERMAID_MAX_NODES = 150
const MERMAID_MAX_EDGES = 400

export function renderMarkdown(model: ReportModel, reportFile?: string): string {
  const parts = model.pipelines.map((pipeline) => renderPipeline(pipeline, reportFile))
  if (parts.length === 0) parts.push('## pipetest\n\nNo pipeline runs were recorded.\n')
  return `${parts.join('\n')}`
}

function renderPipeline(pipeline: PipelineView, reportFile: string | undefined): string {
  const { scripts, edges, flow } = pipeline.totals
  const failed = pipeline.status !== 'passed'
  const lines = [
    `## ${failed ? '❌' : '✅'} pipetest: ${text(pipeline.name)} — ${failed ? 'failed' : 'passed'}`,
    '',
    '| tier | passed | failed | blocked | skipped |',
    '| --- | ---: | ---: | ---: | ---: |',
    countsRow('Scripts', scripts),
    countsRow('Compatibility', edges),
  ]
  if (flow)
    lines.push(
      `| Flow | ${flow === 'passed' ? '✓' : ''} | ${flow === 'failed' ? '✗' : ''} | ${flow === 'blocked' ? '⊘' : ''} | ${flow === 'skipped' ? '–' : ''} |`,
    )
  const failures = pipeline.nodes.filter((node) => node.failure)
  if (failures.length > 0) {
    lines.push('', '**Failed nodes**', '')
    for (const node of failures) {
      const reason = node.failure!.message.trim().split('\n')[0] ?? ''
      lines.push(`- \`${code(node.name)}\` — ${text(node.failure!.outcome)}: ${text(reason)}`)
    }
  }
  const blocked = pipeline.nodes.filter((node) => node.status === 'blocked')
  if (blocked.length > 0) {
    lines.push(
      '',
      `**Blocked** (not run): ${blocked.map((node) => `\`${code(node.name)}\``).join(', ')}`,
    )
  }
  lines.push('')
  if (pipeline.nodes.length <= MERMAID_MAX_NODES && pipeline.edges.length <= MERMAID_MAX_EDGES) {
    const chart = toMermaid(
      { nodes: pipeline.nodes.map((node) => node.name), edges: pipeline.edges.map(portsOf) },
      {
        nodes: Object.fromEntries(pipeline.nodes.map((node) => [node.name, node.status])),
        edges: Object.fromEntries(
          pipeline.edges.map((edge) => [`${edge.from}->${edge.to}`, edge.status]),
        ),
      },
    )
    lines.push('```mermaid', chart.trimEnd(), '```', '')
  } else {
    lines.push(
      `_The DAG (${pipeline.nodes.length} nodes, ${pipeline.edges.length} edges) is too large for a chart here; the HTML report shows it._`,
      '',
    )
  }
  if (reportFile)
    lines.push(`Report: \`${code(reportFile)}\` (one HTML file; open it from the artifacts)`, '')
  return lines.join('\n')
}

function countsRow(tier: string, counts: StatusCounts): string {
  return `| ${tier} | ${counts.passed} | ${counts.failed} | ${counts.blocked} | ${counts.skipped} |`
}

function portsOf(edge: PipelineView['edges'][number]) {
  const ports = Object.fromEntries(
    edge.ports.filter((port) => port.via === 'ports').map((port) => [port.output, port.input]),
  )
  return { from: edge.from, to: edge.to, ...(Object.keys(ports).length > 0 ? { ports } : {}) }
}

/** User text in Markdown: no HTML, no emphasis, no table or link syntax. */
function text(value: string): string {
  return value
    .replace(/[\\`*_[\]|#<>]/g, (char) => `\\${char}`)
    .replace(/\s+/g, ' ')
    .slice(0, 300)
}

/** Inside a code span, a backtick would end it. */
function code(value: string): string {
  return value.replace(/`/g, "'")
}
