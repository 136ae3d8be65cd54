import { test } from '@japa/runner'
import { DateTime } from 'luxon'
import Papa from 'papaparse'
import db from '@adonisjs/lucid/services/db'
import CheckoutService from '#sales/checkout_service'
import ReportService from '#reports/report_service'
import SummaryRebuild from '#reports/summary_rebuild'
import { rollUpDays } from '#reports/day_rollup'
import { createProduct, createStore, type TestStore } from '#tests/fixtures'
import type Product from '#models/product'

/*
| The edges of a store's days the reports once got wrong, read from the lines and from the
| summaries alike.
*/

const csv = (text: string) => Papa.parse<string[]>(text.trim()).data

async function saleAt(fixture: TestStore, product: Product, quantity: number, local: string) {
  const { sale } = await new CheckoutService().createSale({ user: fixture.users.cashier, store: fixture.store }, fixture.register.id, { lines: [{ productId: product.id, quantity }], payment: { method: 'cash' } })
  const at = DateTime.fromISO(local, { zone: fixture.store.timeZone }).toUTC().toFormat('yyyy-MM-dd HH:mm:ss')
  await db.from('sales').where('id', sale.id).update({ completed_at: at })
  return sale
}

test.group('Reports: the edges of a store day', () => {
  test('a range that starts on a day whose midnight does not exist (Santiago springs forward at 00:00) keeps its last day', async ({ client, assert }) => {
    const fixture = await createStore()
    fixture.store.timeZone = 'America/Santiago'
    await fixture.store.save()
    const tea = await createProduct(fixture, { name: 'Tea', price: 1000, taxClass: 'zero' })
    await saleAt(fixture, tea, 1, '2026-09-06T12:00:00') // the day begins at 01:00
    await saleAt(fixture, tea, 2, '2026-09-08T12:00:00')

    const check = async (why: string) => {
      const { days, hours } = await new ReportService().byDayAndHour(fixture.store, '2026-09-06', '2026-09-08')
      assert.deepEqual(days.map((d) => [d.day, d.total]), [['2026-09-06', 1000], ['2026-09-07', 0], ['2026-09-08', 2000]], why)
      assert.equal(hours[12].total, 3000, why)
      const page = await client.get('/backoffice/reports?from=2026-09-06&to=2026-09-08').loginAs(fixture.users.manager)
      page.assertStatus(200)
      assert.include(page.text(), '<tr data-day="2026-09-08"><td>2026-09-08</td><td class="num">1</td>', why)
      const file = csv((await client.get('/backoffice/reports/csv/days?from=2026-09-06&to=2026-09-08').loginAs(fixture.users.manager)).text())
      assert.deepEqual(file.slice(1).map((row) => [row[0], row[2]]), [['2026-09-06', '10.00'], ['2026-09-07', '0.00'], ['2026-09-08', '20.00']], why)
    }
    await check('from the lines')
    await rollUpDays(fixture.store)
    await new SummaryRebuild().rebuild(fixture.store, '2026-09-06', '2026-09-08')
    assert.isNull((await new ReportService().split(fixture.store, '2026-09-06', '2026-09-08')).lines)
    await check('from the summaries')
  })
})
