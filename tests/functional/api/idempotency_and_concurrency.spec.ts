import { test } from '@japa/runner'
import { randomUUID } from 'node:crypto'
import db from '@adonisjs/lucid/services/db'
import { apiToken, createProduct, createStore, type TestStore, countRows, ledgerSum, stockOf } from '#tests/fixtures'
import { dbTimestamp } from '#platform/db_time'
import { KEY_RETENTION_DAYS, pruneIdempotencyKeys } from '#platform/idempotency_service'

/*
| Retried writes with an Idempotency-Key, and tills racing for the last units of a product.
| Both must hold on SQLite and on MariaDB (DB_CONNECTION=mysql).
*/

async function saleNumbers(fixture: TestStore) {
  const rows = await db.from('sales').where({ register_id: fixture.register.id, status: 'completed' }).orderBy('number').select('number')
  return rows.map((r) => Number(r.number))
}

test.group('API idempotency', () => {
  test('same key and same body: the same 201 again, one sale row, one stock movement', async ({ client, assert }) => {
    const fixture = await createStore()
    const a = await createProduct(fixture, { stock: 10 })
    const token = await apiToken(client, fixture.users.cashier)
    const key = randomUUID()
    const body = { items: [{ product_id: a.id, quantity: 2 }], payment_method: 'cash', tendered: 5000 }

    const first = await client.post('/api/sales').bearerToken(token).header('Idempotency-Key', key).json(body)
    first.assertStatus(201)
    // (sent as the text kept with the key, serialized once)
    assert.equal(first.header('content-type'), 'application/json; charset=utf-8')
    const second = await client.post('/api/sales').bearerToken(token).header('Idempotency-Key', key).json(body)
    second.assertStatus(201)
    assert.equal(second.header('content-type'), 'application/json; charset=utf-8')
    assert.deepEqual(second.body(), first.body())
    assert.equal(second.header('idempotent-replayed'), 'true')

    assert.equal(await countRows('sales', { store_id: fixture.store.id }), 1)
    assert.equal(await countRows('payments', { store_id: fixture.store.id }), 1)
    assert.equal(await countRows('stock_movements', { product_id: a.id, reason: 'sale' }), 1)
    assert.equal(await stockOf(a.id), 8)
    assert.equal(await ledgerSum(a.id), 8)
    assert.deepEqual(await saleNumbers(fixture), [1])

    // Without a key, the same body is a new sale
    const third = await client.post('/api/sales').bearerToken(token).json(body)
    third.assertStatus(201)
    assert.notEqual(third.body().id, first.body().id)
    assert.equal(await countRows('sales', { store_id: fixture.store.id }), 2)
  })

  test('a retry sent for another of the user\u2019s stores is another request: a 409, and it sells nothing more', async ({ client, assert }) => {
    const fixture = await createStore()
    const other = await createStore()
    const manager = fixture.users.manager
    await db.table('store_users').insert({ store_id: other.store.id, user_id: manager.id, created_at: dbTimestamp() })
    const a = await createProduct(fixture, { stock: 10 })
    const token = await apiToken(client, manager)
    const key = randomUUID()
    const body = { items: [{ product_id: a.id, quantity: 1 }], payment_method: 'cash', tendered: 5000 }

    const first = await client.post('/api/sales').bearerToken(token).header('Idempotency-Key', key).header('X-Store-Id', String(fixture.store.id)).json(body)
    first.assertStatus(201)
    // The store is part of what the key asked (a product made with the key in one store was
    // answered as made in the other): the key was used for another request
    const retry = await client.post('/api/sales').bearerToken(token).header('Idempotency-Key', key).header('X-Store-Id', String(other.store.id)).json(body)
    retry.assertStatus(409)
    assert.equal(retry.body().errors[0].code, 'idempotency_conflict')
    const replay = await client.post('/api/sales').bearerToken(token).header('Idempotency-Key', key).header('X-Store-Id', String(fixture.store.id)).json(body)
    replay.assertStatus(201)
    assert.deepEqual(replay.body(), first.body())
    assert.equal(await countRows('sales', { store_id: fixture.store.id }), 1)
    assert.equal(await countRows('sales', { store_id: other.store.id }), 0)
  })

  test('same key and another body: 409 idempotency_conflict, nothing written', async ({ client, assert }) => {
    const fixture = await createStore()
    const a = await createProduct(fixture, { stock: 10 })
    const token = await apiToken(client, fixture.users.cashier)
    const key = randomUUID()
    const first = await client.post('/api/sales').bearerToken(token).header('Idempotency-Key', key).json({ items: [{ product_id: a.id, quantity: 1 }], payment_method: 'cash' })
    first.assertStatus(201)

    const other = await client.post('/api/sales').bearerToken(token).header('Idempotency-Key', key).json({ items: [{ product_id: a.id, quantity: 3 }], payment_method: 'cash' })
    other.assertStatus(409)
    assert.equal(other.body().errors[0].code, 'idempotency_conflict')
    assert.isString(other.body().errors[0].message)

    // The same key on another route is another request too
    const payment = await client.post('/api/payments').bearerToken(token).header('Idempotency-Key', key).json({ sale_id: first.body().id, method: 'cash', amount: 1 })
    payment.assertStatus(409)
    assert.equal(payment.body().errors[0].code, 'idempotency_conflict')

    assert.equal(await countRows('sales', { store_id: fixture.store.id }), 1)
    assert.equal(await stockOf(a.id), 9)
  })

  test('keys belong to a user: another user’s same key is a request of its own', async ({ client, assert }) => {
    const fixture = await createStore()
    const a = await createProduct(fixture, { stock: 10 })
    const key = randomUUID()
    const body = { items: [{ product_id: a.id, quantity: 1 }], payment_method: 'cash' }
    const cashier = await client.post('/api/sales').bearerToken(await apiToken(client, fixture.users.cashier)).header('Idempotency-Key', key).json(body)
    const manager = await client.post('/api/sales').bearerToken(await apiToken(client, fixture.users.manager)).header('Idempotency-Key', key).json(body)
    cashier.assertStatus(201)
    manager.assertStatus(201)
    assert.notEqual(cashier.body().id, manager.body().id)
    assert.equal(await stockOf(a.id), 8)
  })

  test('a retried payment is taken once', async ({ client, assert }) => {
    const fixture = await createStore()
    const a = await createProduct(fixture, { price: 1000, stock: 10 })
    const token = await apiToken(client, fixture.users.cashier)
    const sale = await client.post('/api/sales').bearerToken(token).json({ items: [{ product_id: a.id, quantity: 1 }] })
    sale.assertStatus(201)
    const key = randomUUID()
    const body = { sale_id: sale.body().id, method: 'card_external', amount: 500 }
    const first = await client.post('/api/payments').bearerToken(token).header('Idempotency-Key', key).json(body)
    const retry = await client.post('/api/payments').bearerToken(token).header('Idempotency-Key', key).json(body)
    first.assertStatus(201)
    retry.assertStatus(201)
    assert.deepEqual(retry.body(), first.body())
    assert.equal(await countRows('payments', { sale_id: sale.body().id }), 1)
    assert.equal(Number((await db.from('sales').where('id', sale.body().id).first()).paid_total), 500)
  })

  test('a retried product create makes one product and one initial movement', async ({ client, assert }) => {
    const fixture = await createStore()
    const token = await apiToken(client, fixture.users.manager)
    const key = randomUUID()
    const body = { name: 'Retried', sku: `RETRY-${fixture.tag}`, price: 100, stock: 6 }
    const first = await client.post('/api/products').bearerToken(token).header('Idempotency-Key', key).json(body)
    const retry = await client.post('/api/products').bearerToken(token).header('Idempotency-Key', key).json(body)
    first.assertStatus(201)
    retry.assertStatus(201)
    assert.deepEqual(retry.body(), first.body())
    assert.equal(await countRows('products', { store_id: fixture.store.id, sku: body.sku }), 1)
    assert.equal(await countRows('stock_movements', { product_id: first.body().id }), 1)
  })

  test('a refused request is answered the same on retry, and writes nothing either time', async ({ client, assert }) => {
    const fixture = await createStore()
    const a = await createProduct(fixture, { stock: 1 })
    const token = await apiToken(client, fixture.users.cashier)
    const key = randomUUID()
    const body = { items: [{ product_id: a.id, quantity: 2 }], payment_method: 'cash' }
    const first = await client.post('/api/sales').bearerToken(token).header('Idempotency-Key', key).json(body)
    first.assertStatus(409)
    assert.equal(first.body().errors[0].code, 'insufficient_stock')
    const retry = await client.post('/api/sales').bearerToken(token).header('Idempotency-Key', key).json(body)
    retry.assertStatus(409)
    assert.deepEqual(retry.body(), first.body())
    assert.equal(await countRows('sales', { store_id: fixture.store.id }), 0)
    assert.equal(await stockOf(a.id), 1)
  })

  test('a retry after the stock ran out still answers the first sale, not the shortage', async ({ client, assert }) => {
    const fixture = await createStore()
    const a = await createProduct(fixture, { stock: 1 })
    const token = await apiToken(client, fixture.users.cashier)
    const key = randomUUID()
    const body = { items: [{ product_id: a.id, quantity: 1 }], payment_method: 'cash' }
    const first = await client.post('/api/sales').bearerToken(token).header('Idempotency-Key', key).json(body)
    first.assertStatus(201)
    const retry = await client.post('/api/sales').bearerToken(token).header('Idempotency-Key', key).json(body)
    retry.assertStatus(201)
    assert.deepEqual(retry.body(), first.body())
    assert.equal(await countRows('sales', { store_id: fixture.store.id }), 1)
    assert.equal(await stockOf(a.id), 0)
  })

  test('an Idempotency-Key that is not a token is a 422 naming the header', async ({ client, assert }) => {
    const fixture = await createStore()
    const a = await createProduct(fixture)
    const token = await apiToken(client, fixture.users.cashier)
    const response = await client.post('/api/sales').bearerToken(token).header('Idempotency-Key', 'no way!').json({ items: [{ product_id: a.id, quantity: 1 }] })
    response.assertStatus(422)
    assert.equal(response.body().errors[0].field, 'Idempotency-Key')
    assert.equal(await countRows('sales', { store_id: fixture.store.id }), 0)
  })

  test('10 parallel retries of one key make one sale, and every one of them answers it', async ({ client, assert }) => {
    const fixture = await createStore()
    const a = await createProduct(fixture, { stock: 50 })
    const token = await apiToken(client, fixture.users.cashier)
    const key = randomUUID()
    const body = { items: [{ product_id: a.id, quantity: 1 }], payment_method: 'cash' }
    const responses = await Promise.all(
      Array.from({ length: 10 }, () => client.post('/api/sales').bearerToken(token).header('Idempotency-Key', key).json(body))
    )
    // The sale and its key commit together: a duplicate waits for the first and replays it
    assert.deepEqual(responses.map((r) => r.status()), Array(10).fill(201))
    assert.lengthOf(new Set(responses.map((r) => r.body().id)), 1)
    assert.equal(responses.filter((r) => r.header('idempotent-replayed') === 'true').length, 9)

    assert.equal(await countRows('sales', { store_id: fixture.store.id }), 1)
    assert.equal(await countRows('stock_movements', { product_id: a.id, reason: 'sale' }), 1)
    assert.equal(await stockOf(a.id), 49)
    assert.equal(await ledgerSum(a.id), 49)
  })
})

