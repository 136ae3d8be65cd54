import { test } from '@japa/runner'
import { randomUUID } from 'node:crypto'
import { apiToken, countRows, createProduct, createStore, stockOf } from '#tests/fixtures'
import { dbTimestamp } from '#platform/db_time'
import db from '@adonisjs/lucid/services/db'

/*
| What an Idempotency-Key's request is: the method, the path, the store it acts on and the body as
| data. The same key and body sent for another store (X-Store-Id) was answered with the first
| store's product, as a replay, and nothing was made in the second; the same body with its keys
| in another order was a 409 idempotency_conflict, though it asks the very same thing.
*/

test.group('API idempotency: the store and the body as data', () => {
  test('the same key and body for another store is not a replay of the first store’s answer', async ({ client, assert }) => {
    const a = await createStore()
    const b = await createStore()
    // The manager of store A also works in store B
    await db.table('store_users').insert({ store_id: b.store.id, user_id: a.users.manager.id, created_at: dbTimestamp() })
    const token = await apiToken(client, a.users.manager)
    const key = randomUUID()
    const body = { name: 'Oat Milk', sku: `OAT-${a.tag}`, price: 250 }

    const first = await client.post('/api/products').bearerToken(token).header('Idempotency-Key', key).json(body)
    first.assertStatus(201)
    const other = await client.post('/api/products').bearerToken(token).header('Idempotency-Key', key).header('X-Store-Id', String(b.store.id)).json(body)
    other.assertStatus(409)
    assert.equal(other.body().errors[0].code, 'idempotency_conflict')
    assert.isUndefined(other.header('idempotent-replayed'))
    // The first store's retry still replays its own answer
    const again = await client.post('/api/products').bearerToken(token).header('Idempotency-Key', key).header('X-Store-Id', String(a.store.id)).json(body)
    again.assertStatus(201)
    assert.equal(again.header('idempotent-replayed'), 'true')
    assert.equal(again.body().id, first.body().id)
    assert.equal(await countRows('products', { store_id: a.store.id, sku: body.sku }), 1)
    assert.equal(await countRows('products', { store_id: b.store.id, sku: body.sku }), 0)
  })

  test('the same body with its keys in another order, at any depth, is the same request: replayed, written once', async ({ client, assert }) => {
    const fixture = await createStore()
    const tea = await createProduct(fixture, { price: 500, stock: 10 })
    const manager = await apiToken(client, fixture.users.manager)
    const cashier = await apiToken(client, fixture.users.cashier)

    const productKey = randomUUID()
    const created = await client.post('/api/products').bearerToken(manager).header('Idempotency-Key', productKey).json({ name: 'Rye', sku: `RYE-${fixture.tag}`, price: 300 })
    created.assertStatus(201)
    const reordered = await client.post('/api/products').bearerToken(manager).header('Idempotency-Key', productKey).json({ price: 300, sku: `RYE-${fixture.tag}`, name: 'Rye' })
    reordered.assertStatus(201)
    assert.equal(reordered.header('idempotent-replayed'), 'true')
    assert.equal(reordered.body().id, created.body().id)

    const saleKey = randomUUID()
    const sale = await client.post('/api/sales').bearerToken(cashier).header('Idempotency-Key', saleKey).json({ items: [{ product_id: tea.id, quantity: 2 }], payment_method: 'cash', tendered: 5000 })
    sale.assertStatus(201)
    const retried = await client.post('/api/sales').bearerToken(cashier).header('Idempotency-Key', saleKey).json({ tendered: 5000, payment_method: 'cash', items: [{ quantity: 2, product_id: tea.id }] })
    retried.assertStatus(201)
    assert.equal(retried.header('idempotent-replayed'), 'true')
    assert.equal(retried.body().id, sale.body().id)
    assert.equal(await countRows('sales', { store_id: fixture.store.id }), 1)
    assert.equal(await stockOf(tea.id), 8)

    // Another value is another request still
    const changed = await client.post('/api/sales').bearerToken(cashier).header('Idempotency-Key', saleKey).json({ items: [{ product_id: tea.id, quantity: 3 }], payment_method: 'cash', tendered: 5000 })
    changed.assertStatus(409)
    assert.equal(changed.body().errors[0].code, 'idempotency_conflict')
  })
})
