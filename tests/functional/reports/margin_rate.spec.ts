import { test } from '@japa/runner'
import { DateTime, Settings } from 'luxon'
import Papa from 'papaparse'
import { apiToken, cashIntoDrawer, createProduct, createStore } from '#tests/fixtures'
import PeriodReportService from '#reports/period_report_service'

/*
| A month whose only movement of a product is the return of last month's sale: its revenue is
| -12.99 and its margin -7.99. The margin % was -7.99 / -12.99 = 61.5 %, the healthy margin of a
| product that only lost money, and its category's the same way. A margin % is of a revenue:
| with none, or less than none, it is "–" (page and CSV), as for a product that sold nothing.
*/
test.group('Months: margin % of a revenue below zero', () => {
  test('a product (and a category) only brought back in the month has no margin %', async ({ client, assert }) => {
    const fixture = await createStore()
    const { store } = fixture
    const mug = await createProduct(fixture, { name: 'Mug', price: 1299, cost: 500, stock: 10, taxClass: 'zero' })
    const token = await apiToken(client, fixture.users.cashier)
    const now = DateTime.now().setZone(store.timeZone)
    const lastMonth = now.minus({ months: 1 }).set({ day: 3, hour: 12 })
    const thisMonth = now.set({ day: 1, hour: 12 })
    const realNow = Settings.now
    try {
      Settings.now = () => lastMonth.toMillis()
      await cashIntoDrawer(fixture, 5000)
      const sale = (await client.post('/api/sales').bearerToken(token).json({ items: [{ product_id: mug.id, quantity: 2 }], payment_method: 'card_external' })).body()
      Settings.now = () => thisMonth.toMillis()
      ;(await client.post(`/api/sales/${sale.id}/refunds`).bearerToken(token).json({ items: [{ sale_item_id: sale.items[0].id, quantity: 1 }], reason: 'Cracked' })).assertStatus(201)
    } finally {
      Settings.now = realNow
    }
    const month = thisMonth.toFormat('yyyy-MM')
    const data = await new PeriodReportService().compare(store, 'month', month)
    const row = data.all.find((p) => p.productId === mug.id)!
    assert.deepEqual([row.revenue, row.margin, row.marginRate], [-1299, -799, null])
    assert.deepEqual(data.categories.map((c) => [c.revenue, c.marginRate]), [[-1299, null]])
    // Last month's view: a margin % of its revenue as before
    assert.equal((await new PeriodReportService().compare(store, 'month', lastMonth.toFormat('yyyy-MM'))).categories[0].marginRate, 61.5)

    const csv = async (table: string) => Papa.parse<string[]>((await client.get(`/backoffice/reports/periods/csv/${table}?view=month&period=${month}`).loginAs(fixture.users.manager)).text().replace('\ufeff', '').trim()).data
    assert.deepEqual((await csv('products'))[1].slice(5, 9), ['-12.99', '-5.00', '-7.99', ''])
    assert.deepEqual((await csv('categories'))[1].slice(3, 6), ['-12.99', '-7.99', ''])
  })
})
