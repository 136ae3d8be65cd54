import { DateTime } from 'luxon'
import db from '@adonisjs/lucid/services/db'
import Store from '#models/store'
import SalesQueryService from '#sales/sales_query_service'
import DashboardService from '#reports/dashboard_service'
import { dbTimestamp } from '#platform/db_time'
import { eachDay, quarterColumns } from '#reports/summary_rebuild'
import ProductFigures, { type SplitRange } from '#reports/product_figures'
import { nextDay } from '#reports/day_rollup'
import { summariesThrough } from '#sales/summary_days'

/*
| The managers' reports. Every figure comes from aggregate SQL; JavaScript only merges the
| aggregates. The days rolled up are read from the daily summaries (every day up to yesterday,
| two hours after it ended: app/sales/summary_days.ts), so a month or a year costs a few thousand
| summary rows instead of every sale line; today, still being sold on, and any day not rolled up
| yet, is read from the lines. Times are stored in UTC: those days' sales are summed per UTC quarter
| hour in SQL, and each bucket is placed in the store's own day and hour with its time zone
| (half-hour offsets included).
| `source: 'lines'` reads every day from the lines, as before the summaries (tests compare both).
*/

export interface DayRow {
  day: string
  count: number
  /** What was taken: the sales' totals with their cash rounding, as the tenders took it */
  total: number
  /** The cash rounding in that total (+ or -) */
  rounding: number
  tax: number
  discounts: number
}

// What was taken: a sale's total with its cash rounding (a cash sale of 1.02 paid 1.00 took 1.00).
// Every total of these reports is this, as the tenders, the Z report's payments, the journal and
// the dashboard count it: the days' Total left the rounding out, and was cents off the takings
export const TAKEN = 'total + rounding_total'

export interface ProductRow {
  productId: number
  name: string
  sku: string
  /** Its category's name; null: it has none (no name can collide with that, a category's can be anything) */
  category: string | null
  /** Units sold in the period */
  sold: number
  /** Units brought back in the period (with a receipt or without), whenever they were sold */
  returned: number
  /** Units sold less units returned: what the cost and margin are worked on */
  quantity: number
  revenue: number
  cost: number
  margin: number
}

/** A category's products summed: units sold and returned apart (as a product's), revenue and margin net of refunds */
export interface CategoryRow {
  /** null: the products without a category, a group of their own (not one named "No category") */
  category: string | null
  sold: number
  returned: number
  revenue: number
  margin: number
}

export type ReportSource = 'summaries' | 'lines'

const n = (value: unknown) => Number(value ?? 0)

export default class ReportService {
  constructor(
    private sales = new SalesQueryService(),
    private source: ReportSource = 'summaries'
  ) {}

  /** The days rolled up come from the summaries, the rest from the lines */
  async split(store: Store, from: string, to: string): Promise<SplitRange> {
    if (this.source === 'lines') return { summary: null, lines: { from, to } }
    return splitAt(from, to, await summariesThrough(store.id))
  }

