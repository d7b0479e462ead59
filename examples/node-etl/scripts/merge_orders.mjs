/**
 * Merge: join the clean orders with their customer attributes and compute each order's revenue.
 * This is where the two branches of the pipeline meet (fan-in).
 *
 *   input  clean_orders   orders.json from clean
 *          attributes     attributes.json from enrich
 *   output merged_orders  orders.json: clean orders with segment, country and revenue
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'

const readJson = async (dir, file) => JSON.parse(await readFile(join(dir, file), 'utf8'))

export async function main({ inputPaths, outputPaths }) {
  const orders = await readJson(inputPaths.clean_orders, 'orders.json')
  const attributes = await readJson(inputPaths.attributes, 'attributes.json')

  const missing = orders.filter((order) => !(order.order_id in attributes))
  // Both branches start from the same extract, so every clean order must have attributes;
  // a gap means the branches saw different data, and a silent inner join would hide it.
  if (missing.length > 0) {
    throw new Error(
      `No attributes for ${missing.length} orders: ${missing.map((o) => o.order_id).join(', ')}`,
    )
  }
  const merged = orders.map((order) => ({
    ...order,
    ...attributes[order.order_id],
    // Round to cents here, once, so totals downstream add up to what a person would compute.
    revenue: Math.round(order.quantity * order.unit_price * 100) / 100,
  }))

  await mkdir(outputPaths.merged_orders, { recursive: true })
  await writeFile(
    join(outputPaths.merged_orders, 'orders.json'),
    `${JSON.stringify(merged, null, 2)}\n`,
  )
  console.log(`Merged ${merged.length} orders`)
  return { orders: merged.length }
}
