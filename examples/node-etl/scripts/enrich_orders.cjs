/**
 * Enrich: look up each order's customer in the reference data (segment, country).
 *
 * This step is a CommonJS module (`module.exports = { main }`), to show that pipetest's node runner loads
 * both module formats; the runner is chosen from the .cjs extension.
 *
 *   input  orders            orders.json from extract (all orders: enrichment does not judge them)
 *          customers         a folder with customers.json, committed reference data
 *   output order_attributes  attributes.json: { order_id: { customer_id, segment, country } }
 *   env    DEFAULT_SEGMENT (default "unknown") for customers missing from the reference
 */
const { mkdir, readFile, writeFile } = require('node:fs/promises')
const { join } = require('node:path')

async function main({ inputPaths, outputPaths, environVars }) {
  const fallback = environVars.DEFAULT_SEGMENT || 'unknown'
  const orders = JSON.parse(await readFile(join(inputPaths.orders, 'orders.json'), 'utf8'))
  const customers = JSON.parse(await readFile(join(inputPaths.customers, 'customers.json'), 'utf8'))
  const byId = new Map(customers.map((customer) => [customer.customer_id, customer]))

  const attributes = {}
  let unknown = 0
  for (const order of orders) {
    const customer = byId.get(order.customer_id)
    if (!customer) unknown += 1
    // New customers appear in orders before the reference data is refreshed; tag them
    // instead of failing, so the report shows them as their own segment.
    attributes[order.order_id] = {
      customer_id: order.customer_id,
      segment: customer ? customer.segment : fallback,
      country: customer ? customer.country : 'unknown',
    }
  }

  await mkdir(outputPaths.order_attributes, { recursive: true })
  await writeFile(
    join(outputPaths.order_attributes, 'attributes.json'),
    `${JSON.stringify(attributes, null, 2)}\n`,
  )
  console.log(`Enriched ${orders.length} orders (${unknown} with an unknown customer)`)
  return { orders: orders.length, unknown }
}

module.exports = { main }
