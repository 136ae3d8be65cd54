import { DateTime } from 'luxon'
import db from '@adonisjs/lucid/services/db'
import type Store from '#models/store'
import ReportService, { byRevenueThenCategory, TAKEN, type ProductRow } from '#reports/report_service'
import SalesQueryService from '#sales/sales_query_service'
import { dbTimestamp } from '#platform/db_time'
import { bucketDay, quarterColumns } from '#reports/summary_rebuild'
import { FIRST_YEAR, LAST_YEAR } from '#platform/calendar_day'

/*
| The owners' view: a month (by day) or a year (by month) against the one before it, its best and
| worst products and categories with their margins, and the refunds beside the sales. Read like
| the other reports: days rolled up from the summaries, the others (today) from the lines. A period still
| running is compared "to date": the same number of days of the period before.
*/

export type PeriodView = 'month' | 'year'

export interface Period {
  view: PeriodView
  /** 'yyyy-MM' or 'yyyy' */
  key: string
  label: string
  from: string
  to: string
  toDate: boolean
}

export interface Figures {
  count: number
  /** What was taken: the sales' totals with their cash rounding */
  total: number
  /** The cash rounding in that total */
  rounding: number
  tax: number
  discounts: number
  refunds: number
  refunded: number
}

/** The period an address asks for: a view and its key (null: the current one), or each field's problem */
export type AskedPeriod = { view: PeriodView; key: string | null; errors: null } | { view: PeriodView; key: null; errors: Record<string, string> }

/**
 * The view and period of an address (?view=month&period=2026-05, ?view=year&period=2026; the
 * shorter ?month=2026-05 and ?year=2026 are read the same). Empty means the current one; anything
 * else that is not one (2026-13, abc, a year outside 2000 to 2100) is an error on its field: showing
 * the current month instead was read as the one asked. Other parameters (a report's from and to)
 * are not this page's and are left alone, as on any page.
 */
export function askedPeriod(qs: Record<string, unknown>): AskedPeriod {
  const errors: Record<string, string> = {}
  // Asked two ways at once (period and month, month and year, view=year with month): one of them
  // was shown as if the other had not been asked
  const given = (['period', 'month', 'year'] as const).filter((key) => qs[key] !== undefined && qs[key] !== '')
  const said = (key: string) => `${key}=${String(qs[key]).slice(0, 20)}`
  if (given.length > 1) return { view: 'month', key: null, errors: { period: `Give the period once: ${said(given[0])} and ${said(given[1])} were both given` } }
  const alias = given[0] === 'month' || given[0] === 'year' ? given[0] : null
  if (alias && (qs.view === 'month' || qs.view === 'year') && qs.view !== alias) {
    return { view: alias, key: null, errors: { view: `${said(alias)} asks for a ${alias}, view=${qs.view} for a ${qs.view}: give one` } }
  }
  const typedView = alias ?? qs.view
  let view: PeriodView = 'month'
  if (typedView === 'year' || typedView === 'month') view = typedView
  else if (typedView !== undefined && typedView !== '') errors.view = 'Choose month or year'
  const typed = alias ? qs[alias] : qs.period
  let key: string | null = null
  if (typed !== undefined && typed !== '') {
    const format = view === 'year' ? 'yyyy' : 'yyyy-MM'
    const start = typeof typed === 'string' && (view === 'year' ? /^\d{4}$/ : /^\d{4}-\d{2}$/).test(typed) ? DateTime.fromFormat(typed, format, { zone: 'utc' }) : null
    if (start?.isValid && start.year >= FIRST_YEAR && start.year <= LAST_YEAR) key = typed as string
    else errors.period = `"${String(typed).slice(0, 20)}" is not a ${view === 'year' ? 'year (yyyy)' : 'month (yyyy-mm)'} from ${FIRST_YEAR} to ${LAST_YEAR}`
  }
  return Object.keys(errors).length ? { view, key: null, errors } : { view, key, errors: null }
}

const n = (value: unknown) => Number(value ?? 0)
const zero = (): Figures => ({ count: 0, total: 0, rounding: 0, tax: 0, discounts: 0, refunds: 0, refunded: 0 })

export default class PeriodReportService {
  constructor(
    private sales = new SalesQueryService(),
    private reports = new ReportService(sales)
  ) {}

