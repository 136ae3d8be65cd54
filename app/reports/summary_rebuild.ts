import { DateTime } from 'luxon'
import db from '@adonisjs/lucid/services/db'
import type { QueryClientContract } from '@adonisjs/lucid/types/database'
import type Store from '#models/store'
import { dbTimestamp, readTimestamp } from '#platform/db_time'
import { insertStatement, runStatements } from '#platform/sql_batch'
import { inTransaction } from '#platform/db_transaction'
import { eachMonth, PRODUCT_COUNTERS, rollUpMonth, unrollMonth, rolledUpMonths } from '#reports/month_rollup'
import { monthIsOver } from '#sales/product_months'
import { lockDaysMarker, summariesThrough } from '#sales/summary_days'

/*
| The report summaries worked out from the sale lines, payments and refunds of each store day:
| a day's roll-up writes them (day_rollup.ts), `node ace pos:summaries --rebuild` writes them again
| and `--check` compares them with what is stored. Only days rolled up have summaries (up to the
| store marker's day, app/sales/summary_days.ts); the reports read the other days' lines. A day at
| a time: its UTC range in the store's time zone, and the hours from UTC quarter-hour buckets
| (every time zone's offset is a whole number of quarter hours).
*/

type Row = Record<string, number | string>
interface SummaryTable {
  name: string
  keys: string[]
  counters: string[]
}

export const SUMMARY_TABLES: SummaryTable[] = [
  { name: 'summary_sales', keys: ['hour', 'register_id'], counters: ['sales_count', 'total', 'tax_total', 'discount_total', 'rounding_total', 'refund_count', 'refund_total', 'refund_tax'] },
  { name: 'summary_tenders', keys: ['method', 'register_id'], counters: ['payment_count', 'amount'] },
  { name: 'summary_cashiers', keys: ['user_id'], counters: ['sales_count', 'total', 'rounding_total'] },
  { name: 'summary_products', keys: ['product_id'], counters: PRODUCT_COUNTERS },
]

const n = (value: unknown) => Number(value ?? 0)

/** The UTC hour and quarter of a timestamp column, as text "yyyy-MM-dd HH" and 0..3 */
export function quarterColumns(client: QueryClientContract, column: string) {
  return client.dialect.name === 'mysql'
    ? { hour: `DATE_FORMAT(${column}, '%Y-%m-%d %H')`, quarter: `FLOOR(MINUTE(${column}) / 15)` }
    : { hour: `substr(${column}, 1, 13)`, quarter: `CAST(substr(${column}, 15, 2) AS INTEGER) / 15` }
}

/** The store's local hour of a UTC quarter-hour bucket */
export function bucketHour(hour: string, quarter: number, zone: string) {
  return DateTime.fromFormat(hour, 'yyyy-MM-dd HH', { zone: 'utc' }).plus({ minutes: quarter * 15 }).setZone(zone).hour
}

/** The store day ('yyyy-MM-dd') of a UTC quarter-hour bucket */
export function bucketDay(hour: string, quarter: number, zone: string) {
  return DateTime.fromFormat(hour, 'yyyy-MM-dd HH', { zone: 'utc' }).plus({ minutes: quarter * 15 }).setZone(zone).toISODate()!
}

export interface Difference {
  table: string
  day: string
  key: string
  stored: Row | null
  lines: Row | null
}

export default class SummaryRebuild {
  /** The first and last store day with anything to summarise or summarised */
  async span(store: Store, client: QueryClientContract = db.connection()): Promise<{ from: string; to: string } | null> {
    const zone = store.timeZone
    const sale = await client.from('sales').where({ store_id: store.id, status: 'completed' }).min('completed_at as first').max('completed_at as last').first()
    const refund = await client.from('refunds').where('store_id', store.id).min('created_at as first').max('created_at as last').first()
    const days: string[] = []
    for (const at of [sale?.first, sale?.last, refund?.first, refund?.last]) {
      if (at) days.push(DateTime.fromJSDate(readTimestamp(at)).setZone(zone).toISODate()!)
    }
    for (const table of SUMMARY_TABLES) {
      const row = await client.from(table.name).where('store_id', store.id).min('day as first').max('day as last').first()
      if (row?.first) days.push(String(row.first), String(row.last))
    }
    if (!days.length) return null
    days.sort()
    return { from: days[0], to: days.at(-1)! }
  }

