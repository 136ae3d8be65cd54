import { test } from '@japa/runner'
import Papa from 'papaparse'
import db from '@adonisjs/lucid/services/db'
import { apiToken, createProduct, createStore } from '#tests/fixtures'
import ReportService from '#reports/report_service'
import DashboardService from '#reports/dashboard_service'
import SalesQueryService from '#sales/sales_query_service'

/*
| Figures an accountant compares: the stock valuation holds every unit on hand (an archived or
| inactive product's too), the dashboard's takings are the reports' (with the cash rounding), and
| the report's low stock goes past the 50 emptiest: its CSV lists every product running low, and its
| page the 100 emptiest with a word that there are more.
*/
test.group('Reports: valuation and takings', () => {
  test('an archived or inactive product with stock stays in the stock valuation', async ({ assert }) => {
    const fixture = await createStore()
    const kept = await createProduct(fixture, { name: 'Kept', cost: 500, stock: 10 })
    const archived = await createProduct(fixture, { name: 'Archived', cost: 500, stock: 33 })
    const inactive = await createProduct(fixture, { name: 'Inactive', cost: 200, stock: 5 })
    await db.from('products').where('id', archived.id).update({ archived_at: db.raw('CURRENT_TIMESTAMP') })
    await db.from('products').where('id', inactive.id).update({ active: false })
    const rows = await new ReportService().stockValuation(fixture.store)
    // Before: $50.00, the archived one's $165.00 and the inactive one's $10.00 gone without a movement
    assert.deepEqual(rows.map((r) => [r.units, r.value]), [[48, 10 * 500 + 33 * 500 + 5 * 200]])
    assert.exists(kept)
  })

  test("the dashboard's takings count the cash rounding, as the reports do", async ({ client, assert }) => {
    const fixture = await createStore({ cashRounding: 5, taxPpm: 0 })
    const pen = await createProduct(fixture, { price: 112, stock: 10 })
    const token = await apiToken(client, fixture.users.cashier)
    ;(await client.post('/api/sales').bearerToken(token).json({ items: [{ product_id: pen.id, quantity: 3 }], payment_method: 'cash' })).assertStatus(201)
    const today = await new DashboardService(new SalesQueryService()).today(fixture.store)
    // 336 of goods paid 335 in cash: the reports' takings, and the drawer's
    assert.equal(today.takings, 335)
  })

  test('the report lists products running low past the 50 emptiest: the page the 100 emptiest and says there are more, the CSV every one', async ({ client, assert }) => {
    const fixture = await createStore()
    const lows = await Promise.all(Array.from({ length: 105 }, (_, i) => createProduct(fixture, { name: `Low ${String(i).padStart(3, '0')}`, stock: i % 5 })))
    await createProduct(fixture, { name: 'Plenty', stock: 40 })
    const page = await client.get('/backoffice/reports').loginAs(fixture.users.manager)
    page.assertStatus(200)
    const table = page.text().split('data-testid="low-stock"')[1].split('</table>')[0]
    // The emptiest first: every one at 0, 1, 2 and 3 (84 of them), then 16 of those at 4
    const shown = [...table.matchAll(/<tr><td>(Low \d{3})<\/td><td>[^<]*<\/td><td class="num">(\d)<\/td>/g)]
    assert.lengthOf(shown, 100)
    assert.deepEqual(shown.map((m) => Number(m[2])), [...shown.map((m) => Number(m[2]))].sort())
    assert.include(page.text(), 'The 100 emptiest are shown; more are running low: the CSV lists every one.')
    const csv = await client.get('/backoffice/reports/csv/low_stock').loginAs(fixture.users.manager)
    csv.assertStatus(200)
    const rows = Papa.parse<string[]>(csv.text().replace('\ufeff', '').trim()).data.slice(1)
    assert.sameMembers(rows.map((r) => r[0]), lows.map((p) => p.name))
    // Under the limit, no such word
    await db.from('products').whereIn('id', lows.slice(0, 10).map((p) => p.id)).update({ stock: 50 })
    const fewer = await client.get('/backoffice/reports').loginAs(fixture.users.manager)
    assert.notInclude(fewer.text(), 'more are running low')
  }).timeout(60_000)
})
