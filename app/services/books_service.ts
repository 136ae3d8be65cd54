import { DateTime } from 'luxon'
import db from '@adonisjs/lucid/services/db'
import type Store from '#models/store'
import { currencyDigits } from '#services/money'
import { dbTimestamp } from '#services/db_time'
import type { BookDay, BookSaleLine, BookTax, ExportPeriod, ExportSource } from '#plugins/contracts/accounting_export'

/*
| A store's books for a period, read from the database with aggregate SQL, one store day at a
| time. Sales belong to the store day (its time zone) in which they completed; times are stored
| in UTC, so each day's UTC bounds are worked out here (DST included) and the SQL reads one
| day's index range at a time. Only completed sales count; payments count with their sale.
*/

/** Sale lines read per query when streaming them (a busy day takes one or two) */
const LINES_PER_PAGE = 2000

interface DayBounds {
  day: string
  starts: string
  ends: string
}

export function exportPeriod(store: Store, from: string, to: string): ExportPeriod {
  const digits = currencyDigits(store.currency)
  return {
    storeId: store.id,
    from,
    to,
    timeZone: store.timeZone,
    currency: store.currency,
    currencyDigits: digits,
    amount: decimalFormatter(digits),
  }
}

/** Minor units as decimal text with the currency's digits, by integer arithmetic: 123456 -> "1234.56" */
function decimalFormatter(digits: number): (minor: number) => string {
  if (digits === 0) return (minor) => String(minor)
  const unit = 10 ** digits
  return (minor) => {
    const abs = minor < 0 ? -minor : minor
    const fraction = String(abs % unit).padStart(digits, '0')
    return `${minor < 0 ? '-' : ''}${(abs - (abs % unit)) / unit}.${fraction}`
  }
}

/** The UTC bounds of each store day from..to (inclusive), as stored timestamps */
export function storeDays(timeZone: string, from: string, to: string): DayBounds[] {
  const days: DayBounds[] = []
  let day = DateTime.fromISO(from, { zone: timeZone }).startOf('day')
  const last = DateTime.fromISO(to, { zone: timeZone }).startOf('day')
  while (day <= last) {
    const next = day.plus({ days: 1 }).startOf('day')
    days.push({ day: day.toISODate()!, starts: dbTimestamp(day), ends: dbTimestamp(next) })
    day = next
  }
  return days
}

/** A stored timestamp as text 'yyyy-MM-dd HH:mm:ss' (SQLite gives text, MySQL a Date) */
function storedText(value: string | Date): string {
  if (value instanceof Date) return value.toISOString().slice(0, 19).replace('T', ' ')
  return String(value).slice(0, 19)
}

export class BooksSource implements ExportSource {
  #days: DayBounds[]

  constructor(
    private store: Store,
    from: string,
    to: string
  ) {
    this.#days = storeDays(store.timeZone, from, to)
  }

  async *days(): AsyncIterable<BookDay> {
    const taxNames = await this.#taxNames()
    // One small indexed range query per aggregate and day: faster on both databases than one
    // query that buckets a month of sales by day, and DST-proof since the bounds come from here
    for (const bounds of this.#days) {
      const day = emptyDay(bounds.day)
      const [sales, lines, payments] = await Promise.all([
        this.#completed(bounds).select(db.raw('count(*) as sale_count'), db.raw('sum(s.rounding_total) as rounding')),
        this.#completed(bounds)
          .join('sale_items as i', 'i.sale_id', 's.id')
          .select('i.tax_class', 'i.tax_rate_ppm')
          .select(db.raw('sum(i.total - i.tax_total) as net'), db.raw('sum(i.line_discount + i.cart_discount_share) as discounts'), db.raw('sum(i.tax_total) as tax'))
          .groupBy('i.tax_class', 'i.tax_rate_ppm'),
        this.#completed(bounds)
          .join('payments as p', 'p.sale_id', 's.id')
          .where('p.status', 'approved')
          .select('p.method')
          .select(db.raw('sum(p.amount) as amount'))
          .groupBy('p.method'),
      ])
      day.saleCount = Number(sales[0]?.sale_count ?? 0)
      day.rounding = Number(sales[0]?.rounding ?? 0)
      const taxes = new Map<string, BookTax>()
      for (const row of lines) {
        day.sales += Number(row.net)
        day.discounts += Number(row.discounts)
        const amount = Number(row.tax)
        const ratePpm = Number(row.tax_rate_ppm)
        if (amount === 0 && ratePpm === 0) continue
        const key = `${row.tax_class}|${ratePpm}`
        const tax = taxes.get(key)
        if (tax) tax.amount += amount
        else taxes.set(key, { code: row.tax_class, name: taxNames.get(row.tax_class) ?? row.tax_class, ratePpm, amount })
      }
      day.taxes = [...taxes.values()].sort((a, b) => compare(a.code, b.code) || a.ratePpm - b.ratePpm)
      day.payments = payments.map((row) => ({ method: row.method, amount: Number(row.amount) })).sort((a, b) => compare(a.method, b.method))
      await this.#addRefunds(bounds, day)
      yield day
    }
  }