  /** The period asked for (the current one when the key is missing; an address is checked first by askedPeriod), and the one before */
  periods(store: Store, view: PeriodView, key: unknown, now: DateTime = DateTime.now()): { current: Period; previous: Period } {
    const local = now.setZone(store.timeZone)
    const today = local.toISODate()!
    const unit = view === 'year' ? 'year' : 'month'
    const format = view === 'year' ? 'yyyy' : 'yyyy-MM'
    let start = typeof key === 'string' ? DateTime.fromFormat(key, format, { zone: 'utc' }) : null
    if (!start?.isValid || start.year < FIRST_YEAR || start.year > LAST_YEAR) start = DateTime.fromISO(today, { zone: 'utc' }).startOf(unit)
    const make = (from: DateTime, upTo: DateTime | null): Period => {
      const end = from.endOf(unit)
      const to = upTo === null ? end : DateTime.min(end, upTo)
      return { view, key: from.toFormat(format), label: from.toFormat(view === 'year' ? 'yyyy' : 'LLLL yyyy'), from: from.toISODate()!, to: to.toISODate()!, toDate: upTo !== null }
    }
    // A period still running: up to today, against the one before up to the same date (the 29th
    // of February to the 28th). Counting the same number of days instead ended a year before or
    // after a leap year a day off: on 1 March 2025, 2024 "to date" ended on 29 February, so this
    // March was set against no day of the last one, and every later month against one day more or less
    const running = start.toISODate()! <= today && today <= start.endOf(unit).toISODate()!
    const day = DateTime.fromISO(today, { zone: 'utc' })
    return { current: make(start, running ? day : null), previous: make(start.minus({ [unit + 's']: 1 }), running ? day.minus({ [unit + 's']: 1 }) : null) }
  }

  /** Sales and refunds per day of the period */
  async daily(store: Store, from: string, to: string): Promise<Map<string, Figures>> {
    const days = new Map<string, Figures>()
    for (let d = DateTime.fromISO(from, { zone: 'utc' }); d.toISODate()! <= to; d = d.plus({ days: 1 })) days.set(d.toISODate()!, zero())
    const { summary, lines } = await this.reports.split(store, from, to)
    const add = (day: string, row: any) => {
      const entry = days.get(day)
      if (!entry) return
      entry.count += n(row.count)
      entry.total += n(row.total)
      entry.rounding += n(row.rounding)
      entry.tax += n(row.tax)
      entry.discounts += n(row.discounts)
      entry.refunds += n(row.refunds)
      entry.refunded += n(row.refunded)
    }
    if (summary) {
      const rows = await db
        .from('summary_sales')
        .where('store_id', store.id)
        .whereBetween('day', [summary.from, summary.to])
        .groupBy('day')
        .select('day', db.raw(`sum(${TAKEN}) as total`))
        .sum({ count: 'sales_count', rounding: 'rounding_total', tax: 'tax_total', discounts: 'discount_total', refunds: 'refund_count', refunded: 'refund_total' })
      for (const row of rows) add(String(row.day), row)
    }
    if (lines) {
      // Summed per UTC quarter hour, each placed on its store day (today, and any day not rolled up yet)
      const client = db.connection()
      const { start, end } = this.sales.dayRange(store, lines.from, lines.to)
      const range: [string, string] = [dbTimestamp(start!), dbTimestamp(end!)]
      const sale = quarterColumns(client, 'completed_at')
      const refund = quarterColumns(client, 'created_at')
      const [sold, back] = await Promise.all([
        client.from('sales').where({ store_id: store.id, status: 'completed' }).whereBetween('completed_at', range)
          .select(client.raw(`${sale.hour} as h`), client.raw(`${sale.quarter} as q`), client.raw(`sum(${TAKEN}) as total`)).count('* as count').sum({ rounding: 'rounding_total', tax: 'tax_total', discounts: 'discount_total' }).groupByRaw(`${sale.hour}, ${sale.quarter}`),
        client.from('refunds').where('store_id', store.id).whereBetween('created_at', range)
          .select(client.raw(`${refund.hour} as h`), client.raw(`${refund.quarter} as q`)).count('* as refunds').sum('total as refunded').groupByRaw(`${refund.hour}, ${refund.quarter}`),
      ])
      for (const row of [...sold, ...back] as any[]) add(bucketDay(String(row.h), n(row.q), store.timeZone), row)
    }
    return days
  }

