import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { apiToken, createProduct, createStore, type TestStore, countRows, ledgerSum, stockOf, errorFields } from '#tests/fixtures'
import { MAX_SALE_TOTAL } from '#core/money'

/*
| POST /api/payments and GET /api/payments/:sale_id: paying an open API sale, split tender,
| completion (number, stock), and every way a payment can be refused without writing a row.
*/

async function footprint(fixture: TestStore, saleId: number, productIds: number[]) {
  const sale = await db.from('sales').where('id', saleId).first()
  return {
    payments: await countRows('payments', { store_id: fixture.store.id }),
    movements: await countRows('stock_movements', { store_id: fixture.store.id }),
    sale: { status: sale.status, paid: Number(sale.paid_total), number: sale.number, change: Number(sale.change_due) },
    lastNumber: Number((await db.from('registers').where('id', fixture.register.id).first()).last_sale_number),
    stock: await Promise.all(productIds.map(stockOf)),
  }
}

/** A store, two products and an open sale of 2 x 1000 (8%) + 1 x 550 (2%) = 2721 */
async function openSale(client: any, role: 'cashier' | 'manager' = 'cashier') {
  const fixture = await createStore()
  const a = await createProduct(fixture, { price: 1000, taxClass: 'standard', stock: 10 })
  const b = await createProduct(fixture, { price: 550, taxClass: 'reduced', stock: 10 })
  const token = await apiToken(client, fixture.users[role])
  const response = await client
    .post('/api/sales')
    .bearerToken(token)
    .json({ items: [{ product_id: a.id, quantity: 2 }, { product_id: b.id, quantity: 1 }] })
  response.assertStatus(201)
  return { fixture, a, b, token, sale: response.body() }
}

test.group('API payments: paying an open sale', () => {
  test('split tender: card_external for part, then cash with change completes the sale', async ({ client, assert }) => {
    const { fixture, a, b, token, sale } = await openSale(client)
    assert.equal(sale.total, 2721)

    const card = await client.post('/api/payments').bearerToken(token).json({ sale_id: sale.id, method: 'card_external', amount: 1000 })
    card.assertStatus(201)
    assert.containsSubset(card.body(), { sale_id: sale.id, method: 'card_external', amount: 1000, status: 'approved' })
    assert.containsSubset(card.body().sale, { status: 'open', number: null, paid_total: 1000, balance_due: 1721 })
    // Nothing leaves the shelf until the sale completes
    assert.equal(await countRows('stock_movements', { sale_id: sale.id }), 0)
    assert.deepEqual([await stockOf(a.id), await stockOf(b.id)], [10, 10])

    const cash = await client.post('/api/payments').bearerToken(token).json({ sale_id: sale.id, method: 'cash', amount: 1721, tendered: 2000 })
    cash.assertStatus(201)
    assert.containsSubset(cash.body(), { method: 'cash', amount: 1721, tendered: 2000, change: 279 })
    assert.containsSubset(cash.body().sale, { status: 'completed', number: 1, paid_total: 2721, balance_due: 0, change_due: 279 })
    assert.lengthOf(cash.body().sale.payments, 2)

    assert.deepEqual([await stockOf(a.id), await stockOf(b.id)], [8, 9])
    for (const p of [a, b]) assert.equal(await ledgerSum(p.id), await stockOf(p.id))
    const movements = await db.from('stock_movements').where('sale_id', sale.id)
    assert.lengthOf(movements, 2)
    assert.isTrue(movements.every((m) => m.reason === 'sale' && Number(m.quantity) < 0))
    assert.equal(Number((await db.from('registers').where('id', fixture.register.id).first()).last_sale_number), 1)

    const list = await client.get(`/api/payments/${sale.id}`).bearerToken(token)
    list.assertStatus(200)
    assert.deepEqual(list.body().data.map((p: any) => [p.method, p.amount]), [['card_external', 1000], ['cash', 1721]])

    const show = await client.get(`/api/sales/${sale.id}`).bearerToken(token)
    assert.containsSubset(show.body(), { status: 'completed', number: 1, change_due: 279 })
  })

  test('a partial cash payment, then the rest in cash with change', async ({ client, assert }) => {
    const { token, sale } = await openSale(client)
    const part = await client.post('/api/payments').bearerToken(token).json({ sale_id: sale.id, method: 'cash', amount: 721 })
    part.assertStatus(201)
    assert.equal(part.body().sale.balance_due, 2000)
    const rest = await client.post('/api/payments').bearerToken(token).json({ sale_id: sale.id, method: 'cash', amount: 2000, tendered: 5000 })
    rest.assertStatus(201)
    assert.containsSubset(rest.body().sale, { status: 'completed', change_due: 3000 })
  })

  test('one card payment of the total completes the sale', async ({ client, assert }) => {
    const { token, sale } = await openSale(client)
    const response = await client.post('/api/payments').bearerToken(token).json({ sale_id: sale.id, method: 'card_external', amount: 2721, reference: 'AUTH-123' })
    response.assertStatus(201)
    assert.equal(response.body().reference, 'AUTH-123')
    assert.containsSubset(response.body().sale, { status: 'completed', number: 1, change_due: 0 })
  })

  test('GET /api/payments/:sale_id of an open sale with no payments is an empty list; of another store 404', async ({ client, assert }) => {
    const { token, sale } = await openSale(client)
    const empty = await client.get(`/api/payments/${sale.id}`).bearerToken(token)
    empty.assertStatus(200)
    assert.deepEqual(empty.body(), { data: [] })

    const stranger = await createStore()
    const strangerToken = await apiToken(client, stranger.users.manager)
    ;(await client.get(`/api/payments/${sale.id}`).bearerToken(strangerToken)).assertStatus(404)
    ;(await client.get('/api/payments/999999999').bearerToken(token)).assertStatus(404)
    ;(await client.get('/api/payments/abc').bearerToken(token)).assertStatus(404)
  })

  test('roles: an accountant may read payments but not take one (403)', async ({ client, assert }) => {
    const { fixture, a, b, token, sale } = await openSale(client)
    await client.post('/api/payments').bearerToken(token).json({ sale_id: sale.id, method: 'card_external', amount: 100 })
    const accountant = await apiToken(client, fixture.users.accountant)
    const before = await footprint(fixture, sale.id, [a.id, b.id])
    const refused = await client.post('/api/payments').bearerToken(accountant).json({ sale_id: sale.id, method: 'card_external', amount: 2621 })
    refused.assertStatus(403)
    assert.deepEqual(await footprint(fixture, sale.id, [a.id, b.id]), before)
    const read = await client.get(`/api/payments/${sale.id}`).bearerToken(accountant)
    read.assertStatus(200)
    assert.lengthOf(read.body().data, 1)
  })
})

