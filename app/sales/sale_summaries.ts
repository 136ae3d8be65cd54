import { DateTime } from 'luxon'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import type { Statement } from '#platform/sql_batch'
import { addToStatement } from '#platform/sql_upsert'
import { lockRolledUpMonths } from '#sales/product_months'
import { lockRolledUpDays } from '#sales/summary_days'

/*
| The report summaries (database/migrations/0100_create_report_summaries.ts) that a completed
| sale, a void and a refund move, as statements for the writer's own transaction. Summaries are
| kept for days that are over and rolled up (summary_days.ts): a write into today, as every sale
| made now, moves none, and costs nothing here. A write into a rolled-up day (an offline sale synced
| late) adds to that day's rows in its own transaction. A sale lands on the store's day and hour of
| its completed_at; a void (of a sale of today only) takes the sale off that same day; a refund counts
| on the day it is made. Products are also kept by month, for months that are over
| (product_months.ts). Rows are always written in one order (sales, tenders, cashiers, products by
| id), so two writers moving the same rows queue instead of deadlocking.
*/

export interface SaleFigures {
  storeId: number
  registerId: number
  userId: number
  completedAt: DateTime
  total: number
  taxTotal: number
  discountTotal: number
  /** The cash rounding taken (what the tenders took beyond the total: + or -) */
  rounding: number
  lines: { productId: number; quantity: number; total: number; taxTotal: number }[]
  /** The approved payments */
  payments: { method: string; amount: number }[]
}

export interface RefundFigures {
  storeId: number
  /** The register whose drawer paid it back */
  registerId: number
  createdAt: DateTime
  total: number
  taxTotal: number
  lines: { productId: number; quantity: number; amount: number; taxAmount: number }[]
}

/*
| The rows of a store's day and hour, and of its tenders, are kept per register: the report by
| register reads them, and a register's rows are moved only by its own sales (which its row lock
| already puts in line), where one row per store was moved by every till of the store and stayed
| locked until each sale's COMMIT. (On one MariaDB server with 8 tills that wait did not show in
| pos:bench's sales per second; it is gone all the same.)
*/
const SALES_KEY = ['store_id', 'day', 'hour', 'register_id']
const TENDERS_KEY = ['store_id', 'day', 'method', 'register_id']

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

/**
 * What completed sales add to the summaries (sign 1), or voids take off them (sign -1): nothing
 * unless their day is rolled up. Several sales (an offline till's batch, all of one store) are
 * added up per row first: one row per key, one statement per table.
 */
export async function saleSummaryStatements(trx: TransactionClientContract, timeZone: string, sales: SaleFigures | SaleFigures[], sign: 1 | -1): Promise<Statement[]> {
  const placed = (Array.isArray(sales) ? sales : [sales]).map((sale) => ({ sale, ...storeDayHour(sale.completedAt, timeZone) }))
  if (!placed.length) return []
  const rolledUp = await lockRolledUpDays(trx, placed[0].sale.storeId, timeZone, placed.map((p) => p.day))
  if (!rolledUp.size) return []
  const dialect = trx.dialect.name
  const hours = new Map<string, Record<string, any>>()
  const tenders = new Map<string, Record<string, any>>()
  const cashiers = new Map<string, Record<string, any>>()
  const products = new Map<string, Record<string, any>>()
  const add = (rows: Map<string, Record<string, any>>, key: string, fixed: Record<string, unknown>, counters: Record<string, number>) => {
    const row = rows.get(key) ?? { ...fixed, ...Object.fromEntries(Object.keys(counters).map((c) => [c, 0])) }
    for (const [column, value] of Object.entries(counters)) row[column] += sign * value
    rows.set(key, row)
  }
  for (const { sale, day, hour } of placed) {
    if (!rolledUp.has(day)) continue
    const at = { store_id: sale.storeId, day }
    const registerId = sale.registerId
    add(hours, `${sale.storeId} ${day} ${hour} ${registerId}`, { ...at, hour, register_id: registerId }, { sales_count: 1, total: sale.total, tax_total: sale.taxTotal, discount_total: sale.discountTotal, rounding_total: sale.rounding })
    for (const p of sale.payments) add(tenders, `${sale.storeId} ${day} ${p.method} ${registerId}`, { ...at, method: p.method, register_id: registerId }, { payment_count: 1, amount: p.amount })
    add(cashiers, `${sale.storeId} ${day} ${sale.userId}`, { ...at, user_id: sale.userId }, { sales_count: 1, total: sale.total, rounding_total: sale.rounding })
    for (const line of sale.lines) add(products, `${sale.storeId} ${day} ${line.productId}`, { ...at, product_id: line.productId }, { quantity: line.quantity, total: line.total, tax_total: line.taxTotal })
  }
  // In one order on every writer (day, then hour, method, cashier or product id, then register): tills queue, never deadlock
  const sorted = (rows: Map<string, Record<string, any>>, by: string) =>
    [...rows.values()].sort((a, b) => (a.day !== b.day ? (a.day < b.day ? -1 : 1) : a[by] !== b[by] ? (a[by] < b[by] ? -1 : 1) : (a.register_id ?? 0) - (b.register_id ?? 0)))
  const statements = [addToStatement(dialect, 'summary_sales', SALES_KEY, sorted(hours, 'hour'))]
  if (tenders.size) statements.push(addToStatement(dialect, 'summary_tenders', TENDERS_KEY, sorted(tenders, 'method')))
  statements.push(addToStatement(dialect, 'summary_cashiers', ['store_id', 'day', 'user_id'], sorted(cashiers, 'user_id')))
  if (products.size) statements.push(...(await productStatements(trx, timeZone, sorted(products, 'product_id'))))
  return statements
}

