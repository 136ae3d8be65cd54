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
| the report's low stock lists every product running low, as the dashboard's link to it says.
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

  test('the report lists every product running low, page and CSV, not the 50 emptiest', async ({ client, assert }) => {
    const fixture = await createStore()
    for (let i = 0; i < 55; i++) await createProduct(fixture, { name: `Low ${String(i).padStart(2, '0')}`, stock: i % 5 })
    await createProduct(fixture, { name: 'Plenty', stock: 40 })
    const page = await client.get('/backoffice/reports').loginAs(fixture.users.manager)
    page.assertStatus(200)
    const table = page.text().split('data-testid="low-stock"')[1].split('</table>')[0]
    assert.equal(table.match(/<tr><td>Low \d\d<\/td>/g)?.length, 55)
    const csv = await client.get('/backoffice/reports/csv/low_stock').loginAs(fixture.users.manager)
    csv.assertStatus(200)
    const rows = Papa.parse<string[]>(csv.text().replace('\ufeff', '').trim()).data.slice(1)
    assert.lengthOf(rows, 55)
    assert.notInclude(rows.map((r) => r[0]), 'Plenty')
  }).timeout(60_000)
})
