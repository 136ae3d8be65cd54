import { test } from '@japa/runner'
import { DateTime, Settings } from 'luxon'
import Papa from 'papaparse'
import db from '@adonisjs/lucid/services/db'
import { createProduct, createStore } from '#tests/fixtures'
import CheckoutService from '#sales/checkout_service'
import ReportService from '#reports/report_service'
import PeriodReportService from '#reports/period_report_service'
import ShiftReportService from '#shifts/shift_report_service'
import { rollUpDays } from '#reports/day_rollup'
import { BooksSource } from '#accounting/books_service'
import Shift from '#models/shift'
import { summariseRounding } from '#database/migrations/0149_summary_rounding'

/*
| A store that settles cash to 0.05: two cash sales of 1.02 are paid 1.00 each (rounding -0.02),
| a card sale of 1.02 is paid 1.02: 3.02 was taken. The days report's Total (and the hours,
| cashiers, registers, stores and the months' report) was the sales' totals, 3.06: 0.04 more than
| the tenders took, the Z report's payments, the journal and the dashboard. Every report's total
| is now what was taken, with its cash rounding beside it, from the lines and from the summaries.
*/
test.group('Reports: the cash rounding in the totals', () => {
  test('the day’s Total is what was taken, in the days, hours, cashiers, registers, stores, months, CSV, Z report and journal', async ({ client, assert }) => {
    const fixture = await createStore({ cashRounding: 5, taxPpm: 0 })
    const { store } = fixture
    const pen = await createProduct(fixture, { name: 'Pen', price: 102, stock: 20 })
    const actor = { user: fixture.users.cashier, store }
    // Three days back at noon: a day the summaries roll up
    const at = DateTime.now().setZone(store.timeZone).minus({ days: 3 }).set({ hour: 12, minute: 0 })
    const day = at.toISODate()!
    const realNow = Settings.now
    Settings.now = () => at.toMillis()
    try {
      for (const method of ['cash', 'cash', 'card_external']) {
        await new CheckoutService().createSale(actor, fixture.register.id, { lines: [{ productId: pen.id, quantity: 1 }], payment: { method, ...(method === 'cash' ? { tendered: 500 } : {}) } as any })
      }
    } finally {
      Settings.now = realNow
    }
    const sales = await db.from('sales').where({ store_id: store.id, status: 'completed' }).select('total', 'rounding_total')
    assert.deepEqual(sales.map((s) => [Number(s.total), Number(s.rounding_total)]).sort(), [[102, -2], [102, -2], [102, 0]])
    const taken = 100 + 100 + 102

    const check = async (source: 'lines' | 'summaries') => {
      const reports = new ReportService(undefined, source)
      const { days, hours } = await reports.byDayAndHour(store, day, day)
      assert.deepEqual([days[0].total, days[0].rounding], [taken, -4], `${source}: the day`)
      assert.equal(hours.reduce((sum, h) => sum + h.total, 0), taken, `${source}: the hours`)
      const methods = await reports.byPaymentMethod(store, day, day)
      assert.equal(methods.reduce((sum, m) => sum + m.amount, 0), taken, `${source}: the tenders`)
      assert.equal((await reports.byCashier(store, day, day))[0].total, taken, `${source}: the cashier`)
      assert.equal((await reports.byRegister(store, day, day))[0].total, taken, `${source}: the register`)
      assert.equal((await reports.byStore([store], day, day))[0].total, taken, `${source}: the store`)
      const period = await new PeriodReportService(undefined, reports).daily(store, day, day)
      assert.deepEqual([period.get(day)!.total, period.get(day)!.rounding], [taken, -4], `${source}: the months' report`)
    }
    await check('lines')
    assert.isAbove(await rollUpDays(store), 0)
    await check('summaries')
    // Days rolled up before the summaries kept the rounding (or restored from such a backup): the
    // migration writes those that hold a rounding again from their lines
    for (const table of ['summary_sales', 'summary_cashiers']) await db.from(table).where('store_id', store.id).update({ rounding_total: 0 })
    await summariseRounding(db.connection())
    await check('summaries')

    // The page's CSV of the days, from the summaries
    const csv = Papa.parse<string[]>((await client.get(`/backoffice/reports/csv/days?from=${day}&to=${day}`).loginAs(fixture.users.manager)).text().replace('\ufeff', '').trim()).data
    assert.deepEqual(csv, [['Day', 'Sales', 'Total', 'Tax', 'Discounts', 'Cash rounding'], [day, '3', '3.02', '0.00', '0.00', '-0.04']])

    // The Z report (the shift's figures): its total and its rounding add up to what was taken
    const shift = await Shift.findOrFail((await db.from('shifts').where('register_id', fixture.register.id).first()).id)
    const figures = await new ShiftReportService().figures(shift, store.currency)
    assert.equal(figures.sales.total + figures.sales.rounding, taken)
    assert.equal(figures.byMethod.reduce((sum, m) => sum + m.amount, 0), taken)
    const shiftPage = (await client.get(`/backoffice/shifts/${shift.id}`).loginAs(fixture.users.manager)).text()
    assert.match(shiftPage, /data-testid="sales-taken">\$3\.02</)

    // The sales list of that day: the sales' totals, their rounding, and what was taken (the
    // reports' Total); its one footer said the totals alone, 3.06
    const list = (await client.get(`/backoffice/sales?from=${day}&to=${day}`).loginAs(fixture.users.manager)).text()
    assert.match(list, /data-testid="sales-total">\s*<span class="money">\$3\.06<\/span>/)
    assert.match(list, /data-testid="sales-rounding">\s*<span class="money negative">-\$0\.04<\/span>/)
    assert.match(list, /data-testid="sales-taken">\s*<span class="money">\$3\.02<\/span>/)

    // The journal: the money received that day
    for await (const book of new BooksSource(store, day, day).days()) {
      assert.equal(book.payments.reduce((sum, p) => sum + p.amount, 0), taken)
      assert.equal(book.sales + book.taxes.reduce((sum, t) => sum + t.amount, 0) + book.rounding, taken)
    }
  })
})
