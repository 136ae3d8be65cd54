import { DateTime } from 'luxon'
import db from '@adonisjs/lucid/services/db'
import type Store from '#models/store'
import { currencyDigits } from '#core/money'
import { dbTimestamp } from '#platform/db_time'
import { splitRefundTax, stackedLineTaxes, stackedTaxes, stackedTaxesSql } from '#accounting/tax_components'
import type { BookDay, BookSaleLine, BookTax, ExportPeriod, ExportSource } from '#plugins/contracts/accounting_export'

/*
| A store's books for a period, read from the database. Sales belong to the store day (its time
| zone) in which they completed; times are stored in UTC, so each day's UTC bounds are worked out
| here (DST included) and the SQL reads index ranges of whole days. Only completed sales count;
| payments count with their sale, refunds on the day they were made.
*/

/**
 * Store days summed per round of five grouped queries (a year: 265 queries, not 1,830 small
 * ones); a week keeps each one short, as on SQLite a query holds the one connection and the
 * event loop while it runs
 */
const DAYS_PER_QUERY = 7
/** A sale line with more than one tax (state, county, city): its tax is booked per component */
const STACKED = stackedTaxesSql('i.taxes')
/**
 * Sale lines read per query; a page ends on a whole sale. With 5,000 (and the next page read
 * ahead), one export in four let V8's old generation grow by 200 MB and ran at half speed:
 * 2,000 keeps fewer rows alive across collections and stayed at +77-97 MB in every run.
 */
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

export class BooksSource implements ExportSource {
  #days: DayBounds[]

  constructor(
    private store: Store,
    from: string,
    to: string
  ) {
    this.#days = storeDays(store.timeZone, from, to)
  }

  /**
   * The zone's offset in each quarter of a UTC hour met (a line's time beside its store day, not
   * in UTC). Clocks change on a quarter hour of UTC, whatever the zone (offsets are whole
   * quarters: Lord Howe changes at 15:30 UTC), so a quarter has one offset
   */
  #offsets = new Map<string, { minutes: number; text: string }>()

