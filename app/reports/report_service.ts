import { DateTime } from 'luxon'
import db from '@adonisjs/lucid/services/db'
import type { QueryClientContract } from '@adonisjs/lucid/types/database'
import Store from '#models/store'
import SalesQueryService from '#sales/sales_query_service'
import DashboardService from '#reports/dashboard_service'
import { dbTimestamp } from '#platform/db_time'

/*
| The managers' reports. Every figure comes from aggregate SQL; JavaScript only moves the
| aggregates into the store's days. Times are stored in UTC: sales are summed per UTC quarter
| hour in SQL (a few thousand buckets at most for a month), and each bucket is placed in the
| store's own day and hour with its time zone, daylight saving and half-hour offsets included.
*/

export interface DayRow {
  day: string
  count: number
  total: number
  tax: number
  discounts: number
}

export interface ProductRow {
  productId: number
  name: string
  sku: string
  category: string
  quantity: number
  revenue: number
  cost: number
  margin: number
}

const n = (value: unknown) => Number(value ?? 0)

export default class ReportService {
  constructor(private sales = new SalesQueryService()) {}

  /** The UTC quarter-hour of completed_at, as text "yyyy-MM-dd HH" and a quarter 0..3 */
  #quarterColumns(client: QueryClientContract) {
    const mysql = client.dialect.name === 'mysql'
    return mysql
      ? { hour: "DATE_FORMAT(completed_at, '%Y-%m-%d %H')", quarter: 'FLOOR(MINUTE(completed_at) / 15)' }
      : { hour: 'substr(completed_at, 1, 13)', quarter: 'CAST(substr(completed_at, 15, 2) AS INTEGER) / 15' }
  }

  #bucketTime(hour: string, quarter: number, zone: string) {
    return DateTime.fromFormat(hour, 'yyyy-MM-dd HH', { zone: 'utc' }).plus({ minutes: quarter * 15 }).setZone(zone)
  }

  /** Completed sales per store day (every day of the range, zeros included) and per hour of the day */
  async byDayAndHour(store: Store, from: string, to: string) {
    const client = db.connection()
    const { start, end } = this.sales.dayRange(store, from, to)
    const { hour, quarter } = this.#quarterColumns(client)
    const buckets = await client
      .from('sales')
      .where({ store_id: store.id, status: 'completed' })
      .where('completed_at', '>=', dbTimestamp(start!))
      .where('completed_at', '<=', dbTimestamp(end!))
      .select(client.raw(`${hour} as h`), client.raw(`${quarter} as q`))
      .count('* as count')
      .sum({ total: 'total', tax: 'tax_total', discounts: 'discount_total' })
      .groupByRaw(`${hour}, ${quarter}`)

    const days = new Map<string, DayRow>()
    for (let d = DateTime.fromISO(from, { zone: store.timeZone }); d.toISODate()! <= to; d = d.plus({ days: 1 })) {
      days.set(d.toISODate()!, { day: d.toISODate()!, count: 0, total: 0, tax: 0, discounts: 0 })
    }
    const hours = Array.from({ length: 24 }, (_, h) => ({ hour: h, count: 0, total: 0 }))
    for (const row of buckets as any[]) {
      const local = this.#bucketTime(String(row.h), n(row.q), store.timeZone)
      const day = days.get(local.toISODate()!)
      if (day) {
        day.count += n(row.count)
        day.total += n(row.total)
        day.tax += n(row.tax)
        day.discounts += n(row.discounts)
      }
      hours[local.hour].count += n(row.count)
      hours[local.hour].total += n(row.total)
    }
    return { days: [...days.values()], hours }
  }

  async byPaymentMethod(store: Store, from: string, to: string) {
    const { start, end } = this.sales.dayRange(store, from, to)
    const rows = await db
      .from('payments')
      .join('sales', 'sales.id', 'payments.sale_id')
      .where({ 'sales.store_id': store.id, 'sales.status': 'completed', 'payments.status': 'approved' })
      .where('sales.completed_at', '>=', dbTimestamp(start!))
      .where('sales.completed_at', '<=', dbTimestamp(end!))
      .groupBy('payments.method')
      .select('payments.method')
      .count('* as count')
      .sum('payments.amount as amount')
      .orderBy('payments.method')
    return rows.map((r: any) => ({ method: r.method as string, count: n(r.count), amount: n(r.amount) }))
  }

  async byCashier(store: Store, from: string, to: string) {
    const { start, end } = this.sales.dayRange(store, from, to)
    const rows = await db
      .from('sales')
      .join('users', 'users.id', 'sales.user_id')
      .where({ 'sales.store_id': store.id, 'sales.status': 'completed' })
      .where('sales.completed_at', '>=', dbTimestamp(start!))
      .where('sales.completed_at', '<=', dbTimestamp(end!))
      .groupBy('sales.user_id', 'users.name')
      .select('sales.user_id', 'users.name')
      .count('* as count')
      .sum('sales.total as total')
      .orderBy('total', 'desc')
    return rows.map((r: any) => ({ userId: n(r.user_id), name: r.name as string, count: n(r.count), total: n(r.total) }))
  }

  /** Each store's totals over the same calendar days, each in its own time zone (a query per zone) */
  async byStore(stores: Store[], from: string, to: string) {
    const byZone = new Map<string, Store[]>()
    for (const store of stores) byZone.set(store.timeZone, [...(byZone.get(store.timeZone) ?? []), store])
    const totals = new Map<number, { count: number; total: number }>()
    for (const group of byZone.values()) {
      const { start, end } = this.sales.dayRange(group[0], from, to)
      const rows = await db
        .from('sales')
        .whereIn('store_id', group.map((s) => s.id))
        .where('status', 'completed')
        .where('completed_at', '>=', dbTimestamp(start!))
        .where('completed_at', '<=', dbTimestamp(end!))
        .groupBy('store_id')
        .select('store_id')
        .count('* as count')
        .sum('total as total')
      for (const row of rows) totals.set(n(row.store_id), { count: n(row.count), total: n(row.total) })
    }
    return stores.map((store) => ({ storeId: store.id, name: store.name, currency: store.currency, count: totals.get(store.id)?.count ?? 0, total: totals.get(store.id)?.total ?? 0 }))
  }

  /**
   * Sales per product (quantity, revenue without tax, cost at today's product cost, margin),
   * and the same summed per category. One grouped query over the period's lines.
   */
  async products(store: Store, from: string, to: string) {
    const { start, end } = this.sales.dayRange(store, from, to)
    const perProduct = db
      .from('sale_items')
      .join('sales', 'sales.id', 'sale_items.sale_id')
      .where({ 'sales.store_id': store.id, 'sales.status': 'completed' })
      .where('sales.completed_at', '>=', dbTimestamp(start!))
      .where('sales.completed_at', '<=', dbTimestamp(end!))
      .groupBy('sale_items.product_id')
      .select('sale_items.product_id')
      .sum({ quantity: 'sale_items.quantity', gross: 'sale_items.total', tax: 'sale_items.tax_total' })
    const rows = await db
      .from(perProduct.as('g'))
      .join('products', 'products.id', 'g.product_id')
      .leftJoin('categories', 'categories.id', 'products.category_id')
      .select('g.product_id', 'g.quantity', 'g.gross', 'g.tax', 'products.name', 'products.sku', 'products.cost', 'categories.name as category')
    const all: ProductRow[] = rows.map((r: any) => {
      const quantity = n(r.quantity)
      const revenue = n(r.gross) - n(r.tax)
      const cost = quantity * n(r.cost)
      return { productId: n(r.product_id), name: r.name, sku: r.sku, category: r.category ?? 'No category', quantity, revenue, cost, margin: revenue - cost }
    })
    const byCategory = new Map<string, { category: string; quantity: number; revenue: number; margin: number }>()
    for (const row of all) {
      const entry = byCategory.get(row.category) ?? { category: row.category, quantity: 0, revenue: 0, margin: 0 }
      entry.quantity += row.quantity
      entry.revenue += row.revenue
      entry.margin += row.margin
      byCategory.set(row.category, entry)
    }
    const sorted = [...all].sort((a, b) => b.revenue - a.revenue || a.name.localeCompare(b.name))
    return {
      best: sorted.slice(0, 10),
      worst: sorted.slice(-10).reverse(),
      categories: [...byCategory.values()].sort((a, b) => b.revenue - a.revenue),
    }
  }

  /** What the stock on hand cost: stock x cost per category, active products with stock */
  async stockValuation(store: Store) {
    const rows = await db
      .from('products')
      .leftJoin('categories', 'categories.id', 'products.category_id')
      .where({ 'products.store_id': store.id, 'products.active': true })
      .whereNull('products.archived_at')
      .where('products.stock', '>', 0)
      .groupBy('categories.name')
      .select('categories.name as category')
      .count('* as products')
      .sum({ units: 'products.stock' })
      .select(db.raw('sum(products.stock * products.cost) as value'))
      .orderBy('value', 'desc')
    return rows.map((r: any) => ({ category: r.category ?? 'No category', products: n(r.products), units: n(r.units), value: n(r.value) }))
  }

  async lowStock(store: Store) {
    const products = await new DashboardService(this.sales).lowStock(store, 50)
    return products.map((p) => ({ productId: p.id, name: p.name, sku: p.sku, stock: p.stock }))
  }
}
