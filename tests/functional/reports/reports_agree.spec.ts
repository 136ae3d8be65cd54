import { test } from '@japa/runner'
import { DateTime, Settings } from 'luxon'
import Papa from 'papaparse'
import db from '@adonisjs/lucid/services/db'
import { apiToken, cashIntoDrawer, createProduct, createStore, PINS } from '#tests/fixtures'
import ReportService from '#reports/report_service'
import PeriodReportService from '#reports/period_report_service'
import ShiftReportService from '#shifts/shift_report_service'
import { rollUpDays } from '#reports/day_rollup'
import { BooksSource } from '#accounting/books_service'
import Shift from '#models/shift'
import { cashAmountDue } from '#core/pricing'

/*
| An accountant's walk through the reports of one store day, with what makes totals drift apart:
| cash settled to 0.05 (up and down), line discounts (amount and per cent), three tax rates, a
| sale paid in two tenders, a partial cash refund, a void, an exchange paid in cash, and a return
| without a receipt; prices with tax added and prices that include it. Every report must tell the
| same story, from the lines (today) and from the summaries (a day rolled up), page and CSV:
| - the days' Total = the hours' = the cashiers' = the registers' = the store's = the months' =
|   what the tenders took = the shift's "taken" = the journal's net sales + tax + cash rounding;
| - what refunds paid back: the months' Refunded = the tenders' refunded = the registers' refunds =
|   the journal's refunded sales + tax + the cash rounding on refunds;
| - the products' revenue (and the categories') = net sales - the goods refunds took back, without tax.
*/
const n = (text: string) => Math.round(Number(text) * 100)

