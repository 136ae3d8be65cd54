import { createHash, randomUUID } from 'node:crypto'
import { cpuPer, type CpuSnapshot } from './_bench_measure.js'
import { MYSQL_SESSION_ZONE } from '#platform/db_time'

/*
| The limit pos:bench compares the app's sales with: the very same rows of the same 5-line cash
| sale with an Idempotency-Key, written by a bare mysql2 client in the same two round trips
| the app takes (app/sales/checkout_service.ts, sale_completion.ts, platform/sql_batch.ts):
|   1. BEGIN; the register locked; the five products; the stock update (refused when short)
|   2. the sale, its payment, stock movements, the register's chain head, the audit entry, the
|      lines (the sale's id from LAST_INSERT_ID()), the Idempotency-Key naming the sale, COMMIT
|      (no report summary: a sale made today writes none, app/sales/summary_days.ts)
| No HTTP, no framework, no models: what is left is MariaDB's work and the client's socket
| round trips, so the app's rate as a share of this one is what the app itself costs.
| The limit sells on registers of its own (the bench's tills' hash chains stay whole).
*/

export interface LimitTarget {
  connection: { host?: string; port?: number; user?: string; password?: string; database?: string; socketPath?: string }
  storeId: number
  userId: number
  registers: number[]
  products: { id: number; name: string; sku: string; price: number; taxClass: string }[]
  taxRates: Map<string, number>
}

const now = () => new Date().toISOString().slice(0, 19).replace('T', ' ')
const pickFrom = <T>(list: T[]) => list[Math.floor(Math.random() * list.length)]

/**
 * Sales per second over `sales` sales by `concurrency` connections, each on its own register,
 * and the CPU per sale of the database and of this client (`snapshot`: pos:bench's, taken
 * around the measured sales only)
 */
export async function limitSalesPerSecond(target: LimitTarget, sales: number, concurrency: number, snapshot: () => CpuSnapshot) {
  const mysql = await import('mysql2/promise')
  const connections = await Promise.all(
    Array.from({ length: concurrency }, async () => {
      const connection = await mysql.createConnection({ ...target.connection, multipleStatements: true, supportBigNumbers: true, timezone: 'Z' })
      // As the app's pool does at connect (config/database.ts)
      await connection.query(`SET SESSION ${MYSQL_SESSION_ZONE}`)
      return connection
    })
  )
  try {
    // Warm up (the connections, MariaDB's caches), then measure
    await Promise.all(connections.map(async (c, i) => { for (let n = 0; n < 20; n++) await sellOnce(c, target, target.registers[i]) }))
    const perClient = Math.ceil(sales / concurrency)
    const cpuBefore = snapshot()
    const started = performance.now()
    await Promise.all(connections.map(async (c, i) => { for (let n = 0; n < perClient; n++) await sellOnce(c, target, target.registers[i]) }))
    const seconds = (performance.now() - started) / 1000
    const cpu = cpuPer(cpuBefore, snapshot(), perClient * concurrency)
    return { perSecond: (perClient * concurrency) / seconds, seconds, sales: perClient * concurrency, cpu }
  } finally {
    await Promise.all(connections.map((c) => c.end().catch(() => {})))
  }
}