test.group('API idempotency: how long keys are kept', () => {
  /** Makes every key up to `lastId` look written `days` ago, as if that much time had passed */
  async function age(lastId: number, days: number) {
    await db.from('idempotency_keys').where('id', '<=', lastId).update({ created_at: dbTimestamp(new Date(Date.now() - days * 86_400_000)) })
  }
  const keyId = async (key: string) => Number((await db.from('idempotency_keys').where('key', key).first()).id)

  test('keys older than IDEMPOTENCY_KEY_DAYS are deleted; a newer key still replays, an expired one runs again', async ({ client, assert }) => {
    const fixture = await createStore()
    const a = await createProduct(fixture, { stock: 10 })
    const token = await apiToken(client, fixture.users.cashier)
    const body = { items: [{ product_id: a.id, quantity: 1 }], payment_method: 'cash', tendered: 5000 }
    const [old, recent] = [randomUUID(), randomUUID()]
    const sell = (key: string) => client.post('/api/sales').bearerToken(token).header('Idempotency-Key', key).json(body)
    const first = await sell(old)
    first.assertStatus(201)
    ;(await sell(recent)).assertStatus(201)

    await age(await keyId(old), KEY_RETENTION_DAYS + 1)
    assert.isAtLeast(await pruneIdempotencyKeys(), 1)
    assert.equal(await countRows('idempotency_keys', { key: old }), 0)
    assert.equal(await countRows('idempotency_keys', { key: recent }), 1)

    const replay = await sell(recent)
    replay.assertStatus(201)
    assert.equal(replay.header('idempotent-replayed'), 'true')
    // Past the retention a retry is a new request: that is what the days are for
    const rerun = await sell(old)
    rerun.assertStatus(201)
    assert.notEqual(rerun.body().id, first.body().id)
    assert.equal(await countRows('sales', { store_id: fixture.store.id }), 3)
  })

  test('a key younger than the retention is kept, and more expired keys than a batch all go', async ({ client, assert }) => {
    const fixture = await createStore()
    const a = await createProduct(fixture, { stock: 20 })
    const token = await apiToken(client, fixture.users.cashier)
    const keys = [1, 2, 3, 4, 5].map(() => randomUUID())
    for (const key of keys) {
      ;(await client.post('/api/sales').bearerToken(token).header('Idempotency-Key', key).json({ items: [{ product_id: a.id, quantity: 1 }], payment_method: 'cash' })).assertStatus(201)
    }
    await age(await keyId(keys[4]), KEY_RETENTION_DAYS - 1)
    assert.equal(await pruneIdempotencyKeys(KEY_RETENTION_DAYS, 2), 0)
    assert.equal(await countRows('idempotency_keys', { user_id: fixture.users.cashier.id }), 5)

    await age(await keyId(keys[4]), KEY_RETENTION_DAYS + 1)
    assert.isAtLeast(await pruneIdempotencyKeys(KEY_RETENTION_DAYS, 2), 5)
    assert.equal(await countRows('idempotency_keys', { user_id: fixture.users.cashier.id }), 0)
  })
})

