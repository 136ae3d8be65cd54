import { BaseCommand, flags } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'
import { describeDatabase, migrate } from './_server.js'

/*
| node ace pos:bench-reports: the reports over 10,000,000 sale lines of two years, read from the
| daily summaries (issue 20), and the X and Z reports of a busy day.
|
| Seeds (once, kept for later runs) a "Reports bench" store on the configured database: 2,000
| products in 10 categories and 2,000,000 completed sales of 5 lines each (10,000,000 sale_items)
| with their payments (two thirds cash with change, a third card), spread evenly over the last
| 730 days up to now (`--lines`, `--days`). Rows go in with multi-row INSERTs straight into the
| tables, a transaction per 20,000 sales; the summaries of the days that are over are then rolled
| up from them, as a server does. The last 24 hours' sales are one shift. Then it times, in
| this process, the Reports page's sales tables (by day and hour, tender, cashier, products and
| categories):
|   a day report:  yesterday (summaries) and today (today's lines)    budget < 100 ms
|   30 and 365 days up to today (summaries, and today's lines)         budget < 300 ms
|   X report:      the open shift's figures (the same queries as the Z)   < 1 s
|   Z report:      closing the shift (count, figures, numbering, the stored snapshot)   < 1 s
|   and, without a budget, the 30 days read from the lines alone (as before the summaries).
*/

/**
 * INSERT ... VALUES (...), (...) with 1,000 rows a statement: knex's multiInsert on SQLite builds
 * a UNION ALL of SELECTs, which is many times slower to build and to run
 */
async function insertRows(client: any, table: string, rows: Record<string, unknown>[], perStatement = 1000) {
  if (!rows.length) return
  const columns = Object.keys(rows[0])
  const tuple = `(${columns.map(() => '?').join(', ')})`
  for (let i = 0; i < rows.length; i += perStatement) {
    const chunk = rows.slice(i, i + perStatement)
    const bindings: unknown[] = []
    for (const row of chunk) for (const column of columns) bindings.push(row[column] ?? null)
    // Backquoted names: "change" is a reserved word in MySQL (SQLite accepts backquotes too)
    await client.rawQuery(`INSERT INTO ${table} (${columns.map((c) => '`' + c + '`').join(', ')}) VALUES ${chunk.map(() => tuple).join(', ')}`, bindings)
  }
}

const LINES_PER_SALE = 5

export default class PosBenchReports extends BaseCommand {
  static commandName = 'pos:bench-reports'
  static description = 'Seed 10,000,000 sale lines over two years and time the day, 30-day and 365-day reports, X and Z'
  static options: CommandOptions = { startApp: true }

  @flags.number({ description: 'Sale lines to seed (5 per sale)', default: 10_000_000 })
  declare lines: number

  @flags.number({ description: 'Days the sales are spread over, up to now', default: 730 })
  declare days: number

  @flags.number({ description: 'Timed runs of each report (the median is printed)', default: 3 })
  declare runs: number

