import { DateTime } from 'luxon'
import db from '@adonisjs/lucid/services/db'
import type Store from '#models/store'
import type SalesQueryService from '#sales/sales_query_service'
import { dbTimestamp } from '#platform/db_time'
import { eachMonth, rolledUpMonths } from '#reports/month_rollup'

/*
| Units sold and units returned per product over a period (apart: a return without a receipt of
| a product not sold in the period is no "sold -1"), and the amount and tax less what refunds
| took back (on the day they were made, as the takings count them): whole months rolled up from
| summary_product_months, the other whole days from
| summary_products, today from the lines and the refunds, summed in one statement (UNION ALL,
| grouped again) and joined to the product's current name, SKU, cost and category, as the
| reports show them.
*/
/** The store days of a range split in two: whole past days (summaries) and today on (lines) */
export interface SplitRange {
  summary: { from: string; to: string } | null
  lines: { from: string; to: string } | null
}

export default class ProductFigures {
  constructor(private sales: SalesQueryService) {}

  async perProduct(store: Store, range: SplitRange) {
    const parts: string[] = []
    const bindings: unknown[] = []
    if (range.summary) {
      const columns = 'product_id, SUM(quantity) AS sold, SUM(refunded_quantity) AS returned, SUM(total - refunded_total) AS gross, SUM(tax_total - refunded_tax) AS tax'
      const { months, days } = wholeMonths(range.summary.from, range.summary.to)
      if (months) {
        // A month not rolled up yet (it ended within the last day) is read from its days, the
        // days of consecutive ones in one range
        const rolledUp = await rolledUpMonths(store.id, months.from, months.to)
        let run: { from: string; to: string } | null = null
        for (const month of eachMonth(months.from, months.to)) {
          if (rolledUp.has(month)) run = null
          else if (run) run.to = `${month}-31`
          else days.push((run = { from: `${month}-01`, to: `${month}-31` }))
        }
        if (rolledUp.size) {
          parts.push(`SELECT ${columns} FROM summary_product_months WHERE store_id = ? AND month IN (${[...rolledUp].map(() => '?').join(', ')}) GROUP BY product_id`)
          bindings.push(store.id, ...rolledUp)
        }
      }
      for (const part of days) {
        parts.push(`SELECT ${columns} FROM summary_products WHERE store_id = ? AND day >= ? AND day <= ? GROUP BY product_id`)
        bindings.push(store.id, part.from, part.to)
      }
    }
    if (range.lines) {
      const { start, end } = this.sales.dayRange(store, range.lines.from, range.lines.to)
      parts.push(
        `SELECT sale_items.product_id, SUM(sale_items.quantity) AS sold, 0 AS returned, SUM(sale_items.total) AS gross, SUM(sale_items.tax_total) AS tax
         FROM sale_items JOIN sales ON sales.id = sale_items.sale_id
         WHERE sales.store_id = ? AND sales.status = 'completed' AND sales.completed_at >= ? AND sales.completed_at <= ? GROUP BY sale_items.product_id`
      )
      bindings.push(store.id, dbTimestamp(start!), dbTimestamp(end!))
      parts.push(
        `SELECT refund_items.product_id, 0 AS sold, SUM(refund_items.quantity) AS returned, -SUM(refund_items.amount) AS gross, -SUM(refund_items.tax_amount) AS tax
         FROM refund_items JOIN refunds ON refunds.id = refund_items.refund_id
         WHERE refunds.store_id = ? AND refunds.created_at >= ? AND refunds.created_at <= ? GROUP BY refund_items.product_id`
      )
      bindings.push(store.id, dbTimestamp(start!), dbTimestamp(end!))
    }
    if (!parts.length) return []
    // A product whose sales were all voided keeps a row of zeros in the summaries: left out, as from the lines
    const sql = `SELECT g.*, products.name, products.sku, products.cost, categories.name AS category
      FROM (SELECT u.product_id, SUM(u.sold) AS sold, SUM(u.returned) AS returned, SUM(u.gross) AS gross, SUM(u.tax) AS tax
            FROM (${parts.join(' UNION ALL ')}) u GROUP BY u.product_id HAVING SUM(u.sold) <> 0 OR SUM(u.returned) <> 0 OR SUM(u.gross) <> 0) g
      JOIN products ON products.id = g.product_id
      LEFT JOIN categories ON categories.id = products.category_id`
    const answer = await db.rawQuery(sql, bindings as any[])
    return (db.connection().dialect.name === 'mysql' ? answer[0] : answer) as any[]
  }
}

/** The whole calendar months inside from..to ('yyyy-MM'), and the days around them */
export function wholeMonths(from: string, to: string) {
  const start = DateTime.fromISO(from, { zone: 'utc' })
  const end = DateTime.fromISO(to, { zone: 'utc' })
  const first = start.day === 1 ? start : start.plus({ months: 1 }).startOf('month')
  const last = end.hasSame(end.endOf('month'), 'day') ? end.startOf('month') : end.minus({ months: 1 }).startOf('month')
  if (first > last) return { months: null, days: [{ from, to }] }
  const days: { from: string; to: string }[] = []
  if (first.toISODate()! > from) days.push({ from, to: first.minus({ days: 1 }).toISODate()! })
  const afterLast = last.plus({ months: 1 })
  if (afterLast.toISODate()! <= to) days.push({ from: afterLast.toISODate()!, to })
  return { months: { from: first.toFormat('yyyy-MM'), to: last.toFormat('yyyy-MM') }, days }
}