async function sellOnce(connection: any, target: LimitTarget, registerId: number) {
  const chosen = new Set<(typeof target.products)[number]>()
  while (chosen.size < 5) chosen.add(pickFrom(target.products))
  const lines = [...chosen].sort((a, b) => a.id - b.id)
  const ids = lines.map((p) => p.id)
  const marks = ids.map(() => '?').join(', ')
  const quantityOf = `CASE id ${ids.map(() => 'WHEN ? THEN ?').join(' ')} END`
  const quantities = ids.flatMap((id) => [id, 1])
  try {
    // 1. BEGIN, the register under its lock, the products, the stock update
    const [first] = await connection.query(
      `BEGIN;\nSELECT id, last_sale_number, last_sale_hash, open_shift_id FROM registers WHERE store_id = ? AND id = ? ORDER BY id LIMIT 1 FOR UPDATE;\n` +
        `SELECT id, store_id, name, sku, price, tax_class, active, archived_at FROM products WHERE id IN (${marks});\n` +
        `UPDATE products SET stock = stock - ${quantityOf} WHERE id IN (${marks}) AND stock >= ${quantityOf}`,
      [target.storeId, registerId, ...ids, ...quantities, ...ids, ...quantities]
    )
    const register = first[1][0]
    if (first[3].affectedRows !== ids.length) throw new Error('the limit bench ran out of stock')

    // The amounts, the number and the chain link, as the app works them out
    const at = now()
    const items = lines.map((p, index) => {
      const rate = target.taxRates.get(p.taxClass) ?? 0
      const tax = Math.round((p.price * rate) / 1_000_000)
      return { product: p, position: index + 1, tax, rate, total: p.price + tax }
    })
    const subtotal = items.reduce((s, i) => s + i.product.price, 0)
    const taxTotal = items.reduce((s, i) => s + i.tax, 0)
    const total = subtotal + taxTotal
    const tendered = 10_000_000
    const number = Number(register.last_sale_number) + 1
    const hash = createHash('sha256')
      .update(JSON.stringify([register.last_sale_hash ?? '', target.storeId, registerId, number, at, subtotal, 0, taxTotal, total, items.map((i) => [i.product.id, 1, i.product.price, i.total]), [['cash', total]]]))
      .digest('hex')

    // 2. The sale, its payment, movements, the register's head, the audit entry, the lines, the
    // Idempotency-Key naming the sale, COMMIT (a sale made today writes no report summary)
    const requestHash = createHash('sha256').update(`POST /api/sales ${JSON.stringify({ items: ids.map((id) => ({ product_id: id, quantity: 1 })) })}`).digest('hex')
    await connection.query(
      'INSERT INTO `sales` (`store_id`, `register_id`, `user_id`, `customer_id`, `status`, `channel`, `cart_discount_value`, `paid_total`, `change_due`, `subtotal`, `discount_total`, `tax_total`, `total`, `rounding_total`, `number`, `completed_at`, `shift_id`, `previous_hash`, `hash`, `created_at`, `updated_at`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?);\n' +
        'SET @inserted_0 = LAST_INSERT_ID();\n' +
        'INSERT INTO `payments` (`store_id`, `user_id`, `method`, `amount`, `tendered`, `change`, `reference`, `status`, `created_at`, `updated_at`, `sale_id`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, @inserted_0);\n' +
        `INSERT INTO \`stock_movements\` (\`store_id\`, \`product_id\`, \`quantity\`, \`reason\`, \`sale_id\`, \`user_id\`, \`created_at\`) VALUES ${ids.map(() => '(?, ?, ?, ?, @inserted_0, ?, ?)').join(', ')};\n` +
        'UPDATE registers SET last_sale_number = ?, last_sale_hash = ? WHERE id = ?;\n' +
        'INSERT INTO `audit_logs` (`action`, `store_id`, `user_id`, `subject_type`, `subject_id`, `data`, `ip`, `created_at`) VALUES (?, ?, ?, ?, @inserted_0, ?, ?, ?);\n' +
        `INSERT INTO \`sale_items\` (\`sale_id\`, \`product_id\`, \`name\`, \`sku\`, \`quantity\`, \`list_price\`, \`unit_price\`, \`price_override_by\`, \`discount_type\`, \`discount_value\`, \`line_discount\`, \`cart_discount_share\`, \`tax_class\`, \`tax_rate_ppm\`, \`tax_total\`, \`taxes\`, \`subtotal\`, \`total\`, \`position\`, \`created_at\`, \`updated_at\`) VALUES ${items.map(() => '(@inserted_0, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)').join(', ')};\n` +
        'INSERT INTO `idempotency_keys` (`user_id`, `key`, `method`, `path`, `request_hash`, `status_code`, `response_body`, `claim_token`, `created_at`, `response_ref`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, @inserted_0);\n' +
        'COMMIT',
      [
        target.storeId, registerId, target.userId, null, 'completed', 'api', 0, total, tendered - total, subtotal, 0, taxTotal, total, 0, number, at, register.open_shift_id ?? null, register.last_sale_hash ?? null, hash, at, at,
        target.storeId, target.userId, 'cash', total, tendered, tendered - total, null, 'approved', at, at,
        ...items.flatMap((i) => [target.storeId, i.product.id, -1, 'sale', target.userId, at]),
        number, hash, registerId,
        'sale_completed', target.storeId, target.userId, 'sale', JSON.stringify({ number, total, payment: 'cash' }), '127.0.0.1', at,
        ...items.flatMap((i) => [i.product.id, i.product.name, i.product.sku, 1, i.product.price, i.product.price, null, null, 0, 0, 0, i.product.taxClass, i.rate, i.tax, JSON.stringify([{ code: i.product.taxClass, name: 'Sales tax', ratePpm: i.rate, amount: i.tax }]), i.product.price, i.total, i.position, at, at]),
        target.userId, randomUUID(), 'POST', '/api/sales', requestHash, 201, null, null, at,
      ]
    )
  } catch (error) {
    await connection.query('ROLLBACK').catch(() => {})
    throw error
  }
}

/** The limit's registers (made once, 'Bench limit register N'), the products, the tax rates and where MariaDB is */
export async function prepareLimit(db: any, storeId: number, userId: number, concurrency: number): Promise<LimitTarget> {
  const { default: Register } = await import('#models/register')
  const registers = await Register.query().where('store_id', storeId).where('name', 'like', 'Bench limit register %').orderBy('id')
  for (let i = registers.length; i < concurrency; i++) registers.push(await Register.create({ storeId, name: `Bench limit register ${i + 1}`, lastSaleNumber: 0 }))
  const products = (await db.from('products').where('store_id', storeId).select('id', 'name', 'sku', 'price', 'tax_class')).map((p: any) => ({
    id: Number(p.id),
    name: p.name,
    sku: p.sku,
    price: Number(p.price),
    taxClass: p.tax_class,
  }))
  const rates = await db.from('tax_rates').where('store_id', storeId).select('tax_class', 'rate_ppm')
  const config = db.manager.get(db.primaryConnectionName)?.config?.connection ?? {}
  return {
    connection: { host: config.host, port: config.port, user: config.user, password: config.password, database: config.database, socketPath: config.socketPath },
    storeId,
    userId,
    registers: registers.slice(0, concurrency).map((r) => r.id),
    products,
    taxRates: new Map(rates.map((r: any) => [r.tax_class, Number(r.rate_ppm)])),
  }
}