  /** Each table's rows for one store day, summed from the lines (no row where all is zero) */
  async fromLines(store: Store, day: string, client: QueryClientContract = db.connection()): Promise<Map<string, Row[]>> {
    const start = dbTimestamp(DateTime.fromISO(day, { zone: store.timeZone }).startOf('day').toUTC())
    const end = dbTimestamp(DateTime.fromISO(day, { zone: store.timeZone }).endOf('day').toUTC())
    const sold = (query: any) => query.where({ 'sales.store_id': store.id, 'sales.status': 'completed' }).whereBetween('sales.completed_at', [start, end])
    const saleQ = quarterColumns(client, 'completed_at')
    const refundQ = quarterColumns(client, 'created_at')
    const [hours, refunds, tenders, cashiers, products, returned] = await Promise.all([
      sold(client.from('sales'))
        .select(client.raw(`${saleQ.hour} as h`), client.raw(`${saleQ.quarter} as q`), 'register_id')
        .count('* as sales_count')
        .sum({ total: 'total', tax_total: 'tax_total', discount_total: 'discount_total', rounding_total: 'rounding_total' })
        .groupByRaw(`${saleQ.hour}, ${saleQ.quarter}, register_id`),
      client
        .from('refunds')
        .where('store_id', store.id)
        .whereBetween('created_at', [start, end])
        .select(client.raw(`${refundQ.hour} as h`), client.raw(`${refundQ.quarter} as q`), 'register_id')
        .count('* as refund_count')
        .sum({ refund_total: 'total', refund_tax: 'tax_total' })
        .groupByRaw(`${refundQ.hour}, ${refundQ.quarter}, register_id`),
      sold(client.from('payments').join('sales', 'sales.id', 'payments.sale_id'))
        .where('payments.status', 'approved')
        .groupBy('payments.method', 'sales.register_id')
        .select('payments.method', 'sales.register_id')
        .count('* as payment_count')
        .sum('payments.amount as amount'),
      sold(client.from('sales')).groupBy('user_id').select('user_id').count('* as sales_count').sum({ total: 'total', rounding_total: 'rounding_total' }),
      sold(client.from('sale_items').join('sales', 'sales.id', 'sale_items.sale_id'))
        .groupBy('sale_items.product_id')
        .select('sale_items.product_id')
        .sum({ quantity: 'sale_items.quantity', total: 'sale_items.total', tax_total: 'sale_items.tax_total' }),
      client
        .from('refund_items')
        .join('refunds', 'refunds.id', 'refund_items.refund_id')
        .where('refunds.store_id', store.id)
        .whereBetween('refunds.created_at', [start, end])
        .groupBy('refund_items.product_id')
        .select('refund_items.product_id')
        .sum({ refunded_quantity: 'refund_items.quantity', refunded_total: 'refund_items.amount', refunded_tax: 'refund_items.tax_amount' }),
    ])
    const byHour = new Map<string, Row>()
    const into = (map: Map<any, Row>, key: unknown, keys: Row, values: Row) => {
      const row = map.get(key) ?? { ...keys }
      for (const [column, value] of Object.entries(values)) row[column] = n(row[column]) + n(value)
      map.set(key, row)
    }
    const hourOf = (r: any) => ({ hour: bucketHour(String(r.h), n(r.q), store.timeZone), register_id: n(r.register_id) })
    for (const r of hours as any[]) into(byHour, keyOf(hourOf(r)), hourOf(r), { sales_count: r.sales_count, total: r.total, tax_total: r.tax_total, discount_total: r.discount_total, rounding_total: r.rounding_total })
    for (const r of refunds as any[]) into(byHour, keyOf(hourOf(r)), hourOf(r), { refund_count: r.refund_count, refund_total: r.refund_total, refund_tax: r.refund_tax })
    const byProduct = new Map<number, Row>()
    for (const r of products as any[]) into(byProduct, n(r.product_id), { product_id: n(r.product_id) }, { quantity: r.quantity, total: r.total, tax_total: r.tax_total })
    for (const r of returned as any[]) into(byProduct, n(r.product_id), { product_id: n(r.product_id) }, { refunded_quantity: r.refunded_quantity, refunded_total: r.refunded_total, refunded_tax: r.refunded_tax })
    const rows = new Map<string, Row[]>([
      ['summary_sales', [...byHour.values()]],
      ['summary_tenders', (tenders as any[]).map((r) => ({ method: String(r.method), register_id: n(r.register_id), payment_count: n(r.payment_count), amount: n(r.amount) }))],
      ['summary_cashiers', (cashiers as any[]).map((r) => ({ user_id: n(r.user_id), sales_count: n(r.sales_count), total: n(r.total), rounding_total: n(r.rounding_total) }))],
      ['summary_products', [...byProduct.values()]],
    ])
    for (const table of SUMMARY_TABLES) rows.set(table.name, rows.get(table.name)!.map((row) => complete(table, row)).filter((row) => !isZero(table, row)))
    return rows
  }

