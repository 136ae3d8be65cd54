import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { apiToken, createProduct, createStore, errorFields, ledgerSum, stockOf } from '#tests/fixtures'
import { saleFootprint } from '#tests/functional/api/footprints'
import { MAX_SALE_TOTAL } from '#core/money'

/*
| POST /api/sales: who may sell, and bad input that is refused on its field with nothing written.
| Fixture taxes: standard 8%, reduced 2%, zero 0.
*/

test.group('API sales: roles', () => {
  test('an accountant may read sales but not create one (403, nothing written)', async ({ client, assert }) => {
    const fixture = await createStore()
    const a = await createProduct(fixture, { stock: 5 })
    const token = await apiToken(client, fixture.users.accountant)
    const before = await saleFootprint(fixture, [a.id])
    const response = await client.post('/api/sales').bearerToken(token).json({ items: [{ product_id: a.id, quantity: 1 }], payment_method: 'cash' })
    response.assertStatus(403)
    assert.equal(response.body().errors[0].code, 'forbidden')
    assert.deepEqual(await saleFootprint(fixture, [a.id]), before)
    ;(await client.get('/api/sales').bearerToken(token)).assertStatus(200)
  })

  test('{$self} may create sales')
    .with(['cashier', 'manager', 'admin'] as const)
    .run(async ({ client }, role) => {
      const fixture = await createStore()
      const a = await createProduct(fixture)
      const token = await apiToken(client, fixture.users[role])
      ;(await client.post('/api/sales').bearerToken(token).json({ items: [{ product_id: a.id, quantity: 1 }], payment_method: 'cash' })).assertStatus(201)
    })
})

