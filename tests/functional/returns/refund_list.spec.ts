import { test } from '@japa/runner'
import { DateTime } from 'luxon'
import Papa from 'papaparse'
import { apiToken, cashIntoDrawer, createProduct, createStore, PINS } from '#tests/fixtures'
import { completedSale } from './helpers.js'

/*
| Back office → Refunds (those who read reports): every refund of the store's days with who, the
| register, the products, the amount, the tenders and the reason; the filter "without a receipt"
| finds the returns no sale leads to (no page listed them), and the CSV holds the same rows.
*/

test.group('Back office: refunds list', () => {
  test('returns without a receipt: listed and filtered, with who approved them, as CSV; roles; bad days at their field', async ({ client, assert }) => {
    const fixture = await createStore()
    const mug = await createProduct(fixture, { name: 'Crème brûlée mug', price: 1000, stock: 4 })
    const tea = await createProduct(fixture, { name: 'Tea', price: 500, taxClass: 'zero', stock: 10 })
    await cashIntoDrawer(fixture, 5000)
    const cashier = await apiToken(client, fixture.users.cashier)
    const noReceipt = await client.post('/api/refunds').bearerToken(cashier).json({ items: [{ product_id: mug.id, quantity: 1, restock: false }], reason: 'Gift, no receipt', manager_pin: PINS.manager })
    noReceipt.assertStatus(201)
    const sale = await completedSale(client, cashier, [{ product_id: tea.id, quantity: 2 }])
    const withReceipt = await client.post(`/api/sales/${sale.id}/refunds`).bearerToken(cashier).json({ items: [{ sale_item_id: sale.items[0].id, quantity: 1 }], reason: 'Cold' })
    withReceipt.assertStatus(201)
    const today = DateTime.now().setZone(fixture.store.timeZone).toISODate()!

    const page = await client.get(`/backoffice/refunds?from=${today}&to=${today}&receipt=without`).loginAs(fixture.users.manager)
    page.assertStatus(200)
    const html = page.text()
    assert.include(html, 'data-testid="refunds-count">1</b>')
    assert.include(html, 'data-testid="refunds-total">$10.80</b>')
    const row = html.slice(html.indexOf(`data-refund="${noReceipt.body().id}"`), html.indexOf('</tr>', html.indexOf(`data-refund="${noReceipt.body().id}"`)))
    for (const cell of ['<b>Without a receipt</b>', '<td>Register 1</td>', `<td>${fixture.users.cashier.name}</td>`, `<td>${fixture.users.manager.name}</td>`, `<td>1 × Crème brûlée mug (${mug.sku}) damaged</td>`, '<td class="num">$10.80</td>', '<td>Cash 10.80</td>', '<td>Gift, no receipt</td>']) {
      assert.include(row, cell)
    }
    assert.notInclude(html, `data-refund="${withReceipt.body().id}"`, 'a refund with a receipt is filtered out')

    // All refunds: the one with a receipt links its sale
    const all = (await client.get(`/backoffice/refunds?from=${today}&to=${today}`).loginAs(fixture.users.accountant)).text()
    assert.include(all, 'data-testid="refunds-count">2</b>')
    assert.include(all, `<a href="/backoffice/sales/${sale.id}">Sale #${sale.number}</a>`)
    // Another register's refunds: none
    assert.include((await client.get(`/backoffice/refunds?receipt=without&register_id=${fixture.register.id + 1}`).loginAs(fixture.users.manager)).text(), 'data-testid="no-refunds"')
    // The last 30 days by default
    assert.include((await client.get('/backoffice/refunds?receipt=without').loginAs(fixture.users.manager)).text(), `data-refund="${noReceipt.body().id}"`)

    const csv = await client.get(`/backoffice/refunds.csv?from=${today}&to=${today}&receipt=without`).loginAs(fixture.users.manager)
    csv.assertStatus(200)
    assert.include(csv.header('content-disposition'), `refunds-without-receipt-${today}-${today}.csv`)
    assert.isTrue(csv.text().startsWith('\ufeff'), 'for a spreadsheet: with the BOM')
    const rows = Papa.parse<string[]>(csv.text().trim()).data
    assert.deepEqual(rows[0], ['refund', 'time', 'receipt', 'register', 'refunded_by', 'approved_by', 'kind', 'products', 'amount', 'tenders', 'reason', 'utc_offset'])
    assert.lengthOf(rows, 2)
    assert.deepEqual(rows[1].filter((_, i) => i !== 1), [String(noReceipt.body().id), 'without a receipt', 'Register 1', fixture.users.cashier.name, fixture.users.manager.name, 'refund', `1 × Crème brûlée mug (${mug.sku}) damaged`, '10.80', 'Cash 10.80', 'Gift, no receipt', rows[1][11]])

    // Those who read reports reach it from the navigation; a cashier does not
    assert.include((await client.get('/backoffice/reports').loginAs(fixture.users.manager)).text(), '<a href="/backoffice/refunds">Refunds</a>')
    ;(await client.get('/backoffice/refunds').loginAs(fixture.users.cashier)).assertStatus(403)
    ;(await client.get('/backoffice/refunds.csv').loginAs(fixture.users.cashier)).assertStatus(403)

    // Days that are not days, or a filter that is not one: 422 at the field, no list (days the wrong
    // way round are put in order, as the sales list does: tests/functional/backoffice/list_days.spec.ts)
    for (const [query, field, message] of [
      ['from=2026-13-01', 'from', '&quot;2026-13-01&quot; is not a day (yyyy-mm-dd) from 2000 to 2100'],
      ['from=2026-01-01&to=abc', 'to', '&quot;abc&quot; is not a day'],
      ['receipt=maybe', 'receipt', 'Choose all refunds, without a receipt or with a receipt'],
    ]) {
      const bad = await client.get(`/backoffice/refunds?${query}`).loginAs(fixture.users.manager)
      bad.assertStatus(422)
      assert.include(bad.text(), `<p class="field-error" id="field-${field}-error" data-error-for="${field}">${message}`, query)
      assert.notInclude(bad.text(), 'data-testid="refunds-list"', query)
      ;(await client.get(`/backoffice/refunds.csv?${query}`).loginAs(fixture.users.manager)).assertStatus(422)
    }
  })
})
