import { test } from '@japa/runner'
import { DateTime } from 'luxon'
import Papa from 'papaparse'
import db from '@adonisjs/lucid/services/db'
import Category from '#models/category'
import { createProduct, createStore } from '#tests/fixtures'
import { TestDevice } from '../offline/device.js'
import { rollUpDays } from '#reports/day_rollup'

/*
| The owners' month and year views: a month against the one before, best and worst products and
| categories with margins, CSVs, and who may see them. Sales are made on their own past days by
| an offline till (synced now) and their days rolled up, so they reach the summaries the way real
| sales do.
*/

/** A store selling Coffee (no category) and Cola (in Drinks), with their costs, untaxed */
async function coffeeAndCola() {
  const fixture = await createStore()
  const drinks = await Category.create({ storeId: fixture.store.id, name: 'Drinks', position: 1 })
  const coffee = await createProduct(fixture, { name: 'Coffee', price: 300, cost: 100, taxClass: 'zero', stock: 50 })
  const cola = await createProduct(fixture, { name: 'Cola', price: 200, cost: 150, taxClass: 'zero', stock: 50 })
  await db.from('products').where('id', cola.id).update({ category_id: drinks.id })
  return { fixture, coffee, cola }
}

test.group('Months and years', () => {
  test('a month against the month before, products and categories with margins, by year, as CSV', async ({ client, assert }) => {
    const { fixture, coffee, cola } = await coffeeAndCola()
    const zone = fixture.store.timeZone
    const month = DateTime.now().setZone(zone).minus({ months: 2 }).startOf('month')
    const before = month.minus({ months: 1 })
    const device = new TestDevice(fixture)
    ;(await device.takeLease(client)).assertStatus(200)
    await device.sell([{ product: coffee, quantity: 1 }], { at: before.set({ day: 5, hour: 11 }) })
    await device.sell([{ product: coffee, quantity: 4 }], { at: month.set({ day: 3, hour: 10 }) })
    await device.sell([{ product: cola, quantity: 1 }], { cash: false, at: month.set({ day: 10, hour: 18 }) })
    await device.syncAll(client, assert)
    await rollUpDays(fixture.store)

    const key = month.toFormat('yyyy-MM')
    const page = await client.get(`/backoffice/reports/periods?view=month&period=${key}`).loginAs(fixture.users.manager)
    page.assertStatus(200)
    const html = page.text()
    assert.include(html, `${month.toFormat('LLLL yyyy')} (${month.toISODate()} to ${month.endOf('month').toISODate()}) against ${before.toFormat('LLLL yyyy')}`)
    // 2 sales for $14.00 against 1 for $3.00; margin 8.00 + 0.50 against 2.00
    assert.match(html, /data-total="count">\s*<td>Sales<\/td>\s*<td class="num">2<\/td>\s*<td class="num">1<\/td>\s*<td class="num">100 %<\/td>/)
    assert.match(html, /data-total="total">\s*<td>Total<\/td>\s*<td class="num">\$14\.00<\/td>\s*<td class="num">\$3\.00<\/td>\s*<td class="num">366\.7 %<\/td>/)
    assert.include(html, '<td>Margin (revenue without tax, less cost)</td><td class="num">$8.50</td><td class="num">$2.00</td><td class="num">325 %</td>')
    assert.include(html, `<tr data-key="${month.set({ day: 3 }).toISODate()}"><td>${month.set({ day: 3 }).toISODate()}</td><td class="num">1</td><td class="num">$12.00</td>`)
    assert.include(html, `data-product="${coffee.id}"><td>Coffee</td><td>General</td><td class="num">4</td><td class="num">0</td><td class="num">$12.00</td><td class="num">$8.00</td><td class="num">66.7 %</td><td class="num">$3.00</td>`)
    assert.include(html, `data-category="Drinks"><td>Drinks</td><td class="num">1</td><td class="num">0</td><td class="num">$2.00</td><td class="num">$0.50</td><td class="num">25 %</td><td class="num">$0.00</td>`)

    const year = await client.get(`/backoffice/reports/periods?view=year&period=${month.year}`).loginAs(fixture.users.accountant)
    year.assertStatus(200)
    assert.match(year.text(), new RegExp(`<tr data-key="${key}"><td>${key}</td><td class="num">2</td><td class="num">\\$14\\.00</td>`))

    const csv = await client.get(`/backoffice/reports/periods/csv/periods?view=month&period=${key}`).loginAs(fixture.users.manager)
    csv.assertStatus(200)
    const rows = Papa.parse<string[]>(csv.text().trim()).data
    assert.deepEqual(rows[0], ['Day', 'Sales', 'Total', 'Tax', 'Discounts', 'Refunds', 'Refunded', 'Previous period', 'Previous sales', 'Previous total', 'Change %', 'Cash rounding'])
    assert.deepEqual(rows[3], [month.set({ day: 3 }).toISODate()!, '1', '12.00', '0.00', '0.00', '0', '0.00', before.set({ day: 3 }).toISODate()!, '0', '0.00', '', '0.00'])
    const products = Papa.parse<string[]>((await client.get(`/backoffice/reports/periods/csv/products?view=month&period=${key}`).loginAs(fixture.users.manager)).text().trim()).data
    assert.deepEqual(products[1], ['Coffee', coffee.sku, 'General', '4', '0', '12.00', '4.00', '8.00', '66.7', '3.00'])
    ;(await client.get(`/backoffice/reports/periods/csv/categories?view=month&period=${key}`).loginAs(fixture.users.manager)).assertStatus(200)
    ;(await client.get('/backoffice/reports/periods/csv/nope').loginAs(fixture.users.manager)).assertStatus(404)
    // Cashiers see none of it; the nav leads there
    ;(await client.get('/backoffice/reports/periods').loginAs(fixture.users.cashier)).assertStatus(403)
    ;(await client.get('/backoffice/reports/periods/csv/products').loginAs(fixture.users.cashier)).assertStatus(403)
    assert.include((await client.get('/backoffice/reports').loginAs(fixture.users.manager)).text(), 'href="/backoffice/reports/periods"')
  }).timeout(60_000)

  test('a period that is not one is refused at its field (page 422, CSV 422), never shown as the current one', async ({ client, assert }) => {
    const fixture = await createStore()
    const current = DateTime.now().setZone(fixture.store.timeZone).toFormat('LLLL yyyy')
    const bad: [string, string, string][] = [
      ['view=month&period=2026-13', 'period', '&quot;2026-13&quot; is not a month (yyyy-mm) from 2000 to 2100'],
      ['period=abc', 'period', '&quot;abc&quot; is not a month (yyyy-mm) from 2000 to 2100'],
      ['view=month&period=13-2026', 'period', '&quot;13-2026&quot; is not a month'],
      ['view=year&period=2026-05', 'period', '&quot;2026-05&quot; is not a year (yyyy) from 2000 to 2100'],
      ['view=year&period=9999', 'period', '&quot;9999&quot; is not a year'],
      ['view=week', 'view', 'Choose month or year'],
      ['month=abc', 'period', '&quot;abc&quot; is not a month (yyyy-mm)'],
      ['month=2026-13&from=2026-13', 'period', '&quot;2026-13&quot; is not a month (yyyy-mm)'],
      ['year=20266', 'period', '&quot;20266&quot; is not a year (yyyy)'],
      // Asked two ways at once: one of them was shown as if the other had not been asked
      ['period=2026-05&month=2026-06', 'period', 'Give the period once: period=2026-05 and month=2026-06 were both given'],
      ['month=2026-05&year=2025', 'period', 'Give the period once: month=2026-05 and year=2025 were both given'],
      ['view=year&month=2026-05', 'view', 'month=2026-05 asks for a month, view=year for a year: give one'],
      ['view=month&year=2025', 'view', 'year=2025 asks for a year, view=month for a month: give one'],
    ]
    for (const [query, field, message] of bad) {
      const page = await client.get(`/backoffice/reports/periods?${query}`).loginAs(fixture.users.manager)
      page.assertStatus(422)
      const html = page.text()
      assert.include(html, `<p class="field-error" id="field-${field}-error" data-error-for="${field}">${message}`, query)
      assert.include(html, `id="field-${field}" name="${field}"`, query)
      assert.notInclude(html, 'data-testid="period-totals"', `${query}: no figures of another period`)
      assert.notInclude(html, current, `${query}: not the current month`)
      const csv = await client.get(`/backoffice/reports/periods/csv/products?${query}`).loginAs(fixture.users.manager)
      csv.assertStatus(422)
      assert.include(csv.text(), `${field}: `, query)
    }
    // Empty is the current period; a good one is shown
    const empty = await client.get('/backoffice/reports/periods?view=month&period=').loginAs(fixture.users.manager)
    empty.assertStatus(200)
    assert.include(empty.text(), current)
    ;(await client.get('/backoffice/reports/periods?view=year&period=2025').loginAs(fixture.users.manager)).assertStatus(200)
    // The shorter ?month= and ?year= are read as the period; a report's from and to are not this page's
    assert.include((await client.get('/backoffice/reports/periods?month=2025-05').loginAs(fixture.users.manager)).text(), 'May 2025 (2025-05-01 to 2025-05-31)')
    assert.include((await client.get('/backoffice/reports/periods?year=2024').loginAs(fixture.users.manager)).text(), '2024 (2024-01-01 to 2024-12-31)')
    // The first month and year the books hold have no link to the one before (it answered 422)
    const first = await client.get('/backoffice/reports/periods?view=month&period=2000-01').loginAs(fixture.users.manager)
    first.assertStatus(200)
    assert.notInclude(first.text(), 'period=1999-12')
    assert.notInclude((await client.get('/backoffice/reports/periods?view=year&period=2000').loginAs(fixture.users.manager)).text(), 'period=1999"')
    assert.include((await client.get('/backoffice/reports/periods?view=month&period=2000-02').loginAs(fixture.users.manager)).text(), 'period=2000-01">Previous month</a>')
    // With the view they say themselves, or an empty one, they are read all the same
    assert.include((await client.get('/backoffice/reports/periods?view=year&year=2024&month=').loginAs(fixture.users.manager)).text(), '2024 (2024-01-01 to 2024-12-31)')
    ;(await client.get('/backoffice/reports/periods?from=2025-05-01&to=2025-05-03').loginAs(fixture.users.manager)).assertStatus(200)
  })
})