/** What a refund (with or without a receipt, or an exchange's return) adds on its own day */
export async function refundSummaryStatements(trx: TransactionClientContract, timeZone: string, refund: RefundFigures): Promise<Statement[]> {
  const { day, hour } = storeDayHour(refund.createdAt, timeZone)
  if (!(await lockRolledUpDays(trx, refund.storeId, timeZone, [day])).size) return []
  const dialect = trx.dialect.name
  const at = { store_id: refund.storeId, day }
  const products = new Map<number, { quantity: number; amount: number; tax: number }>()
  for (const line of refund.lines) {
    const entry = products.get(line.productId) ?? { quantity: 0, amount: 0, tax: 0 }
    entry.quantity += line.quantity
    entry.amount += line.amount
    entry.tax += line.taxAmount
    products.set(line.productId, entry)
  }
  const statements = [addToStatement(dialect, 'summary_sales', SALES_KEY, [{ ...at, hour, register_id: refund.registerId, refund_count: 1, refund_total: refund.total, refund_tax: refund.taxTotal }])]
  if (products.size) {
    const rows = [...products].sort(([a], [b]) => a - b).map(([productId, p]) => ({ ...at, product_id: productId, refunded_quantity: p.quantity, refunded_total: p.amount, refunded_tax: p.tax }))
    statements.push(...(await productStatements(trx, timeZone, rows)))
  }
  return statements
}

/**
 * The products' rows of their day, and of its month where that month is rolled up already (rows of
 * one store, of one day or sorted by day: months keep that order)
 */
async function productStatements(trx: TransactionClientContract, timeZone: string, rows: Record<string, any>[]) {
  const dialect = trx.dialect.name
  const statements = [addToStatement(dialect, 'summary_products', ['store_id', 'day', 'product_id'], rows)]
  const rolledUp = await lockRolledUpMonths(trx, rows[0].store_id, timeZone, rows.map((row) => row.day.slice(0, 7)))
  if (!rolledUp.size) return statements
  const months = new Map<string, Record<string, any>>()
  for (const { day, ...row } of rows) {
    if (!rolledUp.has(day.slice(0, 7))) continue
    const key = `${day.slice(0, 7)} ${row.product_id}`
    const month = months.get(key)
    if (!month) months.set(key, { store_id: row.store_id, month: day.slice(0, 7), ...Object.fromEntries(Object.entries(row).filter(([c]) => c !== 'store_id')) })
    else for (const [column, value] of Object.entries(row)) if (column !== 'store_id' && column !== 'product_id') month[column] += value
  }
  const monthRows = [...months.values()].sort((a, b) => (a.month !== b.month ? (a.month < b.month ? -1 : 1) : a.product_id - b.product_id))
  return [...statements, addToStatement(dialect, 'summary_product_months', ['store_id', 'month', 'product_id'], monthRows)]
}