  async run() {
    const db = (await import('@adonisjs/lucid/services/db')).default
    const { DateTime } = await import('luxon')
    const { default: Store } = await import('#models/store')
    const { default: Shift } = await import('#models/shift')
    const { default: ShiftService } = await import('#shifts/shift_service')
    const { default: ShiftReportService } = await import('#shifts/shift_report_service')
    const { default: ReportService } = await import('#reports/report_service')
    const { dbTimestamp } = await import('#platform/db_time')

    await migrate()
    this.logger.info(`database: ${await describeDatabase(this.app)}`)
    const seeded = await this.#seed()
    const store = await Store.findOrFail(seeded.storeId)
    // The summaries, rolled up from the seeded lines as a server would (once: kept with the store),
    // and the days and months that ended since it was seeded (no server runs here)
    const { rollUpDays } = await import('#reports/day_rollup')
    const { rollUpProductMonths } = await import('#reports/month_rollup')
    const started = performance.now()
    let done = 0
    // Lines written behind the checkout's back into days already rolled up (a top-up, or a server's
    // housekeeping on this database while the seed ran): those days are written again first
    const { default: SummaryRebuild } = await import('#reports/summary_rebuild')
    const { summariesThrough } = await import('#sales/summary_days')
    if (seeded.seededNow && (await summariesThrough(store.id)) !== null) {
      const span = (await new SummaryRebuild().span(store))!
      await new SummaryRebuild().rebuild(store, span.from, span.to)
    }
    const days = await rollUpDays(store, {
      progress: (day) => {
        if (++done % 60 === 0) this.logger.info(`summaries rolled up to ${day} (${((performance.now() - started) / 1000).toFixed(0)} s)`)
      },
    })
    await rollUpProductMonths()
    if (days > 1) {
      const config: any = db.manager.get(db.primaryConnectionName)?.config
      await db.rawQuery(config?.client === 'better-sqlite3' ? 'ANALYZE' : 'ANALYZE TABLE summary_sales, summary_tenders, summary_cashiers, summary_products, summary_product_months, summary_month_rollups')
      this.logger.info(`summaries of ${days} days rolled up from the lines in ${((performance.now() - started) / 1000).toFixed(0)} s`)
    }
    const { default: User } = await import('#models/user')
    const manager = await User.findOrFail(seeded.userId)
    const actor = { user: manager, store }
    const shifts = new ShiftService()

    // The shift: the last 24 hours' sales (about 2,700 sales, 13,700 lines with the defaults, as
    // a very busy register would ring up), among the 10,000,000 lines of the table. A later run reopens a shift and moves
    // that day's sales into it with one UPDATE (bench data only: a real Z never changes).
    const lastAt = (await db.from('sales').where('store_id', store.id).max('completed_at as at').first()).at
    const last = lastAt instanceof Date ? DateTime.fromJSDate(lastAt) : DateTime.fromFormat(String(lastAt), 'yyyy-MM-dd HH:mm:ss', { zone: 'utc' })
    const dayStart = last.minus({ hours: 24 })
    let shift = await shifts.current(store.id, seeded.registerId)
    shift ??= await shifts.open(actor, seeded.registerId, { amount: 10_000 })
    await db.from('sales').where('store_id', store.id).where('completed_at', '<', dbTimestamp(dayStart)).whereNotNull('shift_id').update({ shift_id: null })
    await db.from('sales').where('store_id', store.id).where('completed_at', '>=', dbTimestamp(dayStart)).update({ shift_id: shift.id })
    await db.from('shifts').where('id', shift.id).update({ opened_at: dbTimestamp(dayStart) })
    shift = await Shift.findOrFail(shift.id)

    const total = await db.from('sale_items').join('sales', 'sales.id', 'sale_items.sale_id').where('sales.store_id', store.id).count('* as n').first()
    const sale = await db.from('sales').where('shift_id', shift.id).count('* as n').first()
    const lines = await db.from('sale_items').join('sales', 'sales.id', 'sale_items.sale_id').where('sales.shift_id', shift.id).count('* as n').first()
    this.logger.info(`${Number(total.n).toLocaleString('en')} sale lines in the store; the shift holds ${Number(sale.n).toLocaleString('en')} sales, ${Number(lines.n).toLocaleString('en')} lines`)

    const reports = new ReportService()
    const fromLines = new ReportService(undefined, 'lines')
    const local = DateTime.now().setZone(store.timeZone)
    const today = local.toISODate()!
    const dayBefore = (days: number) => local.minus({ days }).toISODate()!
    const salesTables = (source: InstanceType<typeof ReportService>) => async (from: string, to: string) => {
      await source.byDayAndHour(store, from, to)
      await source.byPaymentMethod(store, from, to)
      await source.byCashier(store, from, to)
      await source.products(store, from, to)
    }
    const report = salesTables(reports)
    const figures = new ShiftReportService()
    const results: { label: string; ms: number; budget: number | null }[] = []
    const time = async (label: string, budget: number | null, work: () => Promise<unknown>, runs = this.runs) => {
      const took: number[] = []
      for (let i = 0; i < runs; i++) {
        const started = performance.now()
        await work()
        took.push(performance.now() - started)
      }
      took.sort((a, b) => a - b)
      const median = took[Math.floor(took.length / 2)]
      results.push({ label, ms: median, budget })
      this.logger.info(`${label}: ${median.toFixed(0)} ms (median of ${runs}; ${took.map((t) => t.toFixed(0)).join(', ')})${budget ? ` budget ${budget} ms` : ''}`)
    }

    await time(`day report, yesterday (${dayBefore(1)}, summaries)`, 100, () => report(dayBefore(1), dayBefore(1)))
    await time(`day report, today (${today}, its lines so far)`, 100, () => report(today, today))
    await time(`30-day report (${dayBefore(29)} to ${today})`, 300, () => report(dayBefore(29), today))
    await time(`365-day report (${dayBefore(364)} to ${today})`, 300, () => report(dayBefore(364), today))
    await time('X report of the shift', 1000, () => figures.figures(shift!, store.currency))
    const count = await figures.figures(shift, store.currency)
    await time('Z report: close the shift', 1000, () => shifts.close(actor, shift!.id, { counts: { '10000': Math.floor(count.cash.expected / 10000), '1': count.cash.expected % 10000 } }), 1)
    // For information (no budget): the 30 days from the lines alone, as before the summaries
    await time('30-day report from the lines alone (before the summaries; no budget)', null, () => salesTables(fromLines)(dayBefore(29), today), 1)

    const slow = results.filter((r) => r.budget !== null && r.ms >= r.budget)
    this.logger[slow.length ? 'error' : 'success'](slow.length ? `over budget: ${slow.map((r) => r.label).join('; ')}` : 'every report within its budget')
    if (slow.length) this.exitCode = 1
  }