test.group('API payments: refused payments write nothing', () => {
  test('paying an already completed sale is 409', async ({ client, assert }) => {
    const fixture = await createStore()
    const a = await createProduct(fixture, { stock: 5 })
    const token = await apiToken(client, fixture.users.cashier)
    const sale = await client.post('/api/sales').bearerToken(token).json({ items: [{ product_id: a.id, quantity: 1 }], payment_method: 'cash' })
    sale.assertStatus(201)
    const before = await footprint(fixture, sale.body().id, [a.id])
    for (const method of ['cash', 'card_external']) {
      const response = await client.post('/api/payments').bearerToken(token).json({ sale_id: sale.body().id, method, amount: 100 })
      response.assertStatus(409)
      assert.isString(response.body().errors[0].code)
      assert.isString(response.body().errors[0].message)
    }
    assert.deepEqual(await footprint(fixture, sale.body().id, [a.id]), before)
  })

  test('paying a sale fully paid by a split tender again is 409', async ({ client, assert }) => {
    const { fixture, a, b, token, sale } = await openSale(client)
    await client.post('/api/payments').bearerToken(token).json({ sale_id: sale.id, method: 'card_external', amount: 2721 })
    const before = await footprint(fixture, sale.id, [a.id, b.id])
    const again = await client.post('/api/payments').bearerToken(token).json({ sale_id: sale.id, method: 'card_external', amount: 2721 })
    again.assertStatus(409)
    assert.deepEqual(await footprint(fixture, sale.id, [a.id, b.id]), before)
  })

  type Case = [title: string, body: (saleId: number) => Record<string, unknown>, status: number, field: string | null]
  const cases: Case[] = [
    ['no sale_id', () => ({ method: 'cash', amount: 100 }), 422, 'sale_id'],
    ['an unknown sale', () => ({ sale_id: 999_999_999, method: 'cash', amount: 100 }), 404, null],
    ['no method', (id) => ({ sale_id: id, amount: 100 }), 422, 'method'],
    ['an unknown method', (id) => ({ sale_id: id, method: 'bitcoin', amount: 100 }), 422, 'method'],
    ['no amount', (id) => ({ sale_id: id, method: 'card_external' }), 422, 'amount'],
    ['a zero amount', (id) => ({ sale_id: id, method: 'card_external', amount: 0 }), 422, 'amount'],
    ['a negative amount', (id) => ({ sale_id: id, method: 'card_external', amount: -100 }), 422, 'amount'],
    ['a fractional amount', (id) => ({ sale_id: id, method: 'card_external', amount: 10.5 }), 422, 'amount'],
    ['an absurd amount', (id) => ({ sale_id: id, method: 'card_external', amount: 1e9 }), 422, 'amount'],
    ['an amount as text', (id) => ({ sale_id: id, method: 'card_external', amount: 'lots' }), 422, 'amount'],
    ['a card amount above what is due', (id) => ({ sale_id: id, method: 'card_external', amount: 2722 }), 422, 'amount'],
    ['a cash amount above what is due', (id) => ({ sale_id: id, method: 'cash', amount: 3000 }), 422, 'amount'],
    ['cash tendered below the amount', (id) => ({ sale_id: id, method: 'cash', amount: 2721, tendered: 2000 }), 422, 'tendered'],
    ['a fractional tendered', (id) => ({ sale_id: id, method: 'cash', amount: 2721, tendered: 3000.5 }), 422, 'tendered'],
    ['an absurd tendered', (id) => ({ sale_id: id, method: 'cash', amount: 2721, tendered: MAX_SALE_TOTAL + 1 }), 422, 'tendered'],
  ]

  test('{0}: {2} naming {3}')
    .with(cases)
    .run(async ({ client, assert }, [title, body, status, field]) => {
      const { fixture, a, b, token, sale } = await openSale(client)
      const before = await footprint(fixture, sale.id, [a.id, b.id])
      const response = await client.post('/api/payments').bearerToken(token).json(body(sale.id))
      assert.equal(response.status(), status, `${title}: ${response.text()}`)
      assert.isArray(response.body().errors)
      if (field) assert.include(errorFields(response), field)
      assert.deepEqual(await footprint(fixture, sale.id, [a.id, b.id]), before)
    })

  test('another store’s sale is 404', async ({ client, assert }) => {
    const { fixture, a, b, sale } = await openSale(client)
    const stranger = await createStore()
    const token = await apiToken(client, stranger.users.manager)
    const before = await footprint(fixture, sale.id, [a.id, b.id])
    const response = await client.post('/api/payments').bearerToken(token).json({ sale_id: sale.id, method: 'card_external', amount: 2721 })
    response.assertStatus(404)
    assert.deepEqual(await footprint(fixture, sale.id, [a.id, b.id]), before)
  })

  test('a malformed JSON body is a 400 JSON error', async ({ client, assert }) => {
    const { fixture, a, b, token, sale } = await openSale(client)
    const before = await footprint(fixture, sale.id, [a.id, b.id])
    const response = await client
      .post('/api/payments')
      .bearerToken(token)
      .header('content-type', 'application/json')
      .unsafeJson(`{"sale_id": ${sale.id}, "method": "cash", "amount": }`)
    response.assertStatus(400)
    assert.isArray(response.body().errors)
    assert.deepEqual(await footprint(fixture, sale.id, [a.id, b.id]), before)
  })

  test('a payment that would complete a sale whose stock ran out is 409 insufficient_stock and is not kept', async ({ client, assert }) => {
    const fixture = await createStore()
    const a = await createProduct(fixture, { price: 1000, stock: 3 })
    const token = await apiToken(client, fixture.users.cashier)
    const open = await client.post('/api/sales').bearerToken(token).json({ items: [{ product_id: a.id, quantity: 2 }] })
    open.assertStatus(201)
    // Meanwhile another sale takes two of the three
    const other = await client.post('/api/sales').bearerToken(token).json({ items: [{ product_id: a.id, quantity: 2 }], payment_method: 'cash' })
    other.assertStatus(201)
    assert.equal(other.body().number, 1)

    const before = await footprint(fixture, open.body().id, [a.id])
    const response = await client.post('/api/payments').bearerToken(token).json({ sale_id: open.body().id, method: 'card_external', amount: 2160 })
    response.assertStatus(409)
    assert.equal(response.body().errors[0].code, 'insufficient_stock')
    assert.deepEqual(await footprint(fixture, open.body().id, [a.id]), before)
    assert.equal(await stockOf(a.id), 1)
    assert.equal(await ledgerSum(a.id), 1)
  })
})