for (const inclusive of [false, true]) {
  test.group(`Reports agree with each other (prices ${inclusive ? 'include' : 'without'} tax)`, () => {
    test('one day of sales, refunds, a void and an exchange: every total the same, page and CSV', async ({ client, assert }) => {
      const fixture = await createStore({ cashRounding: 5, pricesIncludeTax: inclusive })
      const { store } = fixture
      const pen = await createProduct(fixture, { name: 'Pen', price: 103, cost: 40, stock: 100 })
      const mug = await createProduct(fixture, { name: 'Mug', price: 1299, cost: 500, stock: 100, taxClass: 'reduced' })
      const tea = await createProduct(fixture, { name: 'Tea', price: 457, cost: 200, stock: 100, taxClass: 'zero' })
      const at = DateTime.now().setZone(store.timeZone).minus({ days: 3 }).set({ hour: 12, minute: 0 })
      const day = at.toISODate()!
      const token = await apiToken(client, fixture.users.cashier)
      const sell = async (items: object[], method: string) => {
        const response = await client.post('/api/sales').bearerToken(token).json({ items, payment_method: method, tendered: method === 'cash' ? 100_000 : undefined })
        response.assertStatus(201)
        return response.body()
      }
      const realNow = Settings.now
      Settings.now = () => at.toMillis()
      try {
        await cashIntoDrawer(fixture, 20_000)
        const first = await sell([{ product_id: pen.id, quantity: 3, discount_percent: 10 }, { product_id: mug.id, quantity: 1 }], 'cash')
        const second = await sell([{ product_id: tea.id, quantity: 2 }, { product_id: pen.id, quantity: 1, discount: 20 }], 'card_external')
        const voided = await sell([{ product_id: mug.id, quantity: 2 }], 'cash')
        // Two tenders: a card pays 3.00, cash the rest (rounded)
        const open = (await client.post('/api/sales').bearerToken(token).json({ items: [{ product_id: pen.id, quantity: 5 }, { product_id: tea.id, quantity: 1 }] })).body()
        ;(await client.post('/api/payments').bearerToken(token).json({ sale_id: open.id, method: 'card_external', amount: 300 })).assertStatus(201)
        ;(await client.post('/api/payments').bearerToken(token).json({ sale_id: open.id, method: 'cash', amount: cashAmountDue(open.total - 300, 5), tendered: 5000 })).assertStatus(201)
        ;(await client.post(`/api/sales/${first.id}/refunds`).bearerToken(token).json({ items: [{ sale_item_id: first.items[0].id, quantity: 1 }], reason: 'Broken' })).assertStatus(201)
        ;(await client.post(`/api/sales/${voided.id}/void`).bearerToken(await apiToken(client, fixture.users.manager)).json({ reason: 'Rung twice' })).assertStatus(200)
        const exchange = await client.post(`/api/sales/${second.id}/exchanges`).bearerToken(token).json({ return_items: [{ sale_item_id: second.items[0].id, quantity: 1 }], items: [{ product_id: mug.id, quantity: 1 }], payment_method: 'cash', tendered: 100_000, reason: 'Swap' })
        exchange.assertStatus(201)
        ;(await client.post('/api/refunds').bearerToken(token).json({ items: [{ product_id: tea.id, quantity: 1 }], reason: 'No receipt', manager_pin: PINS.manager })).assertStatus(201)
      } finally {
        Settings.now = realNow
      }
      const sales = await db.from('sales').where({ store_id: store.id, status: 'completed' }).select('total', 'tax_total', 'rounding_total')
      assert.lengthOf(sales, 4)
      assert.isTrue(sales.some((s) => Number(s.rounding_total) !== 0), 'some cash was rounded')
      const taken = sales.reduce((sum, s) => sum + Number(s.total) + Number(s.rounding_total), 0)
      const salesTax = sales.reduce((sum, s) => sum + Number(s.tax_total), 0)
      const netSales = sales.reduce((sum, s) => sum + Number(s.total) - Number(s.tax_total), 0)
      const refunds = await db.from('refunds').where('store_id', store.id).select('id', 'total')
      const paidBack = refunds.reduce((sum, r) => sum + Number(r.total), 0)
      const goods = await db.from('refund_items').whereIn('refund_id', refunds.map((r) => r.id)).select(db.raw('sum(amount - tax_amount) as net')).first()
      const revenue = netSales - Number(goods.net)

      const check = async (source: 'lines' | 'summaries') => {
        const reports = new ReportService(undefined, source)
        const { days, hours } = await reports.byDayAndHour(store, day, day)
        const methods = await reports.byPaymentMethod(store, day, day)
        const registers = await reports.byRegister(store, day, day)
        const products = await reports.products(store, day, day)
        const month = await new PeriodReportService(undefined, reports).daily(store, day, day)
        const totals = {
          day: days[0].total,
          hours: hours.reduce((sum, h) => sum + h.total, 0),
          tenders: methods.reduce((sum, m) => sum + m.amount, 0),
          cashiers: (await reports.byCashier(store, day, day)).reduce((sum, c) => sum + c.total, 0),
          registers: registers.reduce((sum, r) => sum + r.total, 0),
          stores: (await reports.byStore([store], day, day))[0].total,
          month: month.get(day)!.total,
        }
        for (const [report, total] of Object.entries(totals)) assert.equal(total, taken, `${source}: ${report}`)
        assert.equal(days[0].tax, salesTax, `${source}: tax`)
        const back = { month: month.get(day)!.refunded, tenders: methods.reduce((sum, m) => sum + m.refunded, 0), registers: registers.reduce((sum, r) => sum + r.refunds, 0) }
        for (const [report, total] of Object.entries(back)) assert.equal(total, paidBack, `${source}: refunded in ${report}`)
        assert.equal(products.all.reduce((sum, p) => sum + p.revenue, 0), revenue, `${source}: the products' revenue`)
        assert.equal(products.categories.reduce((sum, c) => sum + c.revenue, 0), revenue, `${source}: the categories' revenue`)
        assert.equal(products.categories.reduce((sum, c) => sum + c.margin, 0), products.all.reduce((sum, p) => sum + p.margin, 0), `${source}: margin`)
      }
      await check('lines')
      assert.isAbove(await rollUpDays(store), 0)
      await check('summaries')

      // The journal of that day
      for await (const book of new BooksSource(store, day, day).days()) {
        assert.equal(book.sales + book.taxes.reduce((sum, t) => sum + t.amount, 0) + book.rounding, taken, 'the journal: money received')
        assert.equal(book.payments.reduce((sum, p) => sum + p.amount, 0), taken)
        assert.equal(book.refundedSales + book.refundedTax + book.refundRounding, paidBack, 'the journal: money paid back')
        assert.equal(book.sales - book.refundedSales, revenue)
      }
      // The shift's report: its total and rounding are what was taken
      const shift = await Shift.findOrFail((await db.from('shifts').where('register_id', fixture.register.id).first()).id)
      const figures = await new ShiftReportService().figures(shift, store.currency)
      assert.equal(figures.sales.total + figures.sales.rounding, taken)
      assert.equal(figures.refunds.total, paidBack)

      // The CSVs say what the services say
      const csv = async (path: string) => Papa.parse<string[]>((await client.get(path).loginAs(fixture.users.accountant)).text().replace('\ufeff', '').trim()).data
      const daysCsv = await csv(`/backoffice/reports/csv/days?from=${day}&to=${day}`)
      assert.equal(n(daysCsv[1][2]), taken)
      const methodsCsv = await csv(`/backoffice/reports/csv/methods?from=${day}&to=${day}`)
      assert.equal(methodsCsv.slice(1).reduce((sum, row) => sum + n(row[2]), 0), taken)
      assert.equal(methodsCsv.slice(1).reduce((sum, row) => sum + n(row[3]), 0), paidBack)
      const categoriesCsv = await csv(`/backoffice/reports/csv/categories?from=${day}&to=${day}`)
      assert.equal(categoriesCsv.slice(1).reduce((sum, row) => sum + n(row[3]), 0), revenue)
      const periodsCsv = await csv(`/backoffice/reports/periods/csv/periods?view=month&period=${day.slice(0, 7)}`)
      const row = periodsCsv.find((r) => r[0] === day)!
      assert.deepEqual([n(row[2]), n(row[6])], [taken, paidBack])
      const productsCsv = await csv(`/backoffice/reports/periods/csv/products?view=month&period=${day.slice(0, 7)}`)
      assert.equal(productsCsv.slice(1).reduce((sum, r) => sum + n(r[5]), 0), revenue)
    }).timeout(60_000)
  })
}