  /** The period's figures by day (a month) or by month (a year), with its totals */
  async figures(store: Store, period: Period) {
    const days = await this.daily(store, period.from, period.to)
    const buckets = new Map<string, Figures>()
    const totals = zero()
    for (const [day, f] of days) {
      const key = period.view === 'year' ? day.slice(0, 7) : day
      const bucket = buckets.get(key) ?? zero()
      for (const k of Object.keys(totals) as (keyof Figures)[]) {
        bucket[k] += f[k]
        totals[k] += f[k]
      }
      buckets.set(key, bucket)
    }
    return { buckets: [...buckets].map(([key, f]) => ({ key, ...f })), totals }
  }

  /** This period against the one before: totals, the buckets side by side, products and categories */
  async compare(store: Store, view: PeriodView, key: unknown) {
    const { current, previous } = this.periods(store, view, key)
    const [now, before, products, productsBefore] = await Promise.all([
      this.figures(store, current),
      this.figures(store, previous),
      this.reports.products(store, current.from, current.to),
      this.reports.products(store, previous.from, previous.to),
    ])
    // Bucket i of this period beside bucket i of the one before (day 1 with day 1, January with
    // January). The days of a longer period before (the 29th to 31st of January beside February)
    // get rows of their own, this period's side empty (key ''): they were in its totals and in no row
    const rows = Array.from({ length: Math.max(now.buckets.length, before.buckets.length) }, (_, i) => ({
      ...(now.buckets[i] ?? { key: '', ...zero() }),
      previous: before.buckets[i] ?? { key: '', ...zero() },
    }))
    const revenueBefore = new Map(productsBefore.all.map((p) => [p.productId, p.revenue]))
    const categoriesBefore = new Map(productsBefore.categories.map((c) => [c.category, c.revenue]))
    const withBefore = (p: ProductRow) => ({ ...p, marginRate: marginRate(p.margin, p.revenue), previousRevenue: revenueBefore.get(p.productId) ?? 0 })
    // What sold in the period before and not in this one keeps a row of zeros beside its revenue
    // then: left out, a product or category that stopped selling was not in the comparison, and
    // the column of the period before did not add up to its revenue
    const soldNow = new Set(products.all.map((p) => p.productId))
    const categoriesNow = new Set(products.categories.map((c) => c.category))
    const goneProducts = productsBefore.all.filter((p) => !soldNow.has(p.productId)).sort((a, b) => b.revenue - a.revenue || a.name.localeCompare(b.name))
    const goneCategories = productsBefore.categories.filter((c) => !categoriesNow.has(c.category)).sort(byRevenueThenCategory)
    return {
      current,
      previous,
      totals: now.totals,
      previousTotals: before.totals,
      rows,
      best: products.best.map(withBefore),
      worst: products.worst.map(withBefore),
      all: [...products.all, ...goneProducts.map((p) => ({ ...p, sold: 0, returned: 0, quantity: 0, revenue: 0, cost: 0, margin: 0 }))].map(withBefore),
      categories: [...products.categories, ...goneCategories.map((c) => ({ category: c.category, sold: 0, returned: 0, revenue: 0, margin: 0 }))].map((c) => ({
        ...c,
        marginRate: marginRate(c.margin, c.revenue),
        previousRevenue: categoriesBefore.get(c.category) ?? 0,
      })),
      margin: products.all.reduce((sum, p) => sum + p.margin, 0),
      previousMargin: productsBefore.all.reduce((sum, p) => sum + p.margin, 0),
    }
  }
}

/** A share in per cent with one decimal, or null when there is nothing to divide by */
export function rate(part: number, whole: number): number | null {
  return whole ? Math.round((part / whole) * 1000) / 10 : null
}

/**
 * The margin as a share of the revenue, or null without a revenue above zero: a month whose only
 * movement of a product is the return of an earlier sale has a revenue and a margin below zero,
 * whose quotient (-7.99 / -12.99) read as a healthy 61.5 %
 */
export function marginRate(margin: number, revenue: number): number | null {
  return revenue > 0 ? rate(margin, revenue) : null
}

/** The change from before to now in per cent with one decimal (null when before is zero) */
export function change(now: number, before: number): number | null {
  return before ? Math.round(((now - before) / Math.abs(before)) * 1000) / 10 : null
}
