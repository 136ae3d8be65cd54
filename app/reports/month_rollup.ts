import { DateTime } from 'luxon'
import db from '@adonisjs/lucid/services/db'
import { dbTimestamp } from '#platform/db_time'
import { inTransaction } from '#platform/db_transaction'
import { lastMonthOver, lockMarkers } from '#sales/product_months'

/*
| Rolling up the products' months (app/sales/product_months.ts says why and how writes meet it):
| a day after a month ends, its product rows are summed from its day rows once, under the month
| marker's lock, and the marker says so. Every server does it a minute or two after it starts and
| then every hour (start/maintenance.ts); the second to come finds the month done.
| `pos:summaries --rebuild` sums a rebuilt month again.
*/

/** The counters of a product's day and month rows */
export const PRODUCT_COUNTERS = ['quantity', 'total', 'tax_total', 'refunded_quantity', 'refunded_total', 'refunded_tax']

/** The months ('yyyy-MM') that the days from..to touch */
export function* eachMonth(from: string, to: string) {
  for (let m = DateTime.fromISO(from.slice(0, 7) + '-01', { zone: 'utc' }); m.toFormat('yyyy-MM') <= to.slice(0, 7); m = m.plus({ months: 1 })) yield m.toFormat('yyyy-MM')
}

/**
 * Sums the month's product rows from its days and marks it rolled up; false when it already was
 * (`again`: sums it anew all the same, after its days were rebuilt)
 */
export async function rollUpMonth(storeId: number, month: string, options: { again?: boolean } = {}): Promise<boolean> {
  return inTransaction(async (trx) => {
    const rolledUp = await lockMarkers(trx, storeId, [month], 0)
    if (rolledUp.has(month) && !options.again) return false
    await trx.from('summary_product_months').where({ store_id: storeId, month }).delete()
    await trx.rawQuery(
      `INSERT INTO summary_product_months (store_id, month, product_id, ${PRODUCT_COUNTERS.join(', ')})
       SELECT store_id, ?, product_id, ${PRODUCT_COUNTERS.map((c) => `SUM(${c})`).join(', ')} FROM summary_products
       WHERE store_id = ? AND day >= ? AND day <= ? GROUP BY store_id, product_id`,
      [month, storeId, `${month}-01`, `${month}-31`]
    )
    await trx.from('summary_month_rollups').where({ store_id: storeId, month }).update({ rolled_up_at: dbTimestamp() })
    return true
  })
}

/** Takes a month back to its days (it is not over yet: the reports read its days) */
export async function unrollMonth(storeId: number, month: string) {
  await inTransaction(async (trx) => {
    await lockMarkers(trx, storeId, [month], 0)
    await trx.from('summary_product_months').where({ store_id: storeId, month }).delete()
    await trx.from('summary_month_rollups').where({ store_id: storeId, month }).update({ rolled_up_at: null })
  })
}

/** Rolls up every month of every store that is over, with all its days rolled up, and not rolled up yet; answers how many */
export async function rollUpProductMonths(): Promise<number> {
  let done = 0
  // The stores with days rolled up, each with its first product day: one query, not two for each
  // store of the chain
  const stores = await db
    .from('summary_days_rolled as r')
    .join('stores as s', 's.id', 'r.store_id')
    .whereNotNull('r.through_day')
    .select('s.id', 's.time_zone', 'r.through_day', db.raw('(SELECT MIN(p.day) FROM summary_products p WHERE p.store_id = s.id) AS first_day'))
    .orderBy('s.id')
  for (const store of stores) {
    if (!store.first_day) continue
    const first = String(store.first_day)
    const over = lastMonthOver(String(store.time_zone))
    // The last month whose days are all rolled up (day_rollup.ts)
    const covered = DateTime.fromISO(String(store.through_day), { zone: 'utc' }).plus({ days: 1 }).minus({ months: 1 }).toFormat('yyyy-MM')
    const last = over < covered ? over : covered
    if (first.slice(0, 7) > last) continue
    const rolledUp = await rolledUpMonths(store.id, first.slice(0, 7), last)
    for (const month of eachMonth(first, `${last}-01`)) {
      if (!rolledUp.has(month) && (await rollUpMonth(store.id, month))) done++
    }
  }
  return done
}

/** The months from..to ('yyyy-MM') of the store that are rolled up, as their markers say */
export async function rolledUpMonths(storeId: number, from: string, to: string): Promise<Set<string>> {
  const rows = await db.from('summary_month_rollups').where('store_id', storeId).whereBetween('month', [from, to]).whereNotNull('rolled_up_at').select('month')
  return new Set(rows.map((row) => String(row.month)))
}
