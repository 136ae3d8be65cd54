import { test } from '@japa/runner'
import Papa from 'papaparse'
import { apiToken, createProduct, createStore, type TestStore } from '#tests/fixtures'
import { sellFor } from '#tests/functional/backoffice/helpers'
import { recordAudit } from '#platform/audit_service'
import { neutralise } from '#platform/csv_writer'

/*
| The audit log shows each entry's data as key: value pairs, amounts as money of the store's
| currency (reports/audit_details.ts): it showed the raw JSON, {"total":1234}, which a manager read
| as 1,234 dollars for $12.34. The CSV keeps that JSON (data) and adds the same details (details).
| Quantities, counts, shares and ids stay numbers.
*/

/** The audit page's text for one action, as an admin sees it */
async function pageOf(client: any, fixture: TestStore, action: string) {
  const page = await client.get(`/backoffice/audit?action=${action}`).loginAs(fixture.users.admin)
  page.assertStatus(200)
  return page.text() as string
}

/** The CSV's rows for one action, as objects by column */
async function csvOf(client: any, fixture: TestStore, action: string) {
  const csv = await client.get(`/backoffice/audit.csv?action=${action}`).loginAs(fixture.users.admin)
  csv.assertStatus(200)
  const [header, ...rows] = Papa.parse<string[]>(csv.text().replace(/^\ufeff/, '').trim()).data
  return rows.map((row) => Object.fromEntries(header.map((name, i) => [name, row[i]])))
}

test.group('Audit log: amounts as money', () => {
  test('a sale of 1234 in a USD store reads $12.34 on the page and in the CSV details; its number stays a number', async ({ client, assert }) => {
    const fixture = await createStore({ taxPpm: 0 })
    const tea = await createProduct(fixture, { price: 1234, stock: 10 })
    const sale = await sellFor(fixture, [{ product: tea, quantity: 1 }])
    assert.equal(sale.total, 1234)

    const page = await pageOf(client, fixture, 'sale_completed')
    assert.include(page, '<li>total: $12.34</li>')
    assert.include(page, `<li>number: ${sale.number}</li>`)
    assert.include(page, '<li>payment: cash</li>')
    assert.notInclude(page, '"total":1234')

    const [row] = await csvOf(client, fixture, 'sale_completed')
    assert.equal(row.details, `number: ${sale.number}; total: $12.34; payment: cash`)
    assert.deepEqual(JSON.parse(row.data), { number: sale.number, total: 1234, payment: 'cash' })
  })

  test('a store in a currency of no minor digits (JPY) reads ¥1,234 for 1234', async ({ client, assert }) => {
    const fixture = await createStore({ taxPpm: 0 })
    // Before any sale: a store with sales keeps its currency
    await fixture.store.merge({ currency: 'JPY' }).save()
    const tea = await createProduct(fixture, { price: 1234, stock: 10 })
    await sellFor(fixture, [{ product: tea, quantity: 1 }])

    assert.include(await pageOf(client, fixture, 'sale_completed'), '<li>total: ¥1,234</li>')
    const [row] = await csvOf(client, fixture, 'sale_completed')
    assert.include(row.details, 'total: ¥1,234')
  })

  test('an edited product: price and cost as money, its stock and the adjustment\'s quantity as counts', async ({ client, assert }) => {
    const fixture = await createStore()
    const product = await createProduct(fixture, { price: 500, cost: 400, stock: 10 })
    const token = await apiToken(client, fixture.users.manager)
    ;(await client.put(`/api/products/${product.id}`).bearerToken(token).json({ price: 650, cost: 300, stock: 7 })).assertStatus(200)

    const updated = await pageOf(client, fixture, 'product_updated')
    assert.include(updated, '<li>price: $5.00 → $6.50</li>')
    assert.include(updated, '<li>cost: $4.00 → $3.00</li>')
    assert.include(updated, '<li>stock: 10 → 7</li>')
    const [row] = await csvOf(client, fixture, 'product_updated')
    assert.equal(row.details, 'price: $5.00 → $6.50; cost: $4.00 → $3.00; stock: 10 → 7')

    // The correction it booked: [product id, quantity] per line, no amount
    const adjusted = await pageOf(client, fixture, 'stock_adjusted')
    assert.include(adjusted, `<li>lines: [[${product.id}, -3]]</li>`)
    assert.notInclude(adjusted, '$0.0')
  })

  test('entries as written before: tenders as "method:amount", discounts by type, shares, counts and ids left alone', async ({ client, assert }) => {
    const fixture = await createStore()
    const base = { storeId: fixture.store.id, userId: fixture.users.manager.id }
    await recordAudit({ ...base, action: 'refund', data: { refundId: 7, number: 3, total: 1500, tenders: ['cash:1000', 'card:500'], damaged: [{ saleItemId: 9, quantity: 2 }] } })
    await recordAudit({ ...base, action: 'line_discount', data: { itemId: 4, type: 'percent', value: 1000 } })
    await recordAudit({ ...base, action: 'cart_discount', data: { type: 'amount', value: 250 } })
    await recordAudit({ ...base, action: 'discount_approved', data: { shareBp: 1500, amount: 300, limitBp: 1000, approvedBy: 12 } })
    await recordAudit({ ...base, action: 'shift_closed', data: { z: 4, expected: 10000, counted: 9950, difference: -50 } })
    await recordAudit({ ...base, action: 'stocktake_approved', data: { variances: 250 } })

    const refund = await pageOf(client, fixture, 'refund')
    assert.include(refund, '<li>refundId: 7</li>')
    assert.include(refund, '<li>total: $15.00</li>')
    assert.include(refund, '<li>tenders: [cash $10.00, card $5.00]</li>')
    assert.include(refund, '<li>damaged: [{saleItemId: 9, quantity: 2}]</li>')
    assert.include(await pageOf(client, fixture, 'line_discount'), '<li>value: 1000</li>')
    assert.include(await pageOf(client, fixture, 'cart_discount'), '<li>value: $2.50</li>')
    const approved = (await csvOf(client, fixture, 'discount_approved'))[0]
    assert.equal(approved.details, 'shareBp: 1500; amount: $3.00; limitBp: 1000; approvedBy: 12')
    const closed = (await csvOf(client, fixture, 'shift_closed'))[0]
    assert.equal(closed.details, 'z: 4; expected: $100.00; counted: $99.50; difference: -$0.50')
    assert.include(await pageOf(client, fixture, 'stocktake_approved'), '<li>variances: 250</li>')
  })

  test('formula-like text stays harmless in the CSV details, and escaped on the page', async ({ client, assert }) => {
    const fixture = await createStore()
    const base = { storeId: fixture.store.id, userId: fixture.users.manager.id }
    await recordAudit({ ...base, action: 'sale_voided', data: { '=cmd|"/c calc"!A1': 1, reason: '<b>=cmd()</b>' } })

    const [row] = await csvOf(client, fixture, 'sale_voided')
    const details = '=cmd|"/c calc"!A1: 1; reason: <b>=cmd()</b>'
    assert.equal(row.details, neutralise(details))
    assert.equal(row.details[0], "'")
    const page = await pageOf(client, fixture, 'sale_voided')
    assert.include(page, '<li>reason: &lt;b&gt;=cmd()&lt;/b&gt;</li>')
    assert.notInclude(page, '<b>=cmd()</b>')
  })
})
