import type { HttpContext } from '@adonisjs/core/http'
import { inject } from '@adonisjs/core'
import { DateTime } from 'luxon'
import StoreAccessService from '#staff/store_access_service'
import ReportService from '#reports/report_service'
import { axisAmount, barChart, compactAmount } from '#reports/chart_svg'
import { csvStream } from '#platform/csv_writer'
import { currencyDigits, formatMoney, minorToDecimal } from '#core/money'
import { paymentMethodLabel } from '#sales/payment_methods'
import { calendarDay, dayError } from '#platform/calendar_day'

const MAX_DAYS = 366
/**
 * Low stock on the page: the emptiest so many, and a word that there are more (the CSV has every
 * one). A store of 100,000 products, many of them a few units deep under the default threshold of
 * 5, would otherwise send a table of tens of thousands of rows with every report
 */
const LOW_STOCK_SHOWN = 100

/** The managers' reports page, its charts and a CSV of each table */
@inject()
export default class ReportsController {
  constructor(private reports: ReportService) {}

  async index(ctx: HttpContext) {
    const { store } = ctx
    const { from, to, notice, errors } = this.#range(ctx)
    if (errors) {
      // The form again with the message at its field, and no figures: a report of other days than
      // typed (today's, for ?from=2026-13-01) was read as the one asked, the notice above it or not
      const qs = ctx.request.qs()
      ctx.response.status(422)
      const typed = (value: unknown) => (typeof value === 'string' ? value : '')
      return ctx.view.render('backoffice/reports/index', { errors, from: typed(qs.from), to: typed(qs.to) })
    }
    const { lowStock, ...data } = await this.#tables(ctx, from, to, LOW_STOCK_SHOWN + 1)
    const trendFrom = DateTime.fromISO(to).minus({ days: 29 }).toISODate()!
    const trend = await this.reports.byDayAndHour(store, trendFrom, to)
    const money = (amount: number) => formatMoney(amount, store.currency)
    const digits = currencyDigits(store.currency)
    // Axis ticks are round amounts: "$1,500", not "$1,500.00"
    const axis = { format: (amount: number) => axisAmount(amount, store.currency), formatShort: (amount: number) => compactAmount(amount, digits) }
    const hourChart = barChart(
      data.hours.map((h) => ({ label: String(h.hour).padStart(2, '0'), value: h.total, text: `${money(h.total)} in ${h.count} sales` })),
      { title: 'Sales by hour of the day', labelEvery: 3, ...axis }
    )
    const trendChart = barChart(
      trend.days.map((d) => ({ label: d.day.slice(5), value: d.total, text: `${money(d.total)} in ${d.count} sales` })),
      { title: `Sales per day, ${trendFrom} to ${to}`, labelEvery: 5, ...axis }
    )
    const query = new URLSearchParams({ from, to }).toString()
    return ctx.view.render('backoffice/reports/index', {
      ...data,
      lowStock: lowStock.slice(0, LOW_STOCK_SHOWN),
      moreLowStock: lowStock.length > LOW_STOCK_SHOWN,
      from, to, rangeNotice: notice, hourChart, trendChart, trendDays: trend.days, query,
    })
  }

  async csv(ctx: HttpContext) {
    const { from, to, notice } = this.#range(ctx)
    // The page corrects the days and says so above the tables; a file has nowhere to say it, and
    // one named for other days than asked would be filed as those asked: refused, with the reason
    if (notice) {
      ctx.response.status(422).header('content-type', 'text/plain; charset=utf-8')
      return notice
    }
    // Every product running low for its own CSV only: the others have no use for them
    const data = await this.#tables(ctx, from, to, ctx.params.table === 'low_stock' ? null : 0)
    const currency = ctx.store.currency
    const m = (amount: number) => minorToDecimal(amount, currency)
    const tables: Record<string, () => [{ key: string; label: string }[], Record<string, unknown>[]]> = {
      // Total: what was taken, the cash rounding included, as the tenders' amounts (the rounding in
      // it last, a column added since: a spreadsheet reading the others by place still finds them)
      days: () => [cols('day:Day', 'count:Sales', 'total:Total', 'tax:Tax', 'discounts:Discounts', 'rounding:Cash rounding'), data.days.map((d) => ({ ...d, total: m(d.total), rounding: m(d.rounding), tax: m(d.tax), discounts: m(d.discounts) }))],
      hours: () => [cols('hour:Hour', 'count:Sales', 'total:Total'), data.hours.map((h) => ({ ...h, total: m(h.total) }))],
      methods: () => [
        cols('method:Method', 'count:Payments', 'amount:Amount', 'refunded:Refunded', 'net:Net'),
        data.methods.map((r) => ({ method: paymentMethodLabel(r.method), count: r.count, amount: m(r.amount), refunded: m(r.refunded), net: m(r.net) })),
      ],
      categories: () => [cols('category:Category', 'sold:Sold', 'returned:Returned', 'revenue:Revenue', 'margin:Margin'), data.products.categories.map((r) => ({ ...r, revenue: m(r.revenue), margin: m(r.margin) }))],
      cashiers: () => [cols('name:Cashier', 'count:Sales', 'total:Total'), data.cashiers.map((r) => ({ ...r, total: m(r.total) }))],
      registers: () => [
        cols('name:Register', 'count:Sales', 'total:Total', 'refunds:Refunds (all tenders)', 'cashRefunds:Cash refunds (drawer)'),
        data.registers.map((r) => ({ ...r, total: m(r.total), refunds: m(r.refunds), cashRefunds: m(r.cashRefunds) })),
      ],
      stores: () => [cols('name:Store', 'currency:Currency', 'count:Sales', 'total:Total'), data.stores.map((r) => ({ ...r, total: minorToDecimal(r.total, r.currency) }))],
      best: () => [productCols, data.products.best.map((r) => moneyRow(r, m))],
      worst: () => [productCols, data.products.worst.map((r) => moneyRow(r, m))],
      valuation: () => [cols('category:Category', 'products:Products', 'units:Units', 'value:Value at cost'), data.valuation.map((r) => ({ ...r, value: m(r.value) }))],
      low_stock: () => [cols('name:Product', 'sku:SKU', 'stock:On hand'), data.lowStock],
    }
    const table = Object.hasOwn(tables, ctx.params.table) ? tables[ctx.params.table] : null
    if (!table) return ctx.response.notFound('No such report table')
    const [columns, rows] = table()
    ctx.response.header('content-type', 'text/csv; charset=utf-8')
    ctx.response.header('content-disposition', `attachment; filename="${ctx.params.table}-${from}-${to}.csv"`)
    ctx.response.stream(csvStream(columns.map((c) => c.label), rows.map((row) => columns.map((c) => row[c.key] ?? '')), { bom: true }))
  }

