import db from '@adonisjs/lucid/services/db'
import type Store from '#models/store'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import { inTransaction } from '#platform/db_transaction'
import { mulDivRoundHalfUp } from '#core/money'
import { dbTimestamp } from '#platform/db_time'
import { storeDays } from '#accounting/books_service'

/*
| Seeds completed sales fast, for the exports benchmark and the streaming test: multi-row
| inserts of sales, lines and payments whose amounts follow the pricing rules (discount, then
| tax per line, half-up), spread over the store's opening hours of each day. It bypasses the
| checkout (no stock movements, no hash chain): it is test and bench data, never a store's.
*/

const SALES_PER_INSERT = 500
const ITEMS_PER_INSERT = 1000
const SALES_PER_TRANSACTION = 5000

export interface SeedProduct {
  id: number
  name: string
  sku: string
  price: number
  taxClass: string
}

export interface SeedResult {
  sales: number
  lines: number
  total: number
  tax: number
}

export async function seedBusyStore(
  store: Store,
  options: { from: string; to: string; lines: number; products: SeedProduct[]; registerId?: number; userId?: number; onProgress?: (lines: number) => void }
): Promise<SeedResult> {
  const days = storeDays(store.timeZone, options.from, options.to)
  const rateRows = await db.from('tax_rates').where('store_id', store.id).select('tax_class', 'name', 'rate_ppm')
  const names = new Map<string, string>(rateRows.map((r) => [r.tax_class, r.name]))
  const rates = new Map<string, number>(
    rateRows.map((r) => [r.tax_class, Number(r.rate_ppm)])
  )
  const register = options.registerId
    ? await db.from('registers').where('id', options.registerId).first()
    : await db.from('registers').where('store_id', store.id).orderBy('id').first()
  const userId = options.userId ?? (await db.from('users').where('store_id', store.id).orderBy('id').first()).id
  let number = Number(register.last_sale_number)
  let saleId = Number((await db.from('sales').max('id as id').first())?.id ?? 0)
  const products = options.products
  const linesPerDay = Math.ceil(options.lines / days.length)
  const result: SeedResult = { sales: 0, lines: 0, total: 0, tax: 0 }

  let sales: Record<string, unknown>[] = []
  let items: Record<string, unknown>[] = []
  let payments: Record<string, unknown>[] = []
  const flush = async () => {
    await inTransaction(async (trx) => {
      for (let i = 0; i < sales.length; i += SALES_PER_INSERT) await insertRows(trx, 'sales', sales.slice(i, i + SALES_PER_INSERT))
      for (let i = 0; i < items.length; i += ITEMS_PER_INSERT) await insertRows(trx, 'sale_items', items.slice(i, i + ITEMS_PER_INSERT))
      for (let i = 0; i < payments.length; i += SALES_PER_INSERT) await insertRows(trx, 'payments', payments.slice(i, i + SALES_PER_INSERT))
      await trx.from('registers').where('id', register.id).update({ last_sale_number: number })
    })
    sales = []
    items = []
    payments = []
    options.onProgress?.(result.lines)
  }

  let seed = 7
  const random = (n: number) => {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648
    return seed % n
  }

  for (const day of days) {
    const opens = Date.parse(`${day.starts.replace(' ', 'T')}Z`) + 8 * 3600_000
    let left = Math.min(linesPerDay, options.lines - result.lines)
    const salesToday = Math.max(1, Math.ceil(left / 4))
    const step = Math.floor((12 * 3600_000) / salesToday)
    let k = 0
    while (left > 0) {
      const lineCount = Math.min(left, 1 + random(7))
      left -= lineCount
      saleId++
      number++
      const at = dbTimestamp(new Date(opens + k++ * step))
      let subtotal = 0
      let discountTotal = 0
      let taxTotal = 0
      let total = 0
      for (let position = 1; position <= lineCount; position++) {
        const product = products[random(products.length)]
        const quantity = 1 + random(3)
        const lineSubtotal = quantity * product.price
        const discount = random(5) === 0 ? mulDivRoundHalfUp(lineSubtotal, 1000, 10_000) : 0
        const net = lineSubtotal - discount
        const ratePpm = rates.get(product.taxClass) ?? 0
        const tax = store.pricesIncludeTax ? net - mulDivRoundHalfUp(net, 1_000_000, 1_000_000 + ratePpm) : mulDivRoundHalfUp(net, ratePpm, 1_000_000)
        const lineTotal = store.pricesIncludeTax ? net : net + tax
        subtotal += lineSubtotal
        discountTotal += discount
        taxTotal += tax
        total += lineTotal
        items.push({
          sale_id: saleId, product_id: product.id, name: product.name, sku: product.sku, quantity, list_price: product.price,
          unit_price: product.price, discount_type: discount ? 'percent' : null, discount_value: discount ? 1000 : 0, line_discount: discount,
          cart_discount_share: 0, tax_class: product.taxClass, tax_rate_ppm: ratePpm, tax_total: tax, subtotal: lineSubtotal,
          total: lineTotal, position, created_at: at, updated_at: at,
          // Its tax as the checkout keeps it (flat_rate.ts), so the exports read what a store's lines hold
          taxes: JSON.stringify([{ code: product.taxClass, name: names.get(product.taxClass) ?? product.taxClass, ratePpm, amount: tax }]),
        })
      }
      const method = random(3) === 0 ? 'cash' : 'card_external'
      sales.push({
        id: saleId, store_id: store.id, register_id: register.id, user_id: userId, status: 'completed', channel: 'api', number,
        subtotal, discount_total: discountTotal, tax_total: taxTotal, total, paid_total: total, change_due: 0, rounding_total: 0,
        cart_discount_value: 0, completed_at: at, created_at: at, updated_at: at,
      })
      payments.push({
        sale_id: saleId, store_id: store.id, user_id: userId, method, amount: total, tendered: method === 'cash' ? total : null,
        change: 0, status: 'approved', created_at: at, updated_at: at,
      })
      result.sales++
      result.lines += lineCount
      result.total += total
      result.tax += taxTotal
      if (sales.length >= SALES_PER_TRANSACTION) await flush()
    }
  }
  if (sales.length) await flush()
  return result
}

/**
 * One INSERT ... VALUES (...), (...) of many rows. Knex writes SQLite multi-row inserts as a
 * compound SELECT, which SQLite caps at 500 terms; a VALUES list has no such cap.
 */
async function insertRows(trx: TransactionClientContract, table: string, rows: Record<string, unknown>[]) {
  if (!rows.length) return
  const columns = Object.keys(rows[0])
  const tuple = `(${columns.map(() => '?').join(', ')})`
  // backticks quote names on MySQL and SQLite alike (payments.change is a reserved word)
  const sql = `insert into \`${table}\` (${columns.map((c) => `\`${c}\``).join(', ')}) values ${rows.map(() => tuple).join(', ')}`
  await trx.rawQuery(sql, rows.flatMap((row) => columns.map((c) => row[c] ?? null)) as any[])
}