test.group('Months and years: what sold only in the period before', () => {
  test('a product and a category that sold in the month before and not in this one keep their rows, so the previous revenue adds up', async ({ client, assert }) => {
    const { fixture, coffee, cola } = await coffeeAndCola()
    const month = DateTime.now().setZone(fixture.store.timeZone).minus({ months: 2 }).startOf('month')
    const before = month.minus({ months: 1 })
    const device = new TestDevice(fixture)
    ;(await device.takeLease(client)).assertStatus(200)
    await device.sell([{ product: coffee, quantity: 1 }, { product: cola, quantity: 2 }], { at: before.set({ day: 5, hour: 11 }) })
    await device.sell([{ product: coffee, quantity: 4 }], { at: month.set({ day: 3, hour: 10 }) })
    await device.syncAll(client, assert)
    await rollUpDays(fixture.store)
    const key = month.toFormat('yyyy-MM')
    const parse = async (table: string) => Papa.parse<string[]>((await client.get(`/backoffice/reports/periods/csv/${table}?view=month&period=${key}`).loginAs(fixture.users.manager)).text().replace(/^\uFEFF/, '').trim()).data

    // Cola sold $4.00 in the month before and nothing in this one: a row of zeros beside its $4.00 (it had none)
    const products = await parse('products')
    assert.deepEqual(products.slice(1), [
      ['Coffee', coffee.sku, 'General', '4', '0', '12.00', '4.00', '8.00', '66.7', '3.00'],
      ['Cola', cola.sku, 'Drinks', '0', '0', '0.00', '0.00', '0.00', '', '4.00'],
    ])
    const categories = await parse('categories')
    assert.deepEqual(categories.slice(1), [
      ['General', '4', '0', '12.00', '8.00', '66.7', '3.00'],
      ['Drinks', '0', '0', '0.00', '0.00', '', '4.00'],
    ])
    // Each column adds up to the period it is of: $7.00 before
    const before$ = (rows: string[][], column: number) => rows.slice(1).reduce((sum, row) => sum + Math.round(Number(row[column]) * 100), 0)
    assert.equal(before$(products, 9), 700)
    assert.equal(before$(categories, 6), 700)
    const html = (await client.get(`/backoffice/reports/periods?view=month&period=${key}`).loginAs(fixture.users.manager)).text()
    assert.include(html, '<tr data-category="Drinks"><td>Drinks</td><td class="num">0</td><td class="num">0</td><td class="num">$0.00</td><td class="num">$0.00</td><td class="num">–</td><td class="num">$4.00</td></tr>')
    // Not among the best or worst sellers: it sold nothing this month
    assert.notInclude(html, `data-product="${cola.id}"`)
  }).timeout(60_000)
})