test.group('API sales: bad input writes nothing', () => {
  type Case = [title: string, body: (ids: { a: number; foreign: number }) => unknown, status: number, field: string | null]
  const cases: Case[] = [
    ['no items', () => ({ payment_method: 'cash' }), 422, 'items'],
    ['an empty item list', () => ({ items: [], payment_method: 'cash' }), 422, 'items'],
    ['items that are not a list', () => ({ items: 'all of them' }), 422, 'items'],
    ['an unknown product id', () => ({ items: [{ product_id: 999_999_999, quantity: 1 }], payment_method: 'cash' }), 422, 'items.0.product_id'],
    ['an unknown product on the second line', ({ a }) => ({ items: [{ product_id: a, quantity: 1 }, { product_id: 999_999_998, quantity: 1 }], payment_method: 'cash' }), 422, 'items.1.product_id'],
    ['a product id that is text', () => ({ items: [{ product_id: 'abc', quantity: 1 }] }), 422, 'items.0.product_id'],
    ['another store’s product', ({ foreign }) => ({ items: [{ product_id: foreign, quantity: 1 }], payment_method: 'cash' }), 422, 'items.0.product_id'],
    ['a zero quantity', ({ a }) => ({ items: [{ product_id: a, quantity: 0 }], payment_method: 'cash' }), 422, 'items.0.quantity'],
    ['a negative quantity', ({ a }) => ({ items: [{ product_id: a, quantity: -2 }], payment_method: 'cash' }), 422, 'items.0.quantity'],
    ['a fractional quantity', ({ a }) => ({ items: [{ product_id: a, quantity: 1.5 }], payment_method: 'cash' }), 422, 'items.0.quantity'],
    ['an absurd quantity', ({ a }) => ({ items: [{ product_id: a, quantity: 1e9 }], payment_method: 'cash' }), 422, 'items.0.quantity'],
    ['a quantity that is text', ({ a }) => ({ items: [{ product_id: a, quantity: 'two' }] }), 422, 'items.0.quantity'],
    ['a quantity that is a boolean', ({ a }) => ({ items: [{ product_id: a, quantity: true }], payment_method: 'cash' }), 422, 'items.0.quantity'],
    ['a quantity that is a numeral', ({ a }) => ({ items: [{ product_id: a, quantity: '1' }], payment_method: 'cash' }), 422, 'items.0.quantity'],
    ['a missing quantity', ({ a }) => ({ items: [{ product_id: a }] }), 422, 'items.0.quantity'],
    ['a negative discount', ({ a }) => ({ items: [{ product_id: a, quantity: 1, discount: -100 }], payment_method: 'cash' }), 422, 'items.0.discount'],
    ['a fractional discount', ({ a }) => ({ items: [{ product_id: a, quantity: 1, discount: 10.5 }], payment_method: 'cash' }), 422, 'items.0.discount'],
    ['an absurd discount', ({ a }) => ({ items: [{ product_id: a, quantity: 1, discount: 1e9 }], payment_method: 'cash' }), 422, 'items.0.discount'],
    ['a discount larger than the line', ({ a }) => ({ items: [{ product_id: a, quantity: 1, discount: 1001 }], payment_method: 'cash' }), 422, 'items.0.discount'],
    ['cash tendered below the total', ({ a }) => ({ items: [{ product_id: a, quantity: 1 }], payment_method: 'cash', tendered: 1079 }), 422, 'tendered'],
    ['a zero tendered', ({ a }) => ({ items: [{ product_id: a, quantity: 1 }], payment_method: 'cash', tendered: 0 }), 422, 'tendered'],
    ['a negative tendered', ({ a }) => ({ items: [{ product_id: a, quantity: 1 }], payment_method: 'cash', tendered: -5000 }), 422, 'tendered'],
    ['a fractional tendered', ({ a }) => ({ items: [{ product_id: a, quantity: 1 }], payment_method: 'cash', tendered: 2000.5 }), 422, 'tendered'],
    ['an absurd tendered', ({ a }) => ({ items: [{ product_id: a, quantity: 1 }], payment_method: 'cash', tendered: MAX_SALE_TOTAL + 1 }), 422, 'tendered'],
    ['an unknown payment method', ({ a }) => ({ items: [{ product_id: a, quantity: 1 }], payment_method: 'bitcoin' }), 422, 'payment_method'],
    // Read as an open sale without a word: the client believed it paid (the sale was 201, unpaid)
    ['cash tendered without a payment method', ({ a }) => ({ items: [{ product_id: a, quantity: 1 }], tendered: 2000 }), 422, 'payment_method'],
    ['a card reference without a payment method', ({ a }) => ({ items: [{ product_id: a, quantity: 1 }], reference: 'AUTH-1234' }), 422, 'payment_method'],
    ['an unknown customer', ({ a }) => ({ items: [{ product_id: a, quantity: 1 }], customer_id: 999_999_999 }), 422, 'customer_id'],
    ['more than the stock', ({ a }) => ({ items: [{ product_id: a, quantity: 6 }], payment_method: 'cash' }), 409, null],
  ]

  test('{0}: {2} naming {3}, nothing written')
    .with(cases)
    .run(async ({ client, assert }, [title, body, status, field]) => {
      const fixture = await createStore()
      const other = await createStore()
      const a = await createProduct(fixture, { price: 1000, stock: 5 })
      const foreign = await createProduct(other, { stock: 5 })
      const token = await apiToken(client, fixture.users.cashier)
      const before = await saleFootprint(fixture, [a.id])
      const foreignBefore = await saleFootprint(other, [foreign.id])

      const response = await client.post('/api/sales').bearerToken(token).json(body({ a: a.id, foreign: foreign.id }) as any)
      assert.equal(response.status(), status, `${title}: ${response.text()}`)
      assert.isArray(response.body().errors)
      assert.isString(response.body().errors[0].message)
      if (field) assert.include(errorFields(response), field)
      if (status === 409) assert.equal(response.body().errors[0].code, 'insufficient_stock')

      assert.deepEqual(await saleFootprint(fixture, [a.id]), before)
      assert.deepEqual(await saleFootprint(other, [foreign.id]), foreignBefore)
      assert.equal(await ledgerSum(a.id), await stockOf(a.id))
    })

  test('a malformed JSON body is a 400 JSON error and writes nothing', async ({ client, assert }) => {
    const fixture = await createStore()
    const a = await createProduct(fixture, { stock: 5 })
    const token = await apiToken(client, fixture.users.cashier)
    const before = await saleFootprint(fixture, [a.id])
    const response = await client
      .post('/api/sales')
      .bearerToken(token)
      .header('content-type', 'application/json')
      .unsafeJson(`{"items": [{"product_id": ${a.id}, "quantity": 1}], "payment_method": "cash"`)
    response.assertStatus(400)
    assert.match(String(response.header('content-type')), /application\/json/)
    assert.isArray(response.body().errors)
    assert.deepEqual(await saleFootprint(fixture, [a.id]), before)
  })

  test('an archived product cannot be sold', async ({ client, assert }) => {
    const fixture = await createStore()
    const a = await createProduct(fixture, { stock: 5 })
    await db.from('products').where('id', a.id).update({ active: false })
    const token = await apiToken(client, fixture.users.cashier)
    const before = await saleFootprint(fixture, [a.id])
    const response = await client.post('/api/sales').bearerToken(token).json({ items: [{ product_id: a.id, quantity: 1 }], payment_method: 'cash' })
    response.assertStatus(422)
    assert.include(errorFields(response), 'items.0.product_id')
    assert.deepEqual(await saleFootprint(fixture, [a.id]), before)
  })
})