test.group('API concurrency', () => {
  test('20 parallel sales of 1 unit with 5 in stock: 5 sold, 15 refused, stock 0, numbers 1..5', async ({ client, assert }) => {
    const fixture = await createStore()
    const a = await createProduct(fixture, { stock: 5 })
    const token = await apiToken(client, fixture.users.cashier)

    const responses = await Promise.all(
      Array.from({ length: 20 }, () =>
        client.post('/api/sales').bearerToken(token).json({ items: [{ product_id: a.id, quantity: 1 }], payment_method: 'cash' })
      )
    )
    const statuses = responses.map((r) => r.status())
    assert.equal(statuses.filter((s) => s === 201).length, 5, statuses.join(','))
    assert.equal(statuses.filter((s) => s === 409).length, 15, statuses.join(','))
    for (const r of responses.filter((r) => r.status() === 409)) assert.equal(r.body().errors[0].code, 'insufficient_stock')

    assert.equal(await stockOf(a.id), 0)
    assert.equal(await ledgerSum(a.id), 0)
    assert.equal(await countRows('stock_movements', { product_id: a.id, reason: 'sale' }), 5)
    assert.equal(await countRows('sales', { store_id: fixture.store.id }), 5)
    assert.equal(await countRows('payments', { store_id: fixture.store.id }), 5)
    assert.deepEqual(
      responses.filter((r) => r.status() === 201).map((r) => r.body().number).sort((x: number, y: number) => x - y),
      [1, 2, 3, 4, 5]
    )
    assert.deepEqual(await saleNumbers(fixture), [1, 2, 3, 4, 5])
    assert.equal(Number((await db.from('registers').where('id', fixture.register.id).first()).last_sale_number), 5)
  })

  test('parallel sales of two products in opposite orders neither deadlock nor drift', async ({ client, assert }) => {
    const fixture = await createStore()
    const a = await createProduct(fixture, { stock: 6 })
    const b = await createProduct(fixture, { stock: 6 })
    const token = await apiToken(client, fixture.users.cashier)
    const responses = await Promise.all(
      Array.from({ length: 16 }, (_, i) => {
        const items = i % 2 ? [{ product_id: a.id, quantity: 1 }, { product_id: b.id, quantity: 1 }] : [{ product_id: b.id, quantity: 1 }, { product_id: a.id, quantity: 1 }]
        return client.post('/api/sales').bearerToken(token).json({ items, payment_method: 'card_external' })
      })
    )
    const statuses = responses.map((r) => r.status())
    assert.equal(statuses.filter((s) => s === 201).length, 6, statuses.join(','))
    assert.equal(statuses.filter((s) => s === 409).length, 10, statuses.join(','))
    for (const p of [a, b]) {
      assert.equal(await stockOf(p.id), 0)
      assert.equal(await ledgerSum(p.id), 0)
    }
    assert.deepEqual(await saleNumbers(fixture), [1, 2, 3, 4, 5, 6])
  })

  test('parallel split payments on one open sale complete it once', async ({ client, assert }) => {
    const fixture = await createStore()
    const a = await createProduct(fixture, { price: 1000, stock: 5 })
    const token = await apiToken(client, fixture.users.cashier)
    const sale = await client.post('/api/sales').bearerToken(token).json({ items: [{ product_id: a.id, quantity: 1 }] })
    sale.assertStatus(201)
    // 1080 due; 8 parallel card payments of 540: exactly two fit
    const responses = await Promise.all(
      Array.from({ length: 8 }, () => client.post('/api/payments').bearerToken(token).json({ sale_id: sale.body().id, method: 'card_external', amount: 540 }))
    )
    const statuses = responses.map((r) => r.status())
    assert.equal(statuses.filter((s) => s === 201).length, 2, statuses.join(','))
    assert.isTrue(statuses.every((s) => s === 201 || s === 409), statuses.join(','))
    const row = await db.from('sales').where('id', sale.body().id).first()
    assert.equal(row.status, 'completed')
    assert.equal(Number(row.paid_total), 1080)
    assert.equal(await countRows('payments', { sale_id: sale.body().id }), 2)
    assert.equal(await stockOf(a.id), 4)
    assert.equal(await ledgerSum(a.id), 4)
    assert.deepEqual(await saleNumbers(fixture), [1])
  })
})
