import { DateTime } from 'luxon'
import db from '@adonisjs/lucid/services/db'
import type Store from '#models/store'
import { currencyDigits, minorToDecimal } from '#services/money'
import { dbTimestamp } from '#services/db_time'
import type { BookDay, BookSaleLine, BookTax, ExportPeriod, ExportSource } from '#plugins/contracts/accounting_export'

/*
| A store's books for a period, read from the database with aggregate SQL, one store day at a
| time. Sales belong to the store day (its time zone) in which they completed; times are stored
| in UTC, so each day's UTC bounds are worked out here (DST included) and handed to the SQL as a
| small table of days. Only completed sales count; payments count with their sale.
*/

/** Days read per round of queries: a month keeps the SQL small and memory flat */
const DAYS_PER_CHUNK = 31
/** Sale lines read per query when streaming them */
const LINES_PER_CHUNK = 5000

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
    amount: (minor: number) => minorToDecimal(minor, store.currency),
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
    const refunds = await refundsTable()
    for (let i = 0; i < this.#days.length; i += DAYS_PER_CHUNK) {
      const chunk = this.#days.slice(i, i + DAYS_PER_CHUNK)
      const byDay = new Map<string, BookDay>(chunk.map((d) => [d.day, emptyDay(d.day)]))
      const [sales, lines, payments] = await Promise.all([
        this.#query(chunk, 'count(*) as sale_count, sum(s.rounding_total) as rounding', '', 'd.day'),
        this.#query(
          chunk,
          'i.tax_class, i.tax_rate_ppm, sum(i.total - i.tax_total) as net, sum(i.line_discount + i.cart_discount_share) as discounts, sum(i.tax_total) as tax',
          'join sale_items i on i.sale_id = s.id',
          'd.day, i.tax_class, i.tax_rate_ppm'
        ),
        this.#query(chunk, 'p.method, sum(p.amount) as amount', "join payments p on p.sale_id = s.id and p.status = 'approved'", 'd.day, p.method'),
      ])
      for (const row of sales) {
        const day = byDay.get(row.day)!
        day.saleCount = Number(row.sale_count)
        day.rounding = Number(row.rounding ?? 0)
      }
      const taxes = new Map<string, BookTax>()
      for (const row of lines) {
        const day = byDay.get(row.day)!
        day.sales += Number(row.net)
        day.discounts += Number(row.discounts)
        const amount = Number(row.tax)
        const ratePpm = Number(row.tax_rate_ppm)
        if (amount === 0 && ratePpm === 0) continue
        const key = `${row.day}|${row.tax_class}|${ratePpm}`
        const tax = taxes.get(key)
        if (tax) tax.amount += amount
        else {
          const entry = { code: row.tax_class, name: taxNames.get(row.tax_class) ?? row.tax_class, ratePpm, amount }
          taxes.set(key, entry)
          day.taxes.push(entry)
        }
      }
      for (const row of payments) byDay.get(row.day)!.payments.push({ method: row.method, amount: Number(row.amount) })
      if (refunds) await this.#addRefunds(chunk, byDay)

      for (const bounds of chunk) {
        const day = byDay.get(bounds.day)!
        day.taxes.sort((a, b) => compare(a.code, b.code) || a.ratePpm - b.ratePpm)
        day.payments.sort((a, b) => compare(a.method, b.method))
        day.refunds.sort((a, b) => compare(a.method, b.method))
        yield day
      }
    }
  }

  async *saleLines(): AsyncIterable<BookSaleLine> {
    if (!this.#days.length) return
    const first = this.#days[0]
    const last = this.#days.at(-1)!
    let dayIndex = 0
    // The keyset of the last line read: (completed_at, sale id, line id)
    let after: { at: string; saleId: number; itemId: number } | null = null
    while (true) {
      const query = db
        .from('sales as s')
        .join('sale_items as i', 'i.sale_id', 's.id')
        .join('registers as r', 'r.id', 's.register_id')
        .where('s.store_id', this.store.id)
        .where('s.status', 'completed')
        .where('s.completed_at', '>=', first.starts)
        .where('s.completed_at', '<', last.ends)
        .select(
          's.id as sale_id', 's.number', 's.completed_at', 'r.name as register', 'i.id as item_id', 'i.sku', 'i.name',
          'i.quantity', 'i.unit_price', 'i.line_discount', 'i.cart_discount_share', 'i.tax_class', 'i.tax_rate_ppm',
          'i.tax_total', 'i.total'
        )
        .orderBy([{ column: 's.completed_at' }, { column: 's.id' }, { column: 'i.id' }])
        .limit(LINES_PER_CHUNK)
      if (after) {
        const { at, saleId, itemId } = after
        query.where((q) =>
          q
            .where('s.completed_at', '>', at)
            .orWhere((q2) =>
              q2.where('s.completed_at', at).where((q3) => q3.where('s.id', '>', saleId).orWhere((q4) => q4.where('s.id', saleId).where('i.id', '>', itemId)))
            )
        )
      }
      const rows = await query
      for (const row of rows) {
        const at = storedText(row.completed_at)
        while (dayIndex < this.#days.length - 1 && at >= this.#days[dayIndex].ends) dayIndex++
        const tax = Number(row.tax_total)
        const total = Number(row.total)
        yield {
          date: this.#days[dayIndex].day,
          completedAt: `${at.replace(' ', 'T')}Z`,
          saleId: Number(row.sale_id),
          register: row.register,
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
      if (rows.length < LINES_PER_CHUNK) return
      const end = rows.at(-1)
      after = { at: storedText(end.completed_at), saleId: Number(end.sale_id), itemId: Number(end.item_id) }
    }
  }

  /** One aggregate over the completed sales of a chunk of days, grouped by store day */
  async #query(chunk: DayBounds[], select: string, join: string, groupBy: string): Promise<any[]> {
    const days = chunk.map(() => 'select ? as day, ? as starts, ? as ends').join(' union all ')
    const sql = `select d.day, ${select}
      from sales s
      join (${days}) d on s.completed_at >= d.starts and s.completed_at < d.ends
      ${join}
      where s.store_id = ? and s.status = 'completed' and s.completed_at >= ? and s.completed_at < ?
      group by ${groupBy}
      order by ${groupBy}`
    const bindings = [...chunk.flatMap((d) => [d.day, d.starts, d.ends]), this.store.id, chunk[0].starts, chunk.at(-1)!.ends]
    return rowsOf(await db.rawQuery(sql, bindings))
  }

  async #taxNames(): Promise<Map<string, string>> {
    const rows = await db.from('tax_rates').where('store_id', this.store.id).select('tax_class', 'name')
    return new Map(rows.map((r) => [r.tax_class, r.name]))
  }

  /*
  | REFUNDS: the refunds table is being built on another branch. Until it exists this returns
  | nothing. When it exists, each refund counts on the store day it was made, by the method the
  | money went back by. The columns read here are checked first: if the table has another shape
  | the export fails loudly rather than producing books without refunds.
  */
  async #addRefunds(chunk: DayBounds[], byDay: Map<string, BookDay>) {
    const days = chunk.map(() => 'select ? as day, ? as starts, ? as ends').join(' union all ')
    const sql = `select d.day, f.method, sum(f.total) as total, sum(f.tax_total) as tax, sum(f.rounding_total) as rounding
      from refunds f
      join (${days}) d on f.created_at >= d.starts and f.created_at < d.ends
      where f.store_id = ? and f.created_at >= ? and f.created_at < ?
      group by d.day, f.method
      order by d.day, f.method`
    const bindings = [...chunk.flatMap((d) => [d.day, d.starts, d.ends]), this.store.id, chunk[0].starts, chunk.at(-1)!.ends]
    for (const row of rowsOf(await db.rawQuery(sql, bindings))) {
      const day = byDay.get(row.day)!
      const total = Number(row.total)
      const tax = Number(row.tax)
      const rounding = Number(row.rounding ?? 0)
      day.refunds.push({ method: row.method, amount: total + rounding })
      day.refundedSales += total - tax
      day.refundedTax += tax
      day.refundRounding += rounding
    }
  }
}

const REFUND_COLUMNS = ['store_id', 'created_at', 'method', 'total', 'tax_total', 'rounding_total']

/** Whether the refunds table exists (see #addRefunds); throws when it has a shape the books do not know */
async function refundsTable(): Promise<boolean> {
  if (!(await db.connection().schema.hasTable('refunds'))) return false
  const info = await db.connection().columnsInfo('refunds')
  const missing = REFUND_COLUMNS.filter((c) => !(c in info))
  if (missing.length) {
    throw new Error(`The refunds table lacks ${missing.join(', ')}: adapt BooksSource#addRefunds to it`)
  }
  return true
}

function emptyDay(date: string): BookDay {
  return { date, saleCount: 0, sales: 0, discounts: 0, taxes: [], payments: [], refunds: [], refundedSales: 0, refundedTax: 0, refundRounding: 0, rounding: 0 }
}

/** Byte order, never the locale's: the same rows always sort the same way */
function compare(a: string, b: string) {
  return a < b ? -1 : a > b ? 1 : 0
}

/** db.rawQuery answers rows on SQLite and [rows, fields] on MySQL */
function rowsOf(result: any): any[] {
  return Array.isArray(result) && Array.isArray(result[0]) ? result[0] : result
}
