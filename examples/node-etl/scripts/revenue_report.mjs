/**
 * Report: revenue by segment and by country, and the top customers, as JSON and Markdown.
 *
 *   input  merged_orders  orders.json from merge
 *   output report         summary.json and report.md
 *   env    CURRENCY (default "EUR"), only used for display
 *   args   top_n: how many top customers to list (default 3)
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'

const cents = (value) => Math.round(value * 100) / 100

/** Sums revenue per key, largest first; ties by key so the report never reorders by chance. */
function revenueBy(orders, key) {
  const totals = new Map()
  for (const order of orders) totals.set(order[key], (totals.get(order[key]) ?? 0) + order.revenue)
  return [...totals]
    .map(([name, revenue]) => ({ [key]: name, revenue: cents(revenue) }))
    .sort((a, b) => b.revenue - a.revenue || String(a[key]).localeCompare(String(b[key])))
}

export async function main({ inputPaths, outputPaths, environVars, jobArgs }) {
  const currency = environVars.CURRENCY ?? 'EUR'
  const topN = Number(jobArgs.top_n ?? 3)
  const orders = JSON.parse(await readFile(join(inputPaths.merged_orders, 'orders.json'), 'utf8'))

  const summary = {
    currency,
    orders: orders.length,
    total_revenue: cents(orders.reduce((sum, order) => sum + order.revenue, 0)),
    by_segment: revenueBy(orders, 'segment'),
    by_country: revenueBy(orders, 'country'),
    top_customers: revenueBy(orders, 'customer_id').slice(0, topN),
  }
  const table = (rows, key) =>
    [
      `| ${key} | revenue (${currency}) |`,
      '| --- | ---: |',
      ...rows.map((r) => `| ${r[key]} | ${r.revenue.toFixed(2)} |`),
    ].join('\n')
  const markdown = [
    '# Revenue report',
    '',
    `${summary.orders} orders, ${summary.total_revenue.toFixed(2)} ${currency} in total.`,
    '',
    '## By segment',
    '',
    table(summary.by_segment, 'segment'),
    '',
    '## By country',
    '',
    table(summary.by_country, 'country'),
    '',
    `## Top ${topN} customers`,
    '',
    table(summary.top_customers, 'customer_id'),
    '',
  ].join('\n')

  await mkdir(outputPaths.report, { recursive: true })
  await writeFile(join(outputPaths.report, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`)
  await writeFile(join(outputPaths.report, 'report.md'), markdown)
  console.log(`Report: ${summary.orders} orders, ${summary.total_revenue} ${currency}`)
  return summary
}