  /** A UTC database time ('yyyy-MM-dd HH:mm:ss') in the store's zone, with its offset */
  #localTime(at: string) {
    const quarter = `${at.slice(0, 13)}:${Math.floor(Number(at.slice(14, 16)) / 15)}`
    let offset = this.#offsets.get(quarter)
    if (!offset) {
      const local = DateTime.fromSQL(at, { zone: 'utc' }).setZone(this.store.timeZone)
      offset = { minutes: local.offset, text: local.toFormat('ZZ') }
      this.#offsets.set(quarter, offset)
    }
    const utcMs = Date.parse(`${at.slice(0, 10)}T${at.slice(11, 19)}Z`)
    return `${new Date(utcMs + offset.minutes * 60_000).toISOString().slice(0, 19)}${offset.text}`
  }

  async *days(): AsyncIterable<BookDay> {
    const taxNames = await this.#taxNames()
    const length = bucketLength(this.#days)
    for (let first = 0; first < this.#days.length; first += DAYS_PER_QUERY) {
      yield* await this.#summaries(this.#days.slice(first, first + DAYS_PER_QUERY), length, taxNames)
    }
  }

  /**
   * The books of a few days from five grouped queries. SQL sums by the first `length`
   * characters of the stored UTC time (an hour, or less when the zone is off UTC by a part of
   * an hour), a bucket that never straddles a store day's bound; the buckets add up to days here.
   */
  async #summaries(days: DayBounds[], length: number, taxNames: Map<string, string>): Promise<BookDay[]> {
    const period = { starts: days[0].starts, ends: days.at(-1)!.ends }
    const saleBucket = `substr(s.completed_at, 1, ${length})`
    const refundBucket = `substr(f.created_at, 1, ${length})`
    const ofPeriod = (query: any) => query.where('f.store_id', this.store.id).where('f.created_at', '>=', period.starts).where('f.created_at', '<', period.ends)
    const [sales, lines, payments, refunds, refundPayments, refundTaxes, stackedRefunds] = await Promise.all([
      this.#completed(period)
        .select(db.raw(`${saleBucket} as bucket`), db.raw('count(*) as sale_count'), db.raw('sum(s.rounding_total) as rounding'))
        .groupByRaw(saleBucket),
      this.#completed(period)
        .join('sale_items as i', 'i.sale_id', 's.id')
        .select(db.raw(`${saleBucket} as bucket`), 'i.tax_class', 'i.tax_rate_ppm')
        // A discount off a price that included tax held its tax: it is booked without it, as the
        // sales it reduces are (Sales and Discounts were both over by the tax in the discount)
        .select(
          db.raw('sum(i.total - i.tax_total) as net'),
          db.raw(
            'sum(case when i.tax_total <> 0 and i.total = i.subtotal - i.line_discount - i.cart_discount_share then (i.line_discount + i.cart_discount_share) * 1000000.0 / (1000000 + i.tax_rate_ppm) else i.line_discount + i.cart_discount_share end) as discounts'
          ),
          db.raw('sum(i.tax_total) as tax'),
          // A stacked line's tax is booked per component below, and taken off its group's here
          // (one test of its text per line: two made a year's journal 20% slower on SQLite)
          db.raw(`sum(case when ${STACKED} then 1 else 0 end) as stacked`),
          db.raw('count(*) as line_count')
        )
        .groupByRaw(`${saleBucket}, i.tax_class, i.tax_rate_ppm`),
      this.#completed(period)
        .join('payments as p', 'p.sale_id', 's.id')
        .where('p.status', 'approved')
        .select(db.raw(`${saleBucket} as bucket`), 'p.method', db.raw('sum(p.amount) as amount'))
        .groupByRaw(`${saleBucket}, p.method`),
      ofPeriod(db.from('refunds as f'))
        .select(db.raw(`${refundBucket} as bucket`), db.raw('sum(f.tax_total) as tax'))
        .groupByRaw(refundBucket),
      ofPeriod(db.from('refund_payments as p').join('refunds as f', 'f.id', 'p.refund_id'))
        .select(db.raw(`${refundBucket} as bucket`), 'p.method', db.raw('sum(p.amount) as amount'))
        .groupByRaw(`${refundBucket}, p.method`),
      // The goods' value and the tax refunded, by the rate its sale's line was taxed at; a return
      // without a receipt keeps no rate: its product's class and that class's rate now (a tax
      // plugin's: 0, in the memo)
      ofPeriod(db.from('refund_items as r').join('refunds as f', 'f.id', 'r.refund_id'))
        .leftJoin('sale_items as i', 'i.id', 'r.sale_item_id')
        .leftJoin('products as pr', 'pr.id', 'r.product_id')
        .leftJoin('tax_rates as tr', (on: any) => on.on('tr.store_id', 'f.store_id').andOn('tr.tax_class', 'pr.tax_class'))
        .whereRaw(`not ${STACKED}`)
        .select(db.raw(`${refundBucket} as bucket`), db.raw('coalesce(i.tax_class, pr.tax_class) as tax_class'), db.raw('coalesce(i.tax_rate_ppm, tr.rate_ppm, 0) as rate'), db.raw('sum(r.tax_amount) as tax'), db.raw('sum(r.amount) as amount'))
        .groupByRaw(`${refundBucket}, coalesce(i.tax_class, pr.tax_class), coalesce(i.tax_rate_ppm, tr.rate_ppm, 0)`),
      // Returns of stacked lines, each split across its line's components
      ofPeriod(db.from('refund_items as r').join('refunds as f', 'f.id', 'r.refund_id'))
        .join('sale_items as i', 'i.id', 'r.sale_item_id')
        .whereRaw(STACKED)
        .select(db.raw(`${refundBucket} as bucket`), 'i.taxes', 'r.tax_amount', 'r.amount'),
    ])

    // The stacked lines one by one, read only when there are some (a store of flat rates has none)
    const stackedLines = lines.some((row: any) => Number(row.stacked) > 0)
      ? await this.#completed(period).join('sale_items as i', 'i.sale_id', 's.id').whereRaw(STACKED)
          .select(db.raw(`${saleBucket} as bucket`), 'i.tax_class', 'i.tax_rate_ppm', 'i.tax_total', 'i.taxes')
      : []

    const sums = days.map((bounds) => ({
      day: emptyDay(bounds.day),
      taxes: new Map<string, BookTax>(),
      payments: new Map<string, number>(),
      refunds: new Map<string, number>(),
      refundedTaxes: new Map<string, BookTax>(),
      refundedGoods: 0,
    }))
    const firsts = days.map((bounds) => bounds.starts.slice(0, length))
    /** The day of a bucket: the last whose start is not after it */
    const of = (bucket: string) => {
      let low = 0
      let high = firsts.length - 1
      while (low < high) {
        const middle = (low + high + 1) >> 1
        if (firsts[middle] <= bucket) low = middle
        else high = middle - 1
      }
      return sums[low]
    }
    const add = (totals: Map<string, number>, key: string, amount: number) => totals.set(key, (totals.get(key) ?? 0) + amount)

    for (const row of sales) {
      const { day } = of(row.bucket)
      day.saleCount += Number(row.sale_count)
      day.rounding += Number(row.rounding)
    }
    // A tax class is named as the store names its rate; a stacked line's component by its own name
    const addTax = (taxes: Map<string, BookTax>, code: string, ratePpm: number, amount: number, name?: string) => {
      const key = `${code}|${ratePpm}`
      const tax = taxes.get(key)
      if (tax) tax.amount += amount
      else taxes.set(key, { code, name: name ?? taxNames.get(code) ?? code, ratePpm, amount })
    }
    for (const row of lines) {
      const sum = of(row.bucket)
      sum.day.sales += Number(row.net)
      sum.day.discounts += Math.round(Number(row.discounts))
      if (Number(row.line_count) > Number(row.stacked)) addTax(sum.taxes, row.tax_class, Number(row.tax_rate_ppm), Number(row.tax))
    }
    // A group booked above with lines of one tax had its stacked lines' tax in it too: taken off
    const group = (row: any) => `${row.bucket}|${row.tax_class}|${Number(row.tax_rate_ppm)}`
    const mixed = new Set(lines.filter((row: any) => Number(row.stacked) > 0 && Number(row.line_count) > Number(row.stacked)).map(group))
    for (const row of stackedLines) {
      const sum = of(row.bucket)
      if (mixed.has(group(row))) addTax(sum.taxes, row.tax_class, Number(row.tax_rate_ppm), -Number(row.tax_total))
      for (const tax of stackedTaxes(row.taxes) ?? []) addTax(sum.taxes, tax.code, tax.ratePpm, tax.amount, tax.name)
    }
    for (const row of refundTaxes) {
      const sum = of(row.bucket)
      addTax(sum.refundedTaxes, String(row.tax_class ?? ''), Number(row.rate), Number(row.tax))
      sum.refundedGoods += Number(row.amount)
    }
    for (const row of stackedRefunds) {
      const sum = of(row.bucket)
      for (const tax of splitRefundTax(stackedTaxes(row.taxes) ?? [], Number(row.tax_amount))) addTax(sum.refundedTaxes, tax.code, tax.ratePpm, tax.amount, tax.name)
      sum.refundedGoods += Number(row.amount)
    }
    for (const row of payments) add(of(row.bucket).payments, row.method, Number(row.amount))
    // Refunds count on the store day they were made: the goods' value from their lines and its
    // tax, the money by the tender it went back by (refund_payments), and the difference as cash
    // rounding. A refund's total is the money (its cash in the smallest coin): booked as the goods,
    // the Refunds account took the coin's difference and the rounding of refunds was always 0.
    // An exchange's credit ('exchange') is paid back here and received by the new sale, so the
    // two cancel out.
    for (const row of refunds) of(row.bucket).day.refundedTax += Number(row.tax)
    for (const sum of sums) sum.day.refundedSales = sum.refundedGoods - sum.day.refundedTax
    for (const row of refundPayments) add(of(row.bucket).refunds, row.method, Number(row.amount))

    const ordered = (taxes: Map<string, BookTax>) => [...taxes.values()].filter((t) => t.amount !== 0 || t.ratePpm !== 0).sort((a, b) => compare(a.code, b.code) || a.ratePpm - b.ratePpm)
    return sums.map(({ day, taxes, payments, refunds, refundedTaxes, refundedGoods }) => {
      day.taxes = ordered(taxes)
      day.refundedTaxes = ordered(refundedTaxes).filter((t) => t.amount !== 0)
      day.payments = [...payments].map(([method, amount]) => ({ method, amount })).sort((a, b) => compare(a.method, b.method))
      day.refunds = [...refunds].map(([method, amount]) => ({ method, amount })).sort((a, b) => compare(a.method, b.method))
      day.refundRounding = day.refunds.reduce((paid, r) => paid + r.amount, 0) - refundedGoods
      return day
    })
  }

  async *saleLines(): AsyncIterable<BookSaleLine> {
    if (!this.#days.length) return
    const registers = new Map<number, string>(
      (await db.from('registers').where('store_id', this.store.id).select('id', 'name')).map((r) => [Number(r.id), r.name])
    )
    let next: Promise<LinesPage> | null = this.#linesPage(0, null)
    while (next) {
      const page: LinesPage = await next
      // The database reads the next page while this one is written out
      next = page.next ? this.#linesPage(page.next.day, page.next.after) : null
      // Handled when awaited; until then (or if the client goes away first) a failure is not an unhandled rejection
      next?.catch(() => {})
      const date = this.#days[page.day].day
      let lastAt = ''
      let completedAt = ''
      for (const row of page.rows) {
        const at: string = row.completed_at
        if (at !== lastAt) {
          lastAt = at
          completedAt = this.#localTime(at)
        }
        yield {
          date,
          completedAt,
          saleId: row.sale_id,
          register: registers.get(row.register_id) ?? '',
          number: row.number,
          sku: row.sku,
          name: row.name,
          quantity: row.quantity,
          unitPrice: row.unit_price,
          discount: row.line_discount + row.cart_discount_share,
          taxCode: row.tax_class,
          taxRatePpm: row.tax_rate_ppm,
          tax: row.tax_total,
          net: row.total - row.tax_total,
          total: row.total,
          ...stackedLineTaxes(row.taxes),
        }
      }
    }
  }

  /**
   * A page of one day's lines in order (time, sale, line), after the sale read last. The SQL
   * orders by sale only, which the index on (store_id, completed_at) gives without a sort on
   * both databases (MariaDB would sort the joined rows of the whole range for the line order;
   * a range wider than a day also makes it scan the store's index from its start, page after
   * page); the lines of each sale are put in order here.
   */
  async #linesPage(day: number, after: { at: string; saleId: number } | null): Promise<LinesPage> {
    const bounds = this.#days[day]
    const lines = () =>
      this.#completed(bounds)
        .join('sale_items as i', 'i.sale_id', 's.id')
        .select(
          's.id as sale_id', 's.number', 's.register_id', 'i.id as item_id', 'i.sku', 'i.name', 'i.quantity', 'i.unit_price',
          'i.line_discount', 'i.cart_discount_share', 'i.tax_class', 'i.tax_rate_ppm', 'i.tax_total', 'i.total'
        )
        // Only a stacked line's taxes: the JSON of a line of one tax says nothing its columns do not
        .select(db.raw(`case when ${STACKED} then i.taxes end as taxes`))
        // as text on both databases (mysql2 would make a Date of it)
        .select(db.raw('cast(s.completed_at as char) as completed_at'))
    const query = lines().orderBy([{ column: 's.completed_at' }, { column: 's.id' }]).limit(LINES_PER_PAGE)
    if (after) query.where('s.completed_at', '>=', after.at).where((q) => q.where('s.completed_at', '>', after.at).orWhere('s.id', '>', after.saleId))
    let rows: any[] = await query
    if (rows.length < LINES_PER_PAGE) {
      return { day, rows: inLineOrder(rows), next: day + 1 < this.#days.length ? { day: day + 1, after: null } : null }
    }
    // A full page may end inside a sale: that sale is read again, whole, with the next page
    const lastSale = rows.at(-1).sale_id
    let end = rows.length
    while (end > 0 && rows[end - 1].sale_id === lastSale) end--
    if (end === 0) rows = await lines().where('s.id', lastSale)
    else rows.length = end
    const last = rows.at(-1)
    return { day, rows: inLineOrder(rows), next: { day, after: { at: last.completed_at, saleId: last.sale_id } } }
  }

  /** The store's completed sales of a range of store days */
  #completed(bounds: { starts: string; ends: string }) {
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
}