  /** Every table of the page; `lowStockLimit`: the emptiest so many products running low (null: all) */
  async #tables(ctx: HttpContext, from: string, to: string, lowStockLimit: number | null) {
    const { store } = ctx
    // An admin sees the stores they work in side by side (a chain's owner: all of them); others their own
    const stores = ctx.auth.user!.role === 'admin' ? await new StoreAccessService().storesOf(ctx.auth.user!) : [store]
    const [dayHour, methods, cashiers, registers, storeRows, products, valuation, lowStock] = await Promise.all([
      this.reports.byDayAndHour(store, from, to),
      this.reports.byPaymentMethod(store, from, to),
      this.reports.byCashier(store, from, to),
      this.reports.byRegister(store, from, to),
      this.reports.byStore(stores, from, to),
      this.reports.products(store, from, to),
      this.reports.stockValuation(store),
      this.reports.lowStock(store, lowStockLimit),
    ])
    return { days: dayHour.days, hours: dayHour.hours, methods, cashiers, registers, stores: storeRows, products, valuation, lowStock }
  }

  /** The store's days asked for (default today), at most a year, or each field's problem (a day that is not one) */
  #range(ctx: HttpContext) {
    const qs = ctx.request.qs()
    const today = DateTime.now().setZone(ctx.store.timeZone).toISODate()!
    // One day given (either end) is that day: `?to=` alone was from today back to it, "the wrong way round"
    let from = calendarDay(qs.from) ?? calendarDay(qs.to) ?? today
    let to = calendarDay(qs.to) ?? from
    // Corrected, and said so on the page: a report that quietly shows other days than asked is misread
    const said: string[] = []
    const errors: Record<string, string> = {}
    for (const field of ['from', 'to'] as const) {
      const typed = qs[field]
      if (typed !== undefined && typed !== '' && !calendarDay(typed)) {
        said.push(`"${String(typed).slice(0, 20)}" is not a day from 2000 to 2100.`)
        errors[field] = dayError(typed)!
      }
    }
    if (from > to) {
      ;[from, to] = [to, from]
      said.push('The first day was after the last.')
    }
    const tooLong = () => DateTime.fromISO(to).diff(DateTime.fromISO(from), 'days').days >= MAX_DAYS
    if (tooLong()) {
      // The days to come are cut first: they hold no sales. Counted back from the end of next year,
      // the year kept was all ahead, and the report showed nothing of the days asked for
      if (to > today) to = from > today ? from : today
      if (tooLong()) from = DateTime.fromISO(to).minus({ days: MAX_DAYS - 1 }).toISODate()!
      said.push(`A report covers at most ${MAX_DAYS} days (months and years are under Months and years).`)
    }
    return { from, to, notice: said.length ? `${said.join(' ')} Shown from ${from} to ${to}.` : null, errors: Object.keys(errors).length ? errors : null }
  }
}

const productCols = cols('name:Product', 'sku:SKU', 'category:Category', 'sold:Sold', 'returned:Returned', 'revenue:Revenue', 'cost:Cost', 'margin:Margin')

function moneyRow(row: { revenue: number; cost: number; margin: number }, m: (n: number) => string) {
  return { ...row, revenue: m(row.revenue), cost: m(row.cost), margin: m(row.margin) }
}

function cols(...specs: string[]) {
  return specs.map((spec) => {
    const [key, label] = spec.split(':')
    return { key, label }
  })
}

