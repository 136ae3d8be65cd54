import { DateTime } from 'luxon'
import { inject } from '@adonisjs/core'
import db from '@adonisjs/lucid/services/db'
import Product from '#models/product'
import type Store from '#models/store'
import SalesQueryService from '#sales/sales_query_service'
import { dbTimestamp } from '#platform/db_time'

export const LOW_STOCK_THRESHOLD = 5

/** The back office's start page: how today is going and what is running out */
@inject()
export default class DashboardService {
  constructor(private sales: SalesQueryService) {}

  /** Completed sales of the store's current calendar day (in its own time zone), and the takings: less refunds */
  async today(store: Store, now: DateTime = DateTime.now()) {
    const day = now.setZone(store.timeZone).toISODate()!
    const { start, end } = this.sales.dayRange(store, day, day)
    const [from, to] = [dbTimestamp(start!), dbTimestamp(end!)]
    const [sold, refunded] = await Promise.all([
      db.from('sales').where('store_id', store.id).where('status', 'completed').where('completed_at', '>=', from).where('completed_at', '<=', to).count('* as count').sum({ total: 'total', rounding: 'rounding_total' }).first(),
      // As the register report counts them: what refunds and exchanges gave back today
      db.from('refunds').where('store_id', store.id).where('created_at', '>=', from).where('created_at', '<=', to).sum('total as total').first(),
    ])
    // What was taken: with the cash rounding, as the reports count it (the two differed by cents)
    const total = Number(sold?.total ?? 0) + Number(sold?.rounding ?? 0)
    const refunds = Number(refunded?.total ?? 0)
    return { day, count: Number(sold?.count ?? 0), total, refunds, takings: total - refunds }
  }

  /** Active, not archived products at or below their own low-stock threshold, the emptiest first (`limit`: only so many; null: all) */
  async lowStock(store: Store, limit: number | null = 10) {
    const query = Product.query()
      .where('store_id', store.id)
      .where('active', true)
      .whereNull('archived_at')
      .whereRaw('stock <= low_stock_threshold')
      .orderBy('stock')
      .orderBy('name')
    if (limit === 0) return []
    return limit === null ? query : query.limit(limit)
  }
}
