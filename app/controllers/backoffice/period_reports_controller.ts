import type { HttpContext } from '@adonisjs/core/http'
import { inject } from '@adonisjs/core'
import PeriodReportService, { askedPeriod, change } from '#reports/period_report_service'
import { axisAmount, barChart, compactAmount } from '#reports/chart_svg'
import { csvStream } from '#platform/csv_writer'
import { currencyDigits, formatMoney, minorToDecimal } from '#core/money'
import { FIRST_YEAR } from '#platform/calendar_day'

/** The owners' month and year views: this period against the one before, products, categories, margins, and a CSV of each table */
@inject()
export default class PeriodReportsController {
  constructor(private periods: PeriodReportService) {}

  async index(ctx: HttpContext) {
    const { store } = ctx
    const asked = askedPeriod(ctx.request.qs())
    if (asked.errors) {
      // The form again with each message at its field, and no figures of another period
      const qs = ctx.request.qs()
      ctx.response.status(422)
      const typed = [qs.period, qs.month, qs.year].find((value) => value !== undefined)
      return ctx.view.render('backoffice/reports/periods', { errors: asked.errors, view: asked.view, typed: typeof typed === 'string' ? typed : '' })
    }
    const view = asked.view
    const data = await this.periods.compare(store, view, asked.key)
    const money = (amount: number) => formatMoney(amount, store.currency)
    const digits = currencyDigits(store.currency)
    const chart = barChart(
      data.rows.filter((r) => r.key).map((r) => ({ label: view === 'year' ? r.key.slice(5) : r.key.slice(8), value: r.total, text: `${r.key}: ${money(r.total)} in ${r.count} sales` })),
      { title: `Sales by ${view === 'year' ? 'month' : 'day'}, ${data.current.label}`, labelEvery: view === 'year' ? 1 : 5, format: (a: number) => axisAmount(a, store.currency), formatShort: (a: number) => compactAmount(a, digits) }
    )
    const nav = this.periods.periods(store, view, data.current.key)
    const previousKey = Number(nav.previous.key.slice(0, 4)) >= FIRST_YEAR ? nav.previous.key : null
    const query = new URLSearchParams({ view, period: data.current.key }).toString()
    return ctx.view.render('backoffice/reports/periods', { ...data, view, chart, previousKey, query, change })
  }

  async csv(ctx: HttpContext) {
    const asked = askedPeriod(ctx.request.qs())
    if (asked.errors) {
      ctx.response.status(422).header('content-type', 'text/plain; charset=utf-8')
      return Object.entries(asked.errors).map(([field, message]) => `${field}: ${message}`).join('\n')
    }
    const view = asked.view
    const data = await this.periods.compare(ctx.store, view, asked.key)
    const m = (amount: number) => minorToDecimal(amount, ctx.store.currency)
    const tables: Record<string, () => [string[], unknown[][]]> = {
      periods: () => [
        // Total: what was taken, the cash rounding included (the rounding in it last: a column
        // added since is put after the others, where a spreadsheet reading them by place finds none)
        [view === 'year' ? 'Month' : 'Day', 'Sales', 'Total', 'Tax', 'Discounts', 'Refunds', 'Refunded', 'Previous period', 'Previous sales', 'Previous total', 'Change %', 'Cash rounding'],
        data.rows.map((r) => [
          // A day of the period before that this one has not (key ''): its side left empty
          ...(r.key ? [r.key, r.count, m(r.total), m(r.tax), m(r.discounts), r.refunds, m(r.refunded)] : ['', '', '', '', '', '', '']),
          r.previous.key,
          r.previous.count,
          m(r.previous.total),
          (r.key && change(r.total, r.previous.total)) ?? '',
          r.key ? m(r.rounding) : '',
        ]),
      ],
      products: () => [
        ['Product', 'SKU', 'Category', 'Sold', 'Returned', 'Revenue', 'Cost', 'Margin', 'Margin %', 'Revenue in the previous period'],
        data.all.map((p) => [p.name, p.sku, p.category ?? '', p.sold, p.returned, m(p.revenue), m(p.cost), m(p.margin), p.marginRate ?? '', m(p.previousRevenue)]),
      ],
      categories: () => [
        ['Category', 'Sold', 'Returned', 'Revenue', 'Margin', 'Margin %', 'Revenue in the previous period'],
        data.categories.map((c) => [c.category ?? '', c.sold, c.returned, m(c.revenue), m(c.margin), c.marginRate ?? '', m(c.previousRevenue)]),
      ],
    }
    const table = Object.hasOwn(tables, ctx.params.table) ? tables[ctx.params.table] : null
    if (!table) return ctx.response.notFound('No such report table')
    const [header, rows] = table()
    ctx.response.header('content-type', 'text/csv; charset=utf-8')
    ctx.response.header('content-disposition', `attachment; filename="${ctx.params.table}-${data.current.key}.csv"`)
    ctx.response.stream(csvStream(header, rows, { bom: true }))
  }
}