  /** The bench store with its sales, seeded once (multi-row INSERTs, a transaction per 20,000 sales) */
  async #seed(): Promise<{ storeId: number; registerId: number; userId: number; firstSaleAt: string; seededNow: boolean }> {
    const db = (await import('@adonisjs/lucid/services/db')).default
    const { DateTime } = await import('luxon')
    const { default: Store } = await import('#models/store')
    const { default: Register } = await import('#models/register')
    const { default: User } = await import('#models/user')
    const { dbTimestamp } = await import('#platform/db_time')
    const { transaction } = await import('#platform/db_transaction')

    const wantedSales = Math.ceil(this.lines / LINES_PER_SALE)
    // A store per length of history: a seed over other days is another store
    const name = `Reports bench, ${this.days} days`
    let store = await Store.findBy('name', name)
    if (!store) {
      store = await Store.create({ name, address: 'Benchmark', currency: 'USD', timeZone: 'America/New_York', allowNegativeStock: true, pricesIncludeTax: false, cashRounding: 1 })
    }
    const storeId = store.id
    let register = await Register.query().where('store_id', storeId).first()
    register ??= await Register.create({ storeId, name: 'Bench register', lastSaleNumber: 0 })
    const email = `reports-bench-${this.days}@bench.test`
    let user = await User.findBy('email', email)
    user ??= await User.create({ storeId, name: 'Bench Manager', email, password: 'bench-pass-1', role: 'manager', active: true })

    const firstSaleAt = dbTimestamp(DateTime.utc().minus({ days: this.days }).startOf('hour'))
    const have = Number((await db.from('sales').where('store_id', storeId).count('* as n').first()).n)
    if (have >= wantedSales) {
      this.logger.info(`reusing the bench store (${have.toLocaleString('en')} sales)`)
      return { storeId, registerId: register.id, userId: user.id, firstSaleAt: (await db.from('sales').where('store_id', storeId).min('completed_at as at').first()).at, seededNow: false }
    }

    const config: any = db.manager.get(db.primaryConnectionName)?.config
    const batch = config?.client === 'better-sqlite3' ? 500 : 1000
    const started = performance.now()
    const now = dbTimestamp()

