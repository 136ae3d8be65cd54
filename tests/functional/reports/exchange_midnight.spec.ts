import { test } from '@japa/runner'
import { DateTime, Settings } from 'luxon'
import db from '@adonisjs/lucid/services/db'
import { apiToken, createProduct, createStore } from '#tests/fixtures'
import { readTimestamp } from '#platform/db_time'
import ReportService from '#reports/report_service'
import PeriodReportService from '#reports/period_report_service'
import { completedSale } from '../returns/helpers.js'

/*
| An exchange is one act: its return and its new sale belong to the store day it was made in. One
| made across midnight (the new sale completed at 23:59:59, its return written a moment later, at
| 00:00:00 of the next day) had its new sale on one day and its return on the next: the days report
| counted the exchanged goods as sold on the first day and refunded on the second, and the tenders'
| "exchange" credit was taken on one day and given back on the other.
*/
test.group('Reports: an exchange at midnight', () => {
  test('its return and its new sale are on the same store day, in every report', async ({ client, assert }) => {
    const fixture = await createStore()
    const { store } = fixture
    const shirt = await createProduct(fixture, { name: 'Shirt', price: 1000, stock: 5 })
    const jacket = await createProduct(fixture, { name: 'Jacket', price: 2000, stock: 5 })
    const token = await apiToken(client, fixture.users.cashier)
    const sale = await completedSale(client, token, [{ product_id: shirt.id, quantity: 1 }])

    // Today at 23:59:59 in the store's zone while the new sale is completed; a second later (the
    // next day) for anything asked after it, as a slow exchange would see the clock
    const before = DateTime.now().setZone(store.timeZone).set({ hour: 23, minute: 59, second: 59, millisecond: 0 })
    const after = before.plus({ seconds: 1 })
    const realNow = Settings.now
    let completed = false
    Settings.now = () => {
      if (new Error().stack?.includes('sale_completion')) {
        completed = true
        return before.toMillis()
      }
      return (completed ? after : before).toMillis()
    }
    let body: any
    try {
      const response = await client.post(`/api/sales/${sale.id}/exchanges`).bearerToken(token).json({
        return_items: [{ sale_item_id: sale.items[0].id, quantity: 1 }],
        items: [{ product_id: jacket.id, quantity: 1 }],
        payment_method: 'card_external',
        reason: 'Wants the jacket',
      })
      response.assertStatus(201)
      body = response.body()
    } finally {
      Settings.now = realNow
    }
    assert.isTrue(completed, 'the new sale was completed under the faked clock')

    const newSale = await db.from('sales').where('id', body.sale.id).select('completed_at').first()
    const refund = await db.from('refunds').where('id', body.refund.id).select('created_at').first()
    const dayOf = (at: unknown) => DateTime.fromJSDate(readTimestamp(at)).setZone(store.timeZone).toISODate()
    const day = before.toISODate()!
    assert.equal(dayOf(newSale.completed_at), day)
    assert.equal(dayOf(refund.created_at), day, 'the return is on the day of its new sale')

    // The tenders: the exchange credit taken and given back on that same day nets to nothing
    const next = after.toISODate()!
    for (const source of ['lines', 'summaries'] as const) {
      const reports = new ReportService(undefined, source)
      const methods = await reports.byPaymentMethod(store, day, day)
      const exchange = methods.find((m) => m.method === 'exchange')!
      assert.deepEqual([exchange.amount, exchange.refunded, exchange.net], [1080, 1080, 0], source)
      assert.notExists((await reports.byPaymentMethod(store, next, next)).find((m) => m.method === 'exchange'), source)
    }
    // The months' report: the refund beside the new sale, and nothing on the next day
    const daily = await new PeriodReportService().daily(store, day, next)
    assert.equal(daily.get(day)!.refunded, 1080)
    assert.equal(daily.get(next)!.refunded, 0)
  })
})
