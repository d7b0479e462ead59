/**
 * Clean: keep the orders that downstream steps can trust, and say why the others were dropped.
 *
 *   input  records       orders.json from extract
 *   output clean_orders  orders.json (valid orders) and rejected.json (each with its reason)
 *   env    MIN_QUANTITY (default 1)
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'

function rejectionReason(order, minQuantity) {
  if (!order.customer_id) return 'missing customer_id'
  if (typeof order.quantity !== 'number' || order.quantity < minQuantity) {
    return `quantity ${JSON.stringify(order.quantity)} is below ${minQuantity}`
  }
  if (typeof order.unit_price !== 'number' || order.unit_price <= 0) {
    return `unit_price ${JSON.stringify(order.unit_price)} is not a positive number`
  }
  return undefined
}

export async function main({ inputPaths, outputPaths, environVars }) {
  const minQuantity = Number(environVars.MIN_QUANTITY ?? '1')
  const orders = JSON.parse(await readFile(join(inputPaths.records, 'orders.json'), 'utf8'))
  const clean = []
  const rejected = []
  for (const order of orders) {
    const reason = rejectionReason(order, minQuantity)
    if (reason) rejected.push({ order_id: order.order_id, reason })
    else clean.push(order)
  }
  // An empty result is almost always a broken upstream or a wrong setting, not a quiet day;
  // failing here points at the cause instead of producing an empty report three steps later.
  if (clean.length === 0) throw new Error(`All ${orders.length} orders were rejected`)

  await mkdir(outputPaths.clean_orders, { recursive: true })
  await writeFile(
    join(outputPaths.clean_orders, 'orders.json'),
    `${JSON.stringify(clean, null, 2)}\n`,
  )
  await writeFile(
    join(outputPaths.clean_orders, 'rejected.json'),
    `${JSON.stringify(rejected, null, 2)}\n`,
  )
  console.log(`Kept ${clean.length} orders, rejected ${rejected.length}`)
  return { kept: clean.length, rejected: rejected.length }
}