    // Categories and products
    let categories = await db.from('categories').where('store_id', storeId).select('id')
    if (!categories.length) {
      await db.insertQuery().table('categories').multiInsert(Array.from({ length: 10 }, (_, i) => ({ store_id: storeId, name: `Bench category ${i + 1}`, name_key: `bench category ${i + 1}`, position: i, created_at: now, updated_at: now })))
      categories = await db.from('categories').where('store_id', storeId).select('id')
    }
    let products = await db.from('products').where('store_id', storeId).select('id', 'price', 'cost', 'tax_class')
    if (!products.length) {
      const rows = Array.from({ length: 2000 }, (_, i) => ({
        store_id: storeId,
        category_id: categories[i % categories.length].id,
        name: `Bench product ${i + 1}`,
        sku: `RB-${i + 1}`,
        price: 100 + ((i * 37) % 2000),
        cost: 50 + ((i * 17) % 900),
        tax_class: i % 4 === 0 ? 'reduced' : 'standard',
        stock: 1_000_000,
        active: true,
        created_at: now,
        updated_at: now,
      }))
      for (let i = 0; i < rows.length; i += batch) await db.insertQuery().table('products').multiInsert(rows.slice(i, i + batch))
      products = await db.from('products').where('store_id', storeId).select('id', 'price', 'cost', 'tax_class')
    }

    // Sales, 5 lines each, evenly over the last 30 days; explicit ids so lines can point at them
    const startMs = DateTime.fromFormat(firstSaleAt, 'yyyy-MM-dd HH:mm:ss', { zone: 'utc' }).toMillis()
    const spanMs = this.days * 86_400_000
    const maxId = Number((await db.from('sales').max('id as m').first()).m ?? 0)
    let number = Number((await db.from('registers').where('id', register.id).first()).last_sale_number)
    const perTransaction = 20_000
    for (let first = have; first < wantedSales; first += perTransaction) {
      const last = Math.min(wantedSales, first + perTransaction)
      await transaction(async (trx) => {
        const sales: any[] = []
        const items: any[] = []
        const payments: any[] = []
        for (let s = first; s < last; s++) {
          const id = maxId + 1 + s - have
          const at = dbTimestamp(DateTime.fromMillis(startMs + Math.floor((s / wantedSales) * spanMs), { zone: 'utc' }))
          let subtotal = 0
          let tax = 0
          for (let l = 0; l < LINES_PER_SALE; l++) {
            const p = products[(s * 7 + l * 131) % products.length]
            const quantity = 1 + ((s + l) % 3)
            const lineSubtotal = p.price * quantity
            const rate = p.tax_class === 'reduced' ? 20000 : 88750
            const lineTax = Math.round((lineSubtotal * rate) / 1_000_000)
            subtotal += lineSubtotal
            tax += lineTax
            items.push({
              sale_id: id, product_id: p.id, name: 'Bench product', sku: 'RB', quantity, list_price: p.price, unit_price: p.price,
              discount_value: 0, line_discount: 0, cart_discount_share: 0, tax_class: p.tax_class, tax_rate_ppm: rate, tax_total: lineTax,
              subtotal: lineSubtotal, total: lineSubtotal + lineTax, position: l + 1, created_at: at, updated_at: at,
            })
          }
          const total = subtotal + tax
          const cash = s % 3 !== 2
          const tendered = cash ? Math.ceil(total / 2000) * 2000 : null
          number++
          sales.push({
            id, store_id: storeId, register_id: register!.id, user_id: user!.id, status: 'completed', channel: 'api', number,
            subtotal, discount_total: 0, tax_total: tax, total, paid_total: total, change_due: cash ? tendered! - total : 0,
            rounding_total: 0, cart_discount_value: 0, completed_at: at, created_at: at, updated_at: at,
          })
          payments.push({ sale_id: id, store_id: storeId, user_id: user!.id, method: cash ? 'cash' : 'card_external', amount: total, tendered, change: cash ? tendered! - total : 0, status: 'approved', created_at: at, updated_at: at })
        }
        await insertRows(trx, 'sales', sales)
        await insertRows(trx, 'sale_items', items)
        await insertRows(trx, 'payments', payments)
      })
      this.logger.info(`seeded ${(last * LINES_PER_SALE).toLocaleString('en')} sale lines (${((performance.now() - started) / 1000).toFixed(0)} s)`)
    }
    await db.from('registers').where('id', register.id).update({ last_sale_number: number })
    // Fresh statistics for the planner after a bulk load
    await db.rawQuery(config?.client === 'better-sqlite3' ? 'ANALYZE' : 'ANALYZE TABLE sales, sale_items, payments')
    return { storeId, registerId: register.id, userId: user.id, firstSaleAt, seededNow: true }
  }
}
