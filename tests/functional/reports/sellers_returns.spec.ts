import { test } from '@japa/runner'
import { DateTime } from 'luxon'
import Papa from 'papaparse'
import db from '@adonisjs/lucid/services/db'
import ReportService from '#reports/report_service'
import SummaryRebuild from '#reports/summary_rebuild'
import { rollUpDays } from '#reports/day_rollup'
import { dbTimestamp } from '#platform/db_time'
import { apiToken, cashIntoDrawer, createProduct, createStore } from '#tests/fixtures'
import { completedSale } from '../returns/helpers.js'

/*
| Best and worst sellers rank what was sold. A return without a receipt of a product not sold in
| the period made it a seller of "-1" (the worst of all); units sold and returned are now apart,
| the product is in neither list, and its refund still counts in the CSV of every product, the
| categories and the margin. A category's units were still net of returns (3 sold, 2 returned read
| "1"): sold and returned apart there too, on the page and in the CSVs. The same from the lines (today) and from the summaries (a day over).
*/

const csv = (text: string) => Papa.parse<string[]>(text.trim()).data

test.group('Reports: sellers and returns', () => {
  test('a return without a receipt is no negative sale: sold and returned apart, on the page and in the CSVs', async ({ client, assert }) => {
    const fixture = await createStore()
    const coffee = await createProduct(fixture, { name: 'Coffee', price: 300, cost: 100, taxClass: 'zero', stock: 50 })
    const mug = await createProduct(fixture, { name: 'Mug', price: 1000, cost: 400, taxClass: 'zero', stock: 5 })
    await cashIntoDrawer(fixture, 5000)
    const manager = await apiToken(client, fixture.users.manager)
    const sale = await completedSale(client, manager, [{ product_id: coffee.id, quantity: 3 }])
    ;(await client.post(`/api/sales/${sale.id}/refunds`).bearerToken(manager).json({ items: [{ sale_item_id: sale.items[0].id, quantity: 1 }], reason: 'Cold' })).assertStatus(201)
    ;(await client.post('/api/refunds').bearerToken(manager).json({ items: [{ product_id: mug.id, quantity: 1 }], reason: 'Gift, no receipt' })).assertStatus(201)

    const check = async (day: string, why: string) => {
      const page = await client.get(`/backoffice/reports?from=${day}&to=${day}`).loginAs(fixture.users.manager)
      page.assertStatus(200)
      const html = page.text()
      for (const list of ['best', 'worst']) {
        const section = html.slice(html.indexOf(`data-testid="${list}-sellers"`), html.indexOf('</table>', html.indexOf(`data-testid="${list}-sellers"`)))
        assert.include(section, `<th class="num">Sold</th><th class="num">Returned</th>`, `${why}: ${list}`)
        assert.include(section, `<tr data-product="${coffee.id}"><td>Coffee</td><td>${coffee.sku}</td><td class="num">3</td><td class="num">1</td><td class="num">$6.00</td><td class="num">$2.00</td><td class="num">$4.00</td></tr>`, `${why}: ${list}`)
        assert.notInclude(section, `data-product="${mug.id}"`, `${why}: the mug sold nothing (${list})`)
      }
      for (const list of ['best', 'worst']) {
        const rows = csv((await client.get(`/backoffice/reports/csv/${list}?from=${day}&to=${day}`).loginAs(fixture.users.manager)).text())
        assert.deepEqual(rows, [['Product', 'SKU', 'Category', 'Sold', 'Returned', 'Revenue', 'Cost', 'Margin'], ['Coffee', coffee.sku, 'General', '3', '1', '6.00', '2.00', '4.00']], `${why}: ${list} CSV`)
      }
      // Every product in the month's CSV: the mug's refund is there, as a return, not a sale of -1
      const month = csv((await client.get(`/backoffice/reports/periods/csv/products?view=month&period=${day.slice(0, 7)}`).loginAs(fixture.users.manager)).text())
      assert.deepEqual(month[0].slice(0, 8), ['Product', 'SKU', 'Category', 'Sold', 'Returned', 'Revenue', 'Cost', 'Margin'])
      assert.deepEqual(month.find((r) => r[0] === 'Mug')?.slice(0, 8), ['Mug', mug.sku, 'General', '0', '1', '-10.00', '-4.00', '-6.00'], why)
      // The categories likewise: 3 sold, 2 returned (a coffee and the mug), not "1 unit"; revenue and margin net of the refunds
      const categories = await new ReportService().products(fixture.store, day, day)
      assert.deepEqual(categories.categories, [{ category: 'General', sold: 3, returned: 2, revenue: -400, margin: -200 }], why)
      const byCategory = html.slice(html.indexOf('data-testid="by-category"'), html.indexOf('</table>', html.indexOf('data-testid="by-category"')))
      assert.include(byCategory, '<th class="num">Sold</th><th class="num">Returned</th>', why)
      assert.include(byCategory, '<tr data-category="General"><td>General</td><td class="num">3</td><td class="num">2</td>', why)
      const categoryCsv = csv((await client.get(`/backoffice/reports/csv/categories?from=${day}&to=${day}`).loginAs(fixture.users.manager)).text())
      assert.deepEqual(categoryCsv, [['Category', 'Sold', 'Returned', 'Revenue', 'Margin'], ['General', '3', '2', '-4.00', '-2.00']], `${why}: categories CSV`)
      const monthCategories = csv((await client.get(`/backoffice/reports/periods/csv/categories?view=month&period=${day.slice(0, 7)}`).loginAs(fixture.users.manager)).text())
      assert.deepEqual(monthCategories[0].slice(0, 3), ['Category', 'Sold', 'Returned'], why)
      assert.deepEqual(monthCategories.find((r) => r[0] === 'General')?.slice(0, 3), ['General', '3', '2'], `${why}: the month's categories CSV`)
      const periods = (await client.get(`/backoffice/reports/periods?view=month&period=${day.slice(0, 7)}`).loginAs(fixture.users.manager)).text()
      assert.include(periods, '<tr data-category="General"><td>General</td><td class="num">3</td><td class="num">2</td>', `${why}: the month's categories`)
    }

    const today = DateTime.now().setZone(fixture.store.timeZone).toISODate()!
    await check(today, 'today, from the lines')

    // The same moved to a day that is over and rolled up: read from the summaries
    const past = DateTime.now().setZone(fixture.store.timeZone).minus({ days: 3 }).set({ hour: 12 })
    const at = dbTimestamp(past.toUTC())
    await db.from('sales').where('store_id', fixture.store.id).update({ completed_at: at })
    await db.from('refunds').where('store_id', fixture.store.id).update({ created_at: at })
    await rollUpDays(fixture.store)
    await new SummaryRebuild().rebuild(fixture.store, past.toISODate()!, past.toISODate()!)
    assert.isNotNull((await new ReportService().split(fixture.store, past.toISODate()!, past.toISODate()!)).summary)
    await check(past.toISODate()!, 'a day rolled up, from the summaries')
  })

  test('a product that costs nothing, with more returned than sold, costs $0.00 on the page as in the CSV (it read -$0.00)', async ({ client, assert }) => {
    const fixture = await createStore()
    const bag = await createProduct(fixture, { name: 'Gift wrap', price: 200, cost: 0, taxClass: 'zero', stock: 50 })
    await cashIntoDrawer(fixture, 5000)
    const manager = await apiToken(client, fixture.users.manager)
    const earlier = await completedSale(client, manager, [{ product_id: bag.id, quantity: 2 }])
    await db.from('sales').where('id', earlier.id).update({ completed_at: dbTimestamp(DateTime.utc().minus({ days: 3 })) })
    await completedSale(client, manager, [{ product_id: bag.id, quantity: 1 }])
    ;(await client.post(`/api/sales/${earlier.id}/refunds`).bearerToken(manager).json({ items: [{ sale_item_id: earlier.items[0].id, quantity: 2 }], reason: 'Torn' })).assertStatus(201)
    const today = DateTime.now().setZone(fixture.store.timeZone).toISODate()!
    const html = (await client.get(`/backoffice/reports?from=${today}&to=${today}`).loginAs(fixture.users.manager)).text()
    // 1 sold, 2 returned: -$2.00 of revenue, no cost
    assert.include(html, `<tr data-product="${bag.id}"><td>Gift wrap</td><td>${bag.sku}</td><td class="num">1</td><td class="num">2</td><td class="num">-$2.00</td><td class="num">$0.00</td><td class="num">-$2.00</td></tr>`)
    const rows = csv((await client.get(`/backoffice/reports/csv/best?from=${today}&to=${today}`).loginAs(fixture.users.manager)).text())
    assert.deepEqual(rows[1], ['Gift wrap', bag.sku, 'General', '1', '2', '-2.00', '0.00', '-2.00'])
  })
})