  /** Each table's stored rows for one store day (rows all zero, left by a void, are left out) */
  async stored(store: Store, day: string, client: QueryClientContract = db.connection()): Promise<Map<string, Row[]>> {
    const rows = new Map<string, Row[]>()
    for (const table of SUMMARY_TABLES) {
      const read = await client.from(table.name).where({ store_id: store.id, day }).select(...table.keys, ...table.counters)
      rows.set(table.name, read.map((r: any) => complete(table, r)).filter((row) => !isZero(table, row)))
    }
    return rows
  }

  /**
   * Writes the day's summaries from its lines, in the caller's transaction (which holds the store's
   * marker). `omit`: columns a migration's schema has not yet, or no longer (an older migration
   * run with today's code: 0111's down, before 0149 added the rounding)
   */
  async writeDay(trx: QueryClientContract, store: Store, day: string, omit: string[] = []) {
    const expected = await this.fromLines(store, day, trx)
    for (const table of SUMMARY_TABLES) {
      await trx.from(table.name).where({ store_id: store.id, day }).delete()
      const rows = withoutColumns(expected.get(table.name)!, omit)
      for (let i = 0; i < rows.length; i += 500) {
        await runStatements(trx, [insertStatement(table.name, rows.slice(i, i + 500).map((row) => ({ store_id: store.id, day, ...row })))])
      }
    }
  }

  /**
   * Writes the days' summaries again from the lines, a transaction per day under the store's
   * marker (a late write into the day waits); a day not rolled up yet is left without rows, as the
   * reports read its lines. Returns the days done.
   */
  async rebuild(store: Store, from: string, to: string, progress?: (day: string) => void) {
    let days = 0
    for (const day of eachDay(from, to)) {
      await inTransaction(async (trx) => {
        const through = await lockDaysMarker(trx, store.id, 0)
        if (through !== null && day <= through) await this.writeDay(trx, store, day)
        else for (const table of SUMMARY_TABLES) await trx.from(table.name).where({ store_id: store.id, day }).delete()
      })
      days++
      progress?.(day)
    }
    // The products' months that are over (and whose days all are), summed from their days again; the others read their days
    const through = await summariesThrough(store.id)
    for (const month of eachMonth(from, to)) {
      if (monthIsOver(month, store.timeZone) && through !== null && lastDayOf(month) <= through) await rollUpMonth(store.id, month, { again: true })
      else await unrollMonth(store.id, month)
    }
    return days
  }

