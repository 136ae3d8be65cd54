import { test } from '@japa/runner'
import { apiToken, createProduct, createStore } from '#tests/fixtures'

/*
| POST /api/sales answers from the objects the checkout wrote, without reading the sale back:
| the answer must be exactly what GET /api/sales/:id reads from the database afterwards.
*/

test.group('API sales: the answer of a write equals the sale read back', () => {
  test('a completed sale with a discount and cash change', async ({ client, assert }) => {
    const fixture = await createStore()
    const a = await createProduct(fixture, { price: 1000, taxClass: 'standard', stock: 10 })
    const b = await createProduct(fixture, { price: 550, taxClass: 'reduced', stock: 10 })
    const token = await apiToken(client, fixture.users.cashier)

    const created = await client
      .post('/api/sales')
      .bearerToken(token)
      .header('Idempotency-Key', 'response-equals-read-1')
      .json({ items: [{ product_id: a.id, quantity: 2, discount: 150 }, { product_id: b.id, quantity: 1 }], payment_method: 'cash', tendered: 5000 })
    created.assertStatus(201)
    const read = await client.get(`/api/sales/${created.body().id}`).bearerToken(token)
    read.assertStatus(200)
    assert.deepEqual(created.body(), read.body())
    assert.equal(created.body().status, 'completed')
    assert.lengthOf(created.body().items, 2)
    assert.isAbove(created.body().items[0].id, 0)
    assert.notEqual(created.body().items[0].id, created.body().items[1].id)
    assert.lengthOf(created.body().payments, 1)
  })

  test('an open sale without payment', async ({ client, assert }) => {
    const fixture = await createStore()
    const a = await createProduct(fixture, { price: 1000, stock: 10 })
    const token = await apiToken(client, fixture.users.cashier)

    const created = await client.post('/api/sales').bearerToken(token).json({ items: [{ product_id: a.id, quantity: 3 }] })
    created.assertStatus(201)
    const read = await client.get(`/api/sales/${created.body().id}`).bearerToken(token)
    assert.deepEqual(created.body(), read.body())
    assert.isNull(created.body().number)
    assert.deepEqual(created.body().payments, [])
  })
})