interface LinesPage {
  day: number
  rows: any[]
  next: { day: number; after: { at: string; saleId: number } | null } | null
}

/** Rows of whole sales, each sale's lines put in the order they were rung up (by id) */
function inLineOrder(rows: any[]): any[] {
  for (let start = 0; start < rows.length; ) {
    let end = start + 1
    let ordered = true
    for (; end < rows.length && rows[end].sale_id === rows[start].sale_id; end++) {
      if (rows[end].item_id < rows[end - 1].item_id) ordered = false
    }
    if (!ordered) rows.splice(start, end - start, ...rows.slice(start, end).sort((a, b) => a.item_id - b.item_id))
    start = end
  }
  return rows
}

/**
 * How many leading characters of a stored time ('yyyy-MM-dd HH:mm:ss') make the bucket the
 * day summaries are grouped by: the hour, unless a store day starts inside one (a zone off UTC
 * by a half or three quarters of an hour), then ten minutes, the minute or the second.
 */
function bucketLength(days: DayBounds[]): number {
  const bounds = days.flatMap((d) => [d.starts, d.ends])
  for (const [length, zeros] of [[13, ':00:00'], [15, '0:00'], [16, ':00']] as const) {
    if (bounds.every((bound) => bound.endsWith(zeros))) return length
  }
  return 19
}

function emptyDay(date: string): BookDay {
  return { date, saleCount: 0, sales: 0, discounts: 0, taxes: [], payments: [], refunds: [], refundedSales: 0, refundedTax: 0, refundedTaxes: [], refundRounding: 0, rounding: 0 }
}

/** Byte order, never the locale's: the same rows always sort the same way */
function compare(a: string, b: string) {
  return a < b ? -1 : a > b ? 1 : 0
}