  /** Each month's product rows that differ from the sum of its days' rows (a month not rolled up has none) */
  async checkMonths(store: Store, from: string, to: string): Promise<Difference[]> {
    const differences: Difference[] = []
    const months = [...eachMonth(from, to)]
    if (!months.length) return differences
    const rolledUp = await rolledUpMonths(store.id, months[0], months.at(-1)!)
    for (const month of months) {
      const [days, kept] = await Promise.all([
        db.from('summary_products').where('store_id', store.id).whereBetween('day', [`${month}-01`, `${month}-31`]).groupBy('product_id').select('product_id').sum(Object.fromEntries(PRODUCT_COUNTERS.map((c) => [c, c]))),
        db.from('summary_product_months').where({ store_id: store.id, month }).select('product_id', ...PRODUCT_COUNTERS),
      ])
      const table = { name: 'summary_product_months', keys: ['product_id'], counters: PRODUCT_COUNTERS }
      const want = new Map(rolledUp.has(month) ? days.map((r: any) => complete(table, r)).filter((r) => !isZero(table, r)).map((r) => [String(r.product_id), r]) : [])
      const have = new Map(kept.map((r: any) => complete(table, r)).filter((r) => !isZero(table, r)).map((r) => [String(r.product_id), r]))
      for (const key of new Set([...want.keys(), ...have.keys()])) {
        const sum = want.get(key) ?? null
        const row = have.get(key) ?? null
        if (!sum || !row || PRODUCT_COUNTERS.some((c) => sum[c] !== row[c])) differences.push({ table: 'summary_product_months', day: month, key, stored: row, lines: sum })
      }
    }
    return differences
  }

  /** Every difference between the stored summaries and the lines over the days rolled up (the others have none, and are not read) */
  async check(store: Store, from: string, to: string): Promise<Difference[]> {
    const differences: Difference[] = []
    const through = await summariesThrough(store.id)
    for (const day of eachDay(from, to)) {
      if (through === null || day > through) break
      const [expected, stored] = await Promise.all([this.fromLines(store, day), this.stored(store, day)])
      for (const table of SUMMARY_TABLES) {
        const want = new Map(expected.get(table.name)!.map((row) => [keyOf(row, table.keys), row]))
        const have = new Map(stored.get(table.name)!.map((row) => [keyOf(row, table.keys), row]))
        for (const key of new Set([...want.keys(), ...have.keys()])) {
          const lines = want.get(key) ?? null
          const kept = have.get(key) ?? null
          if (!lines || !kept || table.counters.some((c) => lines[c] !== kept[c])) differences.push({ table: table.name, day, key, stored: kept, lines })
        }
      }
    }
    return [...differences, ...(await this.checkMonths(store, from, to))]
  }
}

/** The rows without the columns named */
export function withoutColumns(rows: Row[], omit: string[]): Row[] {
  if (!omit.length) return rows
  return rows.map((row) => Object.fromEntries(Object.entries(row).filter(([column]) => !omit.includes(column))))
}

/** A row's key as text ('7/2': hour 7 of register 2) */
function keyOf(row: Row, keys = Object.keys(row)) {
  return keys.map((k) => String(row[k])).join('/')
}

/** The row with every counter as a number (0 when absent) and its keys as read */
function complete(table: SummaryTable, row: Row): Row {
  const out: Row = {}
  for (const key of table.keys) out[key] = key === 'method' ? String(row[key]) : n(row[key])
  for (const column of table.counters) out[column] = n(row[column])
  return out
}

function isZero(table: SummaryTable, row: Row) {
  return table.counters.every((c) => row[c] === 0)
}

/** Every day of the store's summaries written again (a restored backup's, from its lines) */
export async function rebuildAllSummaries(store: Store) {
  const summaries = new SummaryRebuild()
  const span = await summaries.span(store)
  if (span) await summaries.rebuild(store, span.from, span.to)
}

export { eachMonth }

/** The last day of a month ('yyyy-MM') */
export function lastDayOf(month: string) {
  return DateTime.fromFormat(month, 'yyyy-MM', { zone: 'utc' }).endOf('month').toISODate()!
}

export function* eachDay(from: string, to: string) {
  for (let d = DateTime.fromISO(from, { zone: 'utc' }); d.toISODate()! <= to; d = d.plus({ days: 1 })) yield d.toISODate()!
}
