import { DateTime } from 'luxon'
import type { Statement } from '#platform/sql_batch'
import { addToStatement } from '#platform/sql_upsert'

/*
| The report summaries (database/migrations/0100_create_report_summaries.ts) that a completed
| sale, a void and a refund move, as statements for the writer's own transaction: the sale's batch
| carries them in its round trip. A sale lands on the store's day and hour of its completed_at
| (an offline sale synced later on its own day); a void takes the sale off that same day; a
| refund counts on the day it is made. Products are also kept by month. Rows are always written in one order (sales, tenders,
| cashiers, products by id), so two tills moving the same rows queue instead of deadlocking.
*/

export interface SaleFigures {
  storeId: number
  userId: number
  completedAt: DateTime
  total: number
  taxTotal: number
  discountTotal: number
  lines: { productId: number; quantity: number; total: number; taxTotal: number }[]
  /** The approved payments */
  payments: { method: string; amount: number }[]
}

export interface RefundFigures {
  storeId: number
  createdAt: DateTime
  total: number
  taxTotal: number
  lines: { productId: number; quantity: number; amount: number; taxAmount: number }[]
}

const QUARTER_HOUR_MS = 15 * 60_000
const dayHours = new Map<string, { day: string; hour: number }>()

/**
 * The store's day ('yyyy-MM-dd') and hour (0..23) of a moment, as the reports define days.
 * Every sale asks, and a time zone's conversion is the dearest step of its summaries: the answer
 * is kept per UTC quarter hour, which is exact wherever the zone's offset is a whole number of
 * quarter hours and the same at both ends of that quarter hour (every zone today; a quarter hour
 * with a change of offset in it, or an old local mean time, is worked out each time).
 */
export function storeDayHour(at: DateTime, timeZone: string) {
  const quarter = Math.floor(at.toMillis() / QUARTER_HOUR_MS)
  const key = `${timeZone} ${quarter}`
  const kept = dayHours.get(key)
  if (kept) return kept
  const local = at.startOf('second').setZone(timeZone)
  const answer = { day: local.toISODate()!, hour: local.hour }
  const start = DateTime.fromMillis(quarter * QUARTER_HOUR_MS, { zone: timeZone })
  const end = DateTime.fromMillis((quarter + 1) * QUARTER_HOUR_MS - 1, { zone: timeZone })
  if (start.offset === end.offset && start.offset % 15 === 0) {
    if (dayHours.size >= 10_000) dayHours.clear()
    dayHours.set(key, answer)
  }
  return answer
}

/** What a completed sale adds to the summaries (sign 1), or a void takes off them (sign -1) */
export function saleSummaryStatements(dialect: string, timeZone: string, sale: SaleFigures, sign: 1 | -1): Statement[] {
  const { day, hour } = storeDayHour(sale.completedAt, timeZone)
  const at = { store_id: sale.storeId, day }
  const tenders = new Map<string, { count: number; amount: number }>()
  for (const p of sale.payments) {
    const entry = tenders.get(p.method) ?? { count: 0, amount: 0 }
    entry.count += 1
    entry.amount += p.amount
    tenders.set(p.method, entry)
  }
  const products = new Map<number, { quantity: number; total: number; tax: number }>()
  for (const line of sale.lines) {
    const entry = products.get(line.productId) ?? { quantity: 0, total: 0, tax: 0 }
    entry.quantity += line.quantity
    entry.total += line.total
    entry.tax += line.taxTotal
    products.set(line.productId, entry)
  }
  const statements = [
    addToStatement(dialect, 'summary_sales', ['store_id', 'day', 'hour'], [
      { ...at, hour, sales_count: sign, total: sign * sale.total, tax_total: sign * sale.taxTotal, discount_total: sign * sale.discountTotal },
    ]),
  ]
  if (tenders.size) {
    statements.push(
      addToStatement(dialect, 'summary_tenders', ['store_id', 'day', 'method'], [...tenders].sort(([a], [b]) => (a < b ? -1 : 1)).map(([method, t]) => ({ ...at, method, payment_count: sign * t.count, amount: sign * t.amount })))
    )
  }
  statements.push(addToStatement(dialect, 'summary_cashiers', ['store_id', 'day', 'user_id'], [{ ...at, user_id: sale.userId, sales_count: sign, total: sign * sale.total }]))
  if (products.size) {
    const rows = [...products].sort(([a], [b]) => a - b).map(([productId, p]) => ({ product_id: productId, quantity: sign * p.quantity, total: sign * p.total, tax_total: sign * p.tax }))
    statements.push(...productStatements(dialect, at, rows))
  }
  return statements
}

/** What a refund (with or without a receipt, or an exchange's return) adds on its own day */
export function refundSummaryStatements(dialect: string, timeZone: string, refund: RefundFigures): Statement[] {
  const { day, hour } = storeDayHour(refund.createdAt, timeZone)
  const at = { store_id: refund.storeId, day }
  const products = new Map<number, { quantity: number; amount: number; tax: number }>()
  for (const line of refund.lines) {
    const entry = products.get(line.productId) ?? { quantity: 0, amount: 0, tax: 0 }
    entry.quantity += line.quantity
    entry.amount += line.amount
    entry.tax += line.taxAmount
    products.set(line.productId, entry)
  }
  const statements = [addToStatement(dialect, 'summary_sales', ['store_id', 'day', 'hour'], [{ ...at, hour, refund_count: 1, refund_total: refund.total, refund_tax: refund.taxTotal }])]
  if (products.size) {
    const rows = [...products].sort(([a], [b]) => a - b).map(([productId, p]) => ({ product_id: productId, refunded_quantity: p.quantity, refunded_total: p.amount, refunded_tax: p.tax }))
    statements.push(...productStatements(dialect, at, rows))
  }
  return statements
}

/** The products' rows of the day, and of its month */
function productStatements(dialect: string, at: { store_id: number; day: string }, rows: Record<string, number>[]) {
  return [
    addToStatement(dialect, 'summary_products', ['store_id', 'day', 'product_id'], rows.map((row) => ({ ...at, ...row }))),
    addToStatement(dialect, 'summary_product_months', ['store_id', 'month', 'product_id'], rows.map((row) => ({ store_id: at.store_id, month: at.day.slice(0, 7), ...row }))),
  ]
}
