import { readFileSync } from 'node:fs'
import { packagePath } from '../runners/harness.js'
import { formatDuration } from '../text.js'
import type { EdgeView, NodeView, PipelineView, ReportModel } from './model.js'
import { CHAR_WIDTH, MAX_WIDTH, NODE_CHROME } from './layout.js'

/**
 * The report as one self-contained HTML page: inline CSS, inline script, positioned SVG and
 * the model as JSON. No network, no external file: it opens from disk and as a CI artifact.
 * Everything from the user (node names, paths, log text) is escaped, here or by the page's
 * script, never parsed as HTML.
 */
export function renderHtml(model: ReportModel): string {
  const css = readAsset('report.css')
  const script = readAsset('report.js')
  const failing = model.pipelines.some((pipeline) => pipeline.failedNodes.length > 0)
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<title>${escapeHtml(`${failing ? '✗' : '✓'} ${model.title}`)}</title>
<style>${css}</style>
</head>
<body>
<header class="top">
  <div class="brand">pipetest <span>report</span></div>
  <nav class="tabs" role="tablist">${model.pipelines.map(renderTab).join('')}</nav>
  <div class="generated">generated ${escapeHtml(model.generatedAt.replace('T', ' ').slice(0, 19))} UTC</div>
</header>
${model.pipelines.length === 0 ? '<main class="empty">No pipeline runs were recorded.</main>' : ''}
${model.pipelines.map(renderPipeline).join('\n')}
<script type="application/json" id="pipetest-data">${jsonForScript(model)}</script>
<script>${script}</script>
</body>
</html>
`
}

function renderTab(pipeline: PipelineView, index: number): string {
  const failed = pipeline.failedNodes.length > 0
  return `<button class="tab${index === 0 ? ' active' : ''}" role="tab" data-pipeline="${index}"><span class="dot ${failed ? 'failed' : pipeline.status}"></span>${escapeHtml(pipeline.name)}</button>`
}

function renderPipeline(pipeline: PipelineView, index: number): string {
  const { scripts, edges, flow } = pipeline.totals
  const state = pipeline.status
  const counts = (label: string, c: Record<string, number>) =>
    Object.values(c).every((n) => n === 0)
      ? ''
      : `<span class="count"><b>${label}</b>${(['passed', 'failed', 'blocked', 'skipped'] as const)
          .filter((status) => c[status]! > 0)
          .map((status) => `<i class="${status}">${c[status]} ${status}</i>`)
          .join('')}</span>`
  return `<section class="pipeline" data-pipeline="${index}"${index === 0 ? '' : ' hidden'}>
<div class="summary">
  <span class="verdict ${state}">${state === 'passed' ? 'PASSED' : 'FAILED'}</span>
  <h1>${escapeHtml(pipeline.name)}</h1>
  ${counts('Scripts', scripts)}${counts('Compatibility', edges)}${flow ? `<span class="count"><b>Flow</b><i class="${flow}">${flow}</i></span>` : ''}
  <span class="run" title="${escapeHtml(pipeline.runFolder)}">run ${escapeHtml(pipeline.runId)}${pipeline.state === 'interrupted' ? ' <em>(interrupted)</em>' : ''}</span>
</div>
<div class="toolbar">
  <input class="search" type="search" placeholder="Search nodes by name" aria-label="Search nodes by name">
  <span class="matches"></span>
  <label class="toggle"><input type="checkbox" class="failed-only"> Failed only</label>
  <span class="spacer"></span>
  <span class="legend">${(['passed', 'failed', 'blocked', 'cached', 'skipped'] as const)
    .map((status) => `<span class="key ${status}">${status}</span>`)
    .join('')}</span>
  <button class="zoom-in" title="Zoom in">+</button><button class="zoom-out" title="Zoom out">−</button><button class="zoom-fit" title="Fit the whole DAG">Fit</button>
</div>
<div class="body">
  <div class="graph">${renderSvg(pipeline)}</div>
  <aside class="panel" aria-live="polite"></aside>
</div>
</section>`
}

function renderSvg(pipeline: PipelineView): string {
  const markers = (['passed', 'failed', 'blocked', 'skipped'] as const)
    .map(
      (status) =>
        `<marker id="arrow-${status}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0L10,5L0,10z" class="arrow ${status}"/></marker>`,
    )
    .join('')
  return `<svg class="dag" viewBox="0 0 ${pipeline.width} ${pipeline.height}" width="${pipeline.width}" height="${pipeline.height}" role="img" aria-label="${escapeHtml(`DAG of ${pipeline.name}`)}">
<defs>${markers}</defs>
<g class="viewport">
<g class="edges">${pipeline.edges.map(renderEdge).join('')}</g>
<g class="nodes">${pipeline.nodes.map(renderNode).join('')}</g>
</g>
</svg>`
}

const ICONS: Record<NodeView['status'], string> = {
  passed: '✓',
  failed: '✗',
  blocked: '⊘',
  cached: '↺',
  skipped: '–',
}

function renderNode(node: NodeView, index: number): string {
  const label = clip(node.name, Math.floor((MAX_WIDTH - NODE_CHROME) / CHAR_WIDTH))
  const sub = clip(subtitle(node), Math.floor((node.width - 40) / SUB_CHAR_WIDTH))
  return `<g class="node ${node.status}" data-node="${index}" data-name="${escapeHtml(node.name)}" transform="translate(${node.x},${node.y})" tabindex="0" role="button" aria-label="${escapeHtml(`${node.name}: ${node.status}`)}"><title>${escapeHtml(node.name)}</title><rect width="${node.width}" height="${node.height}" rx="8"/><text class="icon" x="16" y="28">${ICONS[node.status]}</text><text class="name" x="32" y="20">${escapeHtml(label)}</text><text class="sub" x="32" y="36">${escapeHtml(sub)}</text></g>`
}

/** The subtitle's 11px text. */
const SUB_CHAR_WIDTH = 6.3

function clip(text: string, chars: number): string {
  return text.length > chars ? `${text.slice(0, Math.max(1, chars - 1))}…` : text
}

function subtitle(node: NodeView): string {
  if (node.status === 'blocked') return node.blockedBy ? `blocked by ${node.blockedBy}` : 'blocked'
  if (node.status === 'skipped') return 'not run'
  const ran = node.executions.filter((execution) => execution.exitCode !== null)
  const slowest = Math.max(0, ...ran.map((execution) => execution.durationMs))
  const outcome = node.failure ? node.failure.outcome : node.status
  return ran.length > 0 ? `${outcome} · ${formatDuration(slowest)}` : outcome
}

function renderEdge(edge: EdgeView, index: number): string {
  const path = basisPath(edge.points)
  const ports = edge.ports.map((port) => `${port.output} → ${port.input}`).join(', ')
  const title = `${edge.from} → ${edge.to}: ${edge.status}${ports ? ` (${ports})` : ''}`
  return `<g class="edge ${edge.status}" data-edge="${index}"><title>${escapeHtml(title)}</title><path class="hit" d="${path}"/><path class="line" d="${path}" marker-end="url(#arrow-${edge.status})"/></g>`
}

/** A smooth curve through dagre's points: a uniform cubic B-spline, as d3's curveBasis draws. */
export function basisPath(points: Array<{ x: number; y: number }>): string {
  if (points.length === 0) return ''
  const f = (n: number) => Math.round(n * 10) / 10
  const [first, ...rest] = points
  if (rest.length === 0) return `M${f(first!.x)},${f(first!.y)}`
  if (rest.length === 1) return `M${f(first!.x)},${f(first!.y)}L${f(rest[0]!.x)},${f(rest[0]!.y)}`
  let d = `M${f(first!.x)},${f(first!.y)}`
  const p = points
  d += `L${f((5 * p[0]!.x + p[1]!.x) / 6)},${f((5 * p[0]!.y + p[1]!.y) / 6)}`
  for (let i = 2; i < p.length; i++) {
    const [a, b, c] = [p[i - 2]!, p[i - 1]!, p[i]!]
    d += `C${f((2 * a.x + b.x) / 3)},${f((2 * a.y + b.y) / 3)} ${f((a.x + 2 * b.x) / 3)},${f((a.y + 2 * b.y) / 3)} ${f((a.x + 4 * b.x + c.x) / 6)},${f((a.y + 4 * b.y + c.y) / 6)}`
  }
  const [a, b] = [p[p.length - 2]!, p[p.length - 1]!]
  d += `C${f((2 * a.x + b.x) / 3)},${f((2 * a.y + b.y) / 3)} ${f((a.x + 2 * b.x) / 3)},${f((a.y + 2 * b.y) / 3)} ${f(b.x)},${f(b.y)}`
  return d
}

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
}

/** Text and attribute values: every character HTML could read as markup is an entity. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => HTML_ESCAPES[char]!)
}

/**
 * JSON inside `<script type="application/json">`: `<` as `\u003c` so no `</script>` or
 * `<!--` in user data can end the element; U+2028/2029 escaped for older parsers.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029')
}

const assets = new Map<string, string>()

function readAsset(name: string): string {
  let text = assets.get(name)
  if (text === undefined) {
    text = readFileSync(packagePath('src', 'report', 'assets', name), 'utf8')
    assets.set(name, text)
  }
  // Inline, a literal "</" could end the <style> or <script> element early.
  return text.replace(/<\/(style|script)/gi, '<\\/$1')
}
