import { test } from '@japa/runner'
import { DateTime } from 'luxon'
import Papa from 'papaparse'
import db from '@adonisjs/lucid/services/db'
import { createProduct, createStore } from '#tests/fixtures'
import { sellFor } from '#tests/functional/backoffice/helpers'

/*
| Products without a category are a group of their own, told apart from a category whatever its
| name. They were grouped under the label "No category": a real category named so (a store's
| choice) was summed with them into one row, on the page and in the CSVs an accountant files.
| Now the group is keyed by no category at all: its CSV cell is empty (a category's name never
| is), its row on the page reads "No category" marked as no category's name.
*/

const csv = (text: string) => Papa.parse<string[]>(text.replace('\ufeff', '').trim()).data

test.group('Reports: products without a category', () => {
  test('a category named "No category" and the products without one are two rows: page, CSVs, the month, the stock valuation', async ({ client, assert }) => {
    const fixture = await createStore({ taxPpm: 0 })
    await db.from('categories').where('id', fixture.category.id).update({ name: 'No category' })
    const named = await createProduct(fixture, { name: 'Named', price: 300, cost: 100, stock: 10 })
    const loose = await createProduct(fixture, { name: 'Loose', price: 500, cost: 200, stock: 20 })
    await db.from('products').where('id', loose.id).update({ category_id: null })
    await sellFor(fixture, [{ product: named, quantity: 1 }, { product: loose, quantity: 2 }])
    const day = DateTime.now().setZone(fixture.store.timeZone).toISODate()!
    const get = async (url: string) => {
      const response = await client.get(url).loginAs(fixture.users.manager)
      response.assertStatus(200)
      return response.text()
    }

    const categories = csv(await get(`/backoffice/reports/csv/categories?from=${day}&to=${day}`))
    assert.deepEqual(categories, [['Category', 'Sold', 'Returned', 'Revenue', 'Margin'], ['', '2', '0', '10.00', '6.00'], ['No category', '1', '0', '3.00', '2.00']])
    const best = csv(await get(`/backoffice/reports/csv/best?from=${day}&to=${day}`))
    assert.deepEqual(best.slice(1).map((r) => [r[0], r[2]]), [['Loose', ''], ['Named', 'No category']])
    const month = csv(await get(`/backoffice/reports/periods/csv/categories?view=month&period=${day.slice(0, 7)}`))
    assert.deepEqual(month.slice(1).map((r) => r.slice(0, 2)), [['', '2'], ['No category', '1']])
    const valuation = csv(await get(`/backoffice/reports/csv/valuation?from=${day}&to=${day}`))
    assert.sameDeepMembers(valuation.slice(1), [['', '1', '18', '36.00'], ['No category', '1', '9', '9.00']])

    // On the pages: two rows, the one of no category marked as such
    const none = '<td><em class="hint">No category</em></td>'
    const page = await get(`/backoffice/reports?from=${day}&to=${day}`)
    const byCategory = page.slice(page.indexOf('data-testid="by-category"'), page.indexOf('</table>', page.indexOf('data-testid="by-category"')))
    assert.include(byCategory, `<tr data-category=""><td><em class="hint">No category</em></td><td class="num">2</td>`)
    assert.include(byCategory, '<tr data-category="No category"><td>No category</td><td class="num">1</td>')
    const valuationTable = page.slice(page.indexOf('data-testid="valuation"'), page.indexOf('</table>', page.indexOf('data-testid="valuation"')))
    assert.include(valuationTable, `<tr>${none}<td class="num">1</td><td class="num">18</td>`)
    assert.include(valuationTable, '<tr><td>No category</td><td class="num">1</td><td class="num">9</td>')
    const periods = await get(`/backoffice/reports/periods?view=month&period=${day.slice(0, 7)}`)
    assert.include(periods, `<tr data-category="">${none}<td class="num">2</td>`)
    assert.include(periods, '<tr data-category="No category"><td>No category</td><td class="num">1</td>')
    assert.include(periods, `<tr data-product="${loose.id}"><td>Loose</td>${none}`)
  })
})