  #utc(store: Store, range: { from: string; to: string }) {
    const { start, end } = this.sales.dayRange(store, range.from, range.to)
    return [dbTimestamp(start!), dbTimestamp(end!)] as const
  }

  /** Completed sales per store day (every day of the range, zeros included) and per hour of the day */
  async byDayAndHour(store: Store, from: string, to: string) {
    const { summary, lines } = await this.split(store, from, to)
    const days = new Map<string, DayRow>()
    // Calendar days, counted in UTC: in the store's zone a day whose midnight does not exist
    // (Santiago springs forward at 00:00) starts at 01:00, every day after it was stepped at 01:00,
    // and the last day (at 00:00) was left out of the table while its sales stayed in the hours
    for (const day of eachDay(from, to)) days.set(day, { day, count: 0, total: 0, rounding: 0, tax: 0, discounts: 0 })
    const hours = Array.from({ length: 24 }, (_, h) => ({ hour: h, count: 0, total: 0 }))
    const add = (dayKey: string, hour: number, row: any) => {
      const day = days.get(dayKey)
      if (day) {
        day.count += n(row.count)
        day.total += n(row.total)
        day.rounding += n(row.rounding)
        day.tax += n(row.tax)
        day.discounts += n(row.discounts)
      }
      hours[hour].count += n(row.count)
      hours[hour].total += n(row.total)
    }
    if (summary) {
      const rows = await db
        .from('summary_sales')
        .where('store_id', store.id)
        .whereBetween('day', [summary.from, summary.to])
        .select('day', 'hour', 'sales_count as count', db.raw(`${TAKEN} as total`), 'rounding_total as rounding', 'tax_total as tax', 'discount_total as discounts')
      for (const row of rows) add(String(row.day), n(row.hour), row)
    }
    if (lines) {
      const client = db.connection()
      const [start, end] = this.#utc(store, lines)
      const { hour, quarter } = quarterColumns(client, 'completed_at')
      const buckets = await client
        .from('sales')
        .where({ store_id: store.id, status: 'completed' })
        .where('completed_at', '>=', start)
        .where('completed_at', '<=', end)
        .select(client.raw(`${hour} as h`), client.raw(`${quarter} as q`))
        .count('* as count')
        .select(client.raw(`sum(${TAKEN}) as total`))
        .sum({ rounding: 'rounding_total', tax: 'tax_total', discounts: 'discount_total' })
        .groupByRaw(`${hour}, ${quarter}`)
      for (const row of buckets as any[]) {
        const local = DateTime.fromFormat(String(row.h), 'yyyy-MM-dd HH', { zone: 'utc' }).plus({ minutes: n(row.q) * 15 }).setZone(store.timeZone)
        add(local.toISODate()!, local.hour, row)
      }
    }
    return { days: [...days.values()], hours }
  }

  /**
   * What each tender took in completed sales, what refunds paid back in it (on the day they were
   * made, as the takings count them: refunds are few, so they are read from their rows), and the
   * net: the tenders' nets add up to the takings, their cash rounding included. An exchange's
   * credit is taken and given back alike: it nets to nothing.
   */
  async byPaymentMethod(store: Store, from: string, to: string) {
    const { summary, lines } = await this.split(store, from, to)
    const methods = new Map<string, { method: string; count: number; amount: number; refunded: number; net: number }>()
    const entryOf = (method: string) => methods.get(method) ?? methods.set(method, { method, count: 0, amount: 0, refunded: 0, net: 0 }).get(method)!
    const add = (rows: any[]) => {
      for (const r of rows) {
        const entry = entryOf(String(r.method))
        entry.count += n(r.count)
        entry.amount += n(r.amount)
      }
    }
    const [start, end] = this.#utc(store, { from, to })
    const refunded = await db
      .from('refund_payments')
      .join('refunds', 'refunds.id', 'refund_payments.refund_id')
      .where('refunds.store_id', store.id)
      .where('refunds.created_at', '>=', start)
      .where('refunds.created_at', '<=', end)
      .groupBy('refund_payments.method')
      .select('refund_payments.method as method')
      .sum('refund_payments.amount as amount')
    for (const r of refunded as any[]) entryOf(String(r.method)).refunded += n(r.amount)
    if (summary) {
      add(await db.from('summary_tenders').where('store_id', store.id).whereBetween('day', [summary.from, summary.to]).groupBy('method').select('method').sum({ count: 'payment_count', amount: 'amount' }))
    }
    if (lines) {
      const [start, end] = this.#utc(store, lines)
      add(
        await db
          .from('payments')
          .join('sales', 'sales.id', 'payments.sale_id')
          .where({ 'sales.store_id': store.id, 'sales.status': 'completed', 'payments.status': 'approved' })
          .where('sales.completed_at', '>=', start)
          .where('sales.completed_at', '<=', end)
          .groupBy('payments.method')
          .select('payments.method')
          .count('* as count')
          .sum('payments.amount as amount')
      )
    }
    for (const entry of methods.values()) entry.net = entry.amount - entry.refunded
    return [...methods.values()].filter((m) => m.count !== 0 || m.refunded !== 0).sort((a, b) => (a.method < b.method ? -1 : a.method > b.method ? 1 : 0))
  }

  async byCashier(store: Store, from: string, to: string) {
    const { summary, lines } = await this.split(store, from, to)
    const cashiers = new Map<number, { userId: number; name: string; count: number; total: number }>()
    const add = (rows: any[]) => {
      for (const r of rows) {
        const entry = cashiers.get(n(r.user_id)) ?? { userId: n(r.user_id), name: r.name as string, count: 0, total: 0 }
        entry.count += n(r.count)
        entry.total += n(r.total)
        cashiers.set(entry.userId, entry)
      }
    }
    if (summary) {
      add(
        await db
          .from('summary_cashiers')
          .join('users', 'users.id', 'summary_cashiers.user_id')
          .where('summary_cashiers.store_id', store.id)
          .whereBetween('summary_cashiers.day', [summary.from, summary.to])
          .groupBy('summary_cashiers.user_id', 'users.name')
          .select('summary_cashiers.user_id', 'users.name', db.raw('sum(summary_cashiers.total + summary_cashiers.rounding_total) as total'))
          .sum({ count: 'summary_cashiers.sales_count' })
      )
    }
    if (lines) {
      const [start, end] = this.#utc(store, lines)
      add(
        await db
          .from('sales')
          .join('users', 'users.id', 'sales.user_id')
          .where({ 'sales.store_id': store.id, 'sales.status': 'completed' })
          .where('sales.completed_at', '>=', start)
          .where('sales.completed_at', '<=', end)
          .groupBy('sales.user_id', 'users.name')
          .select('sales.user_id', 'users.name', db.raw('sum(sales.total + sales.rounding_total) as total'))
          .count('* as count')
      )
    }
    return [...cashiers.values()].filter((c) => c.count !== 0).sort((a, b) => b.total - a.total || a.name.localeCompare(b.name))
  }

  /**
   * Completed sales per register, the refunds made there in every tender (`refunds`: what the
   * refunds gave back, as `summary_sales` sums them), and the cash of those refunds that left the
   * register's drawer (`cashRefunds`). A card or points refund takes nothing from the drawer, so it
   * was wrong under "Refunds paid" beside the drawer's cash. Refunds are few: their cash is read
   * from their rows for the whole range, as the report by payment method reads them.
   */
  async byRegister(store: Store, from: string, to: string) {
    const { summary, lines } = await this.split(store, from, to)
    const registers = new Map<number, { registerId: number; count: number; total: number; refunds: number; cashRefunds: number }>()
    const add = (rows: any[]) => {
      for (const r of rows) {
        const entry = registers.get(n(r.register_id)) ?? { registerId: n(r.register_id), count: 0, total: 0, refunds: 0, cashRefunds: 0 }
        entry.count += n(r.count)
        entry.total += n(r.total)
        entry.refunds += n(r.refunds)
        entry.cashRefunds += n(r.cash_refunds)
        registers.set(entry.registerId, entry)
      }
    }
    const [start, end] = this.#utc(store, { from, to })
    add(
      await db
        .from('refund_payments')
        .join('refunds', 'refunds.id', 'refund_payments.refund_id')
        .where('refunds.store_id', store.id)
        .where('refunds.created_at', '>=', start)
        .where('refunds.created_at', '<=', end)
        .where('refund_payments.method', 'cash')
        .groupBy('refunds.register_id')
        .select('refunds.register_id as register_id')
        .sum('refund_payments.amount as cash_refunds')
    )
    if (summary) {
      add(await db.from('summary_sales').where('store_id', store.id).whereBetween('day', [summary.from, summary.to]).groupBy('register_id').select('register_id', db.raw(`sum(${TAKEN}) as total`)).sum({ count: 'sales_count', refunds: 'refund_total' }))
    }
    if (lines) {
      const [start, end] = this.#utc(store, lines)
      const [sold, refunded] = await Promise.all([
        db.from('sales').where({ store_id: store.id, status: 'completed' }).where('completed_at', '>=', start).where('completed_at', '<=', end).groupBy('register_id').select('register_id', db.raw(`sum(${TAKEN}) as total`)).count('* as count'),
        db.from('refunds').where('store_id', store.id).where('created_at', '>=', start).where('created_at', '<=', end).groupBy('register_id').select('register_id').sum('total as refunds'),
      ])
      add([...sold, ...refunded])
    }
    const names = new Map((await db.from('registers').where('store_id', store.id).select('id', 'name')).map((r) => [n(r.id), String(r.name)]))
    return [...registers.values()]
      .filter((r) => r.count !== 0 || r.refunds !== 0 || r.cashRefunds !== 0)
      // Register 0: days restored from a backup made before the summaries were kept per register
      .map((r) => ({ ...r, name: names.get(r.registerId) ?? 'Registers not told apart' }))
      .sort((a, b) => a.name.localeCompare(b.name) || a.registerId - b.registerId)
  }

  /** Each store's totals over the same calendar days, each in its own time zone (queries per zone and days rolled up) */
  async byStore(stores: Store[], from: string, to: string) {
    const groups = new Map<string, { stores: Store[]; range: SplitRange }>()
    for (const store of stores) {
      const range = await this.split(store, from, to)
      const key = `${store.timeZone} ${JSON.stringify(range)}`
      groups.set(key, { stores: [...(groups.get(key)?.stores ?? []), store], range })
    }
    const totals = new Map<number, { count: number; total: number }>()
    const add = (rows: any[]) => {
      for (const row of rows) {
        const entry = totals.get(n(row.store_id)) ?? { count: 0, total: 0 }
        entry.count += n(row.count)
        entry.total += n(row.total)
        totals.set(n(row.store_id), entry)
      }
    }
    for (const { stores: group, range } of groups.values()) {
      const ids = group.map((s) => s.id)
      const { summary, lines } = range
      if (summary) {
        add(await db.from('summary_sales').whereIn('store_id', ids).whereBetween('day', [summary.from, summary.to]).groupBy('store_id').select('store_id', db.raw(`sum(${TAKEN}) as total`)).sum({ count: 'sales_count' }))
      }
      if (lines) {
        const [start, end] = this.#utc(group[0], lines)
        add(await db.from('sales').whereIn('store_id', ids).where('status', 'completed').where('completed_at', '>=', start).where('completed_at', '<=', end).groupBy('store_id').select('store_id', db.raw(`sum(${TAKEN}) as total`)).count('* as count'))
      }
    }
    return stores.map((store) => ({ storeId: store.id, name: store.name, currency: store.currency, count: totals.get(store.id)?.count ?? 0, total: totals.get(store.id)?.total ?? 0 }))
  }

  /**
   * Sales per product (units sold and returned, revenue without tax less refunds, cost of the
   * units kept at today's product cost, margin),
   * and the same summed per category. One grouped query over the period's summaries and lines.
   */
  async products(store: Store, from: string, to: string) {
    const rows = await new ProductFigures(this.sales).perProduct(store, await this.split(store, from, to))
    const all: ProductRow[] = rows.map((r: any) => {
      const sold = n(r.sold)
      const returned = n(r.returned)
      const quantity = sold - returned
      const revenue = n(r.gross) - n(r.tax)
      // + 0: more returned than sold of a product that costs nothing is -0, which the page wrote "-$0.00"
      const cost = quantity * n(r.cost) + 0
      return { productId: n(r.product_id), name: r.name, sku: r.sku, category: r.category ?? null, sold, returned, quantity, revenue, cost, margin: revenue - cost }
    })
    // Units sold and returned apart, as for the products: a return is no sale less (it netted the
    // category's units, so a return of last month's sale hid one of this period's). Keyed by the
    // name (unique in a store) or null: the products without a category were keyed "No category",
    // and summed with a category of that name
    const byCategory = new Map<string | null, CategoryRow>()
    for (const row of all) {
      const entry = byCategory.get(row.category) ?? { category: row.category, sold: 0, returned: 0, revenue: 0, margin: 0 }
      entry.sold += row.sold
      entry.returned += row.returned
      entry.revenue += row.revenue
      entry.margin += row.margin
      byCategory.set(row.category, entry)
    }
    const sorted = [...all].sort((a, b) => b.revenue - a.revenue || a.name.localeCompare(b.name))
    // Best and worst sellers rank what was sold: a product only brought back in the period (a
    // return without a receipt) sold nothing, so it is in neither list (its refund still counts
    // in `all`, the categories and the margin)
    const sellers = sorted.filter((p) => p.sold > 0)
    return {
      all: sorted,
      best: sellers.slice(0, 10),
      worst: sellers.slice(-10).reverse(),
      categories: [...byCategory.values()].sort(byRevenueThenCategory),
    }
  }

  /**
   * What the stock on hand cost: stock x cost per category, every product with stock. An archived
   * or inactive product's units are still on the shelf and in the ledger: leaving them out took
   * their value off the books without a movement
   */
  async stockValuation(store: Store) {
    const rows = await db
      .from('products')
      .leftJoin('categories', 'categories.id', 'products.category_id')
      .where({ 'products.store_id': store.id })
      .where('products.stock', '>', 0)
      .groupBy('categories.name')
      .select('categories.name as category')
      .count('* as products')
      .sum({ units: 'products.stock' })
      .select(db.raw('sum(products.stock * products.cost) as value'))
      .orderBy('value', 'desc')
    // Grouped by the name, which is unique in a store, or null: the products without a category
    return rows.map((r: any) => ({ category: (r.category ?? null) as string | null, products: n(r.products), units: n(r.units), value: n(r.value) }))
  }

  /**
   * The products running low, the emptiest first: `limit` of them, or every one (null). The
   * dashboard shows the ten emptiest and links to the report for the rest, which stopped at 50
   * (page and CSV) without a word; the page says when there are more than it shows
   */
  async lowStock(store: Store, limit: number | null) {
    const products = await new DashboardService(this.sales).lowStock(store, limit)
    return products.map((p) => ({ productId: p.id, name: p.name, sku: p.sku, stock: p.stock }))
  }
}

/** The larger revenue first, then by category name, the products without one after the named ones */
export function byRevenueThenCategory(a: CategoryRow, b: CategoryRow) {
  return b.revenue - a.revenue || (a.category === null ? 1 : 0) - (b.category === null ? 1 : 0) || (a.category ?? '').localeCompare(b.category ?? '')
}

/** The days up to `through` (the last one rolled up) from the summaries, the others from the lines */
export function splitAt(from: string, to: string, through: string | null): SplitRange {
  if (through === null || from > through) return { summary: null, lines: { from, to } }
  if (to <= through) return { summary: { from, to }, lines: null }
  return { summary: { from, to: through }, lines: { from: nextDay(through), to } }
}