  async *saleLines(): AsyncIterable<BookSaleLine> {
    const registers = new Map<number, string>(
      (await db.from('registers').where('store_id', this.store.id).select('id', 'name')).map((r) => [Number(r.id), r.name])
    )
    for (const bounds of this.#days) {
      // The day's lines in order, LINES_PER_PAGE at a time, after the (time, sale, line) read last
      let after: { at: string; saleId: number; itemId: number } | null = null
      while (true) {
        const query = this.#completed(bounds)
          .join('sale_items as i', 'i.sale_id', 's.id')
          .select(
            's.id as sale_id', 's.number', 's.register_id', 's.completed_at', 'i.id as item_id', 'i.sku', 'i.name', 'i.quantity',
            'i.unit_price', 'i.line_discount', 'i.cart_discount_share', 'i.tax_class', 'i.tax_rate_ppm', 'i.tax_total', 'i.total'
          )
          .orderBy([{ column: 's.completed_at' }, { column: 's.id' }, { column: 'i.id' }])
          .limit(LINES_PER_PAGE)
        if (after) {
          const { at, saleId, itemId } = after
          query.where((q) =>
            q
              .where('s.completed_at', '>', at)
              .orWhere((q2) => q2.where('s.completed_at', at).where((q3) => q3.where('s.id', '>', saleId).orWhere((q4) => q4.where('s.id', saleId).where('i.id', '>', itemId))))
          )
        }
        const rows = await query
        let lastAt = ''
        let completedAt = ''
        for (const row of rows) {
          const at = storedText(row.completed_at)
          if (at !== lastAt) {
            lastAt = at
            completedAt = `${at.replace(' ', 'T')}Z`
          }
          const tax = Number(row.tax_total)
          const total = Number(row.total)
          yield {
            date: bounds.day,
            completedAt,
            saleId: Number(row.sale_id),
            register: registers.get(Number(row.register_id)) ?? '',
            number: Number(row.number),
            sku: row.sku,
            name: row.name,
            quantity: Number(row.quantity),
            unitPrice: Number(row.unit_price),
            discount: Number(row.line_discount) + Number(row.cart_discount_share),
            taxCode: row.tax_class,
            taxRatePpm: Number(row.tax_rate_ppm),
            tax,
            net: total - tax,
            total,
          }
        }
        if (rows.length < LINES_PER_PAGE) break
        const last = rows.at(-1)
        after = { at: storedText(last.completed_at), saleId: Number(last.sale_id), itemId: Number(last.item_id) }
      }
    }
  }

  /** The store's completed sales of one store day */
  #completed(bounds: DayBounds) {
    return db
      .from('sales as s')
      .where('s.store_id', this.store.id)
      .where('s.status', 'completed')
      .where('s.completed_at', '>=', bounds.starts)
      .where('s.completed_at', '<', bounds.ends)
  }

  async #taxNames(): Promise<Map<string, string>> {
    const rows = await db.from('tax_rates').where('store_id', this.store.id).select('tax_class', 'name')
    return new Map(rows.map((r) => [r.tax_class, r.name]))
  }

  /**
   * Refunds count on the store day they were made: the goods' value and its tax from the
   * refunds, the money by the tender it went back by (refund_payments). An exchange's credit
   * ('exchange') is paid back here and received by the new sale, so the two cancel out.
   */
  async #addRefunds(bounds: DayBounds, day: BookDay) {
    const ofDay = (query: any) =>
      query.where('f.store_id', this.store.id).where('f.created_at', '>=', bounds.starts).where('f.created_at', '<', bounds.ends)
    const totals = await ofDay(db.from('refunds as f'))
      .select(db.raw('coalesce(sum(f.total), 0) as total'), db.raw('coalesce(sum(f.tax_total), 0) as tax'))
      .first()
    const byMethod = await ofDay(db.from('refund_payments as p').join('refunds as f', 'f.id', 'p.refund_id'))
      .select('p.method', db.raw('sum(p.amount) as amount'))
      .groupBy('p.method')
    const total = Number(totals?.total ?? 0)
    const tax = Number(totals?.tax ?? 0)
    let paid = 0
    for (const row of byMethod) {
      const amount = Number(row.amount)
      paid += amount
      day.refunds.push({ method: row.method, amount })
    }
    day.refundedSales += total - tax
    day.refundedTax += tax
    day.refundRounding += paid - total
    day.refunds.sort((a, b) => compare(a.method, b.method))
  }
}


function emptyDay(date: string): BookDay {
  return { date, saleCount: 0, sales: 0, discounts: 0, taxes: [], payments: [], refunds: [], refundedSales: 0, refundedTax: 0, refundRounding: 0, rounding: 0 }
}

/** Byte order, never the locale's: the same rows always sort the same way */
function compare(a: string, b: string) {
  return a < b ? -1 : a > b ? 1 : 0
}

