import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { apiToken, countRows, createProduct, createStore } from '#tests/fixtures'

/*
| A line discount given through POST /api/sales is audited as the till's is (line_discount, the
| sale as its subject), in the sale's transaction: the API's discounts left no entry.
*/

async function discountEntries(storeId: number) {
  const rows = await db.from('audit_logs').where({ store_id: storeId, action: 'line_discount' }).orderBy('id').select('user_id', 'subject_type', 'subject_id', 'data')
  return rows.map((row) => ({ ...row, data: typeof row.data === 'string' ? JSON.parse(row.data) : row.data }))
}

test.group('API sales: discounts are audited', () => {
  test('a paid sale and an open one audit each discounted line; a sale without discounts audits none', async ({ client, assert }) => {
    const fixture = await createStore()
    const a = await createProduct(fixture, { price: 1000, stock: 10 })
    const b = await createProduct(fixture, { price: 500, stock: 10 })
    const c = await createProduct(fixture, { price: 300, stock: 10 })
    const token = await apiToken(client, fixture.users.cashier)
    const cashier = fixture.users.cashier.id

    const paid = await client.post('/api/sales').bearerToken(token).json({
      items: [{ product_id: a.id, quantity: 1, discount_percent: 12.5 }, { product_id: c.id, quantity: 1 }, { product_id: b.id, quantity: 2, discount: 150 }],
      payment_method: 'card_external',
    })
    paid.assertStatus(201)
    assert.equal(paid.body().discount_total, 275)
    assert.deepEqual(await discountEntries(fixture.store.id), [
      { user_id: cashier, subject_type: 'sale', subject_id: paid.body().id, data: { line: 1, productId: a.id, type: 'percent', value: 1250 } },
      { user_id: cashier, subject_type: 'sale', subject_id: paid.body().id, data: { line: 3, productId: b.id, type: 'amount', value: 150 } },
    ])

    const open = await client.post('/api/sales').bearerToken(token).json({ items: [{ product_id: c.id, quantity: 1, discount: 30 }] })
    open.assertStatus(201)
    const entries = await discountEntries(fixture.store.id)
    assert.lengthOf(entries, 3)
    assert.deepEqual(entries[2], { user_id: cashier, subject_type: 'sale', subject_id: open.body().id, data: { line: 1, productId: c.id, type: 'amount', value: 30 } })

    ;(await client.post('/api/sales').bearerToken(token).json({ items: [{ product_id: c.id, quantity: 1 }], payment_method: 'card_external' })).assertStatus(201)
    ;(await client.post('/api/sales').bearerToken(token).json({ items: [{ product_id: c.id, quantity: 1, discount_percent: 0 }] })).assertStatus(201)
    assert.lengthOf(await discountEntries(fixture.store.id), 3)
  })

  test('a refused sale leaves no discount entry', async ({ client, assert }) => {
    const fixture = await createStore()
    const a = await createProduct(fixture, { price: 1000, stock: 1 })
    const token = await apiToken(client, fixture.users.cashier)
    const response = await client.post('/api/sales').bearerToken(token).json({ items: [{ product_id: a.id, quantity: 2, discount_percent: 10 }], payment_method: 'card_external' })
    response.assertStatus(409)
    assert.equal(await countRows('audit_logs', { store_id: fixture.store.id, action: 'line_discount' }), 0)
  })
})
