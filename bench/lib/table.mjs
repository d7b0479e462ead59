/**
 * Presentation of the bench's rows. A row is
 * `{ measure, figure, baseline, ratio, target, met }` with figure/baseline already formatted
 * (they carry their own units), `ratio` a number or null and `met` true/false/null (n/a).
 */

const COLUMNS = ['measure', 'figure', 'baseline', 'ratio', 'target', 'met?']

function cells(row) {
  return [
    row.measure,
    row.figure,
    row.baseline,
    row.ratio === null || row.ratio === undefined ? '—' : formatRatio(row.ratio),
    row.target,
    row.met === null || row.met === undefined ? 'n/a' : row.met ? 'yes' : 'NO',
  ]
}

export function formatRatio(ratio) {
  return `${ratio.toFixed(ratio >= 10 ? 1 : 2)}×`
}

export function formatMs(ms) {
  if (ms >= 10_000) return `${(ms / 1000).toFixed(1)} s`
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`
  if (ms >= 10) return `${ms.toFixed(0)} ms`
  return `${ms.toFixed(2)} ms`
}

export function formatMb(bytes) {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`
}

/** A fixed-width table for the terminal. */
export function textTable(rows) {
  const lines = [COLUMNS, ...rows.map(cells)]
  const widths = COLUMNS.map((_, i) => Math.max(...lines.map((line) => line[i].length)))
  const render = (line) =>
    line
      .map((cell, i) => cell.padEnd(widths[i]))
      .join('  ')
      .trimEnd()
  return [
    render(lines[0]),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...lines.slice(1).map(render),
  ].join('\n')
}

/** A GitHub-flavoured Markdown table, ready to paste into the README. */
export function markdownTable(rows) {
  const escape = (cell) => cell.replaceAll('|', '\\|')
  return [
    `| ${COLUMNS.join(' | ')} |`,
    `|${COLUMNS.map((_, i) => (i === 0 ? ' --- ' : ' ---: ')).join('|')}|`,
    ...rows.map((row) => `| ${cells(row).map(escape).join(' | ')} |`),
  ].join('\n')
}
