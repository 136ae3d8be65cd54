import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { DateTime } from 'luxon'
import Sale from '#models/sale'
import Customer from '#models/customer'
import { apiToken, createProduct, createStore, countRows, ledgerSum, stockOf, errorFields } from '#tests/fixtures'
import { saleFootprint } from '#tests/functional/api/footprints'

/*
| POST /api/sales (open, or paid in full and completed), GET /api/sales and /api/sales/:id:
| the arithmetic at the cent, the stock ledger, gapless numbers. Roles and bad input:
| sales_input.spec.ts.
| Fixture taxes: standard 8%, reduced 2%, zero 0; prices exclude tax unless the store says so.
*/

test.group('API sales: arithmetic', () => {
  test('an open sale: subtotal, tax per class, total; no number, no payment, no stock moved', async ({ client, assert }) => {
    const fixture = await createStore()
    const a = await createProduct(fixture, { price: 1000, taxClass: 'standard', stock: 10 })
    const b = await createProduct(fixture, { price: 550, taxClass: 'reduced', stock: 10 })
    const c = await createProduct(fixture, { price: 799, taxClass: 'zero', stock: 10 })
    const token = await apiToken(client, fixture.users.cashier)

    const response = await client
      .post('/api/sales')
      .bearerToken(token)
      .json({ items: [{ product_id: a.id, quantity: 2 }, { product_id: b.id, quantity: 1 }, { product_id: c.id, quantity: 3 }] })
    response.assertStatus(201)
    const sale = response.body()
    assert.containsSubset(sale, {
      status: 'open',
      number: null,
      subtotal: 4947,
      discount_total: 0,
      tax_total: 171, // 160 + 11 + 0
      total: 5118,
      payments: [],
      change_due: 0,
    })
    assert.isNumber(sale.id)
    assert.lengthOf(sale.items, 3)
    assert.containsSubset(sale.items, [
      { product_id: a.id, quantity: 2, unit_price: 1000, subtotal: 2000, discount: 0, tax: 160, tax_rate: 8, total: 2160 },
      { product_id: b.id, quantity: 1, unit_price: 550, subtotal: 550, discount: 0, tax: 11, tax_rate: 2, total: 561 },
      { product_id: c.id, quantity: 3, unit_price: 799, subtotal: 2397, discount: 0, tax: 0, tax_rate: 0, total: 2397 },
    ])
    assert.deepEqual(sale.items.map((i: any) => i.product_id), [a.id, b.id, c.id])

    const row = await db.from('sales').where('id', sale.id).first()
    assert.equal(row.status, 'open')
    assert.equal(Number(row.total), 5118)
    assert.equal(await countRows('sale_items', { sale_id: sale.id }), 3)
    assert.equal(await countRows('stock_movements', { sale_id: sale.id }), 0)
    assert.deepEqual(await Promise.all([a.id, b.id, c.id].map(stockOf)), [10, 10, 10])
  })

  test('tax is rounded half-up per line', async ({ client, assert }) => {
    const fixture = await createStore()
    const d = await createProduct(fixture, { price: 1025, taxClass: 'reduced' }) // 20.5 -> 21
    const e = await createProduct(fixture, { price: 1006, taxClass: 'standard' }) // 80.48 -> 80
    const f = await createProduct(fixture, { price: 1019, taxClass: 'standard' }) // 81.52 -> 82
    const token = await apiToken(client, fixture.users.cashier)

    const response = await client
      .post('/api/sales')
      .bearerToken(token)
      .json({ items: [{ product_id: d.id, quantity: 1 }, { product_id: d.id, quantity: 1 }, { product_id: e.id, quantity: 1 }, { product_id: f.id, quantity: 1 }] })
    response.assertStatus(201)
    assert.deepEqual(response.body().items.map((i: any) => i.tax), [21, 21, 80, 82])
    assert.equal(response.body().subtotal, 4075)
    assert.equal(response.body().tax_total, 204)
    assert.equal(response.body().total, 4279)

    // Two units on one line: 2050 x 2% = 41 exactly
    const oneLine = await client.post('/api/sales').bearerToken(token).json({ items: [{ product_id: d.id, quantity: 2 }] })
    assert.equal(oneLine.body().tax_total, 41)
    assert.equal(oneLine.body().total, 2091)
  })

  test('a line discount in cents comes off before tax', async ({ client, assert }) => {
    const fixture = await createStore()
    const a = await createProduct(fixture, { price: 1000, taxClass: 'standard' })
    const b = await createProduct(fixture, { price: 500, taxClass: 'standard' })
    const token = await apiToken(client, fixture.users.cashier)
    const response = await client
      .post('/api/sales')
      .bearerToken(token)
      .json({ items: [{ product_id: a.id, quantity: 1, discount: 150 }, { product_id: b.id, quantity: 2 }] })
    response.assertStatus(201)
    // a: 1000 - 150 = 850, tax 68 -> 918; b: 1000, tax 80 -> 1080
    assert.containsSubset(response.body(), { subtotal: 2000, discount_total: 150, tax_total: 148, total: 1998 })
    assert.containsSubset(response.body().items, [
      { product_id: a.id, subtotal: 1000, discount: 150, tax: 68, total: 918 },
      { product_id: b.id, subtotal: 1000, discount: 0, tax: 80, total: 1080 },
    ])
  })

  test('a discount of the whole line is free; one larger than the line is a 422 on it, nothing written', async ({ client, assert }) => {
    const fixture = await createStore()
    const a = await createProduct(fixture, { price: 300 })
    // A manager's: a cashier may take up to the store's discount limit (discount_limit.spec.ts)
    const token = await apiToken(client, fixture.users.manager)
    const whole = await client.post('/api/sales').bearerToken(token).json({ items: [{ product_id: a.id, quantity: 1, discount: 300 }] })
    whole.assertStatus(201)
    assert.containsSubset(whole.body(), { subtotal: 300, discount_total: 300, tax_total: 0, total: 0 })

    const before = await saleFootprint(fixture, [a.id])
    const over = await client.post('/api/sales').bearerToken(token).json({ items: [{ product_id: a.id, quantity: 1, discount: 301 }], payment_method: 'cash' })
    over.assertStatus(422)
    assert.deepEqual(errorFields(over), ['items.0.discount'])
    assert.equal(over.body().errors[0].code, 'discount_too_large')
    assert.deepEqual(await saleFootprint(fixture, [a.id]), before)
  })

  test('a sale with nothing to pay (a line at 100% off) completes with a payment of nothing in the method chosen (every payment was refused as one too many)', async ({ client, assert }) => {
    const fixture = await createStore()
    const a = await createProduct(fixture, { price: 300, stock: 5 })
    const token = await apiToken(client, fixture.users.manager)
    for (const method of ['cash', 'card_external']) {
      const free = await client.post('/api/sales').bearerToken(token).json({ items: [{ product_id: a.id, quantity: 1, discount_percent: 100 }], payment_method: method, reference: 'FREE' })
      free.assertStatus(201)
      assert.containsSubset(free.body(), { status: 'completed', total: 0, paid_total: 0, change_due: 0, payments: [{ method, amount: 0 }] })
      assert.isNumber(free.body().number)
    }
    assert.equal(await stockOf(a.id), 3)

    // Left open, it completes through POST /api/payments with a payment of nothing (a 422 before:
    // the amount had to be at least 1); on a sale with something to pay, nothing is still refused
    const open = await client.post('/api/sales').bearerToken(token).json({ items: [{ product_id: a.id, quantity: 1, discount_percent: 100 }] })
    open.assertStatus(201)
    const paid = await client.post('/api/payments').bearerToken(token).json({ sale_id: open.body().id, method: 'cash', amount: 0 })
    paid.assertStatus(201)
    const completed = await client.get(`/api/sales/${open.body().id}`).bearerToken(token)
    assert.containsSubset(completed.body(), { status: 'completed', total: 0, payments: [{ method: 'cash', amount: 0 }] })
    const owing = await client.post('/api/sales').bearerToken(token).json({ items: [{ product_id: a.id, quantity: 1 }] })
    const nothing = await client.post('/api/payments').bearerToken(token).json({ sale_id: owing.body().id, method: 'cash', amount: 0 })
    nothing.assertStatus(422)
    assert.deepInclude(nothing.body().errors[0], { field: 'amount', code: 'invalid_amount' })
    assert.equal(await stockOf(a.id), 2)
  })

  test('prices that include tax: the total is the shelf price and the tax is taken out of it', async ({ client, assert }) => {
    const fixture = await createStore({ pricesIncludeTax: true })
    const a = await createProduct(fixture, { price: 1080, taxClass: 'standard' }) // 1000 + 80
    const b = await createProduct(fixture, { price: 999, taxClass: 'standard' }) // 999/1.08 = 925 -> 74
    const c = await createProduct(fixture, { price: 1000, taxClass: 'reduced' }) // 1000/1.02 = 980.39 -> 980 -> 20
    const z = await createProduct(fixture, { price: 450, taxClass: 'zero' })
    const token = await apiToken(client, fixture.users.cashier)
    const response = await client
      .post('/api/sales')
      .bearerToken(token)
      .json({ items: [a, b, c, z].map((p) => ({ product_id: p.id, quantity: 1 })), payment_method: 'card_external' })
    response.assertStatus(201)
    assert.deepEqual(response.body().items.map((i: any) => [i.tax, i.total]), [[80, 1080], [74, 999], [20, 1000], [0, 450]])
    assert.containsSubset(response.body(), { subtotal: 3529, tax_total: 174, total: 3529, status: 'completed' })
  })
})

test.group('API sales: paid in full', () => {
  test('cash with tendered: completed, change_due = tendered - total, stock moved through the ledger', async ({ client, assert }) => {
    const fixture = await createStore()
    const a = await createProduct(fixture, { price: 1000, taxClass: 'standard', stock: 10 })
    const b = await createProduct(fixture, { price: 550, taxClass: 'reduced', stock: 3 })
    const token = await apiToken(client, fixture.users.cashier)

    const response = await client
      .post('/api/sales')
      .bearerToken(token)
      .json({ items: [{ product_id: a.id, quantity: 2 }, { product_id: b.id, quantity: 1 }], payment_method: 'cash', tendered: 5000 })
    response.assertStatus(201)
    const sale = response.body()
    assert.containsSubset(sale, { status: 'completed', number: 1, subtotal: 2550, tax_total: 171, total: 2721, change_due: 2279 })
    assert.lengthOf(sale.payments, 1)
    assert.containsSubset(sale.payments[0], { method: 'cash', amount: 2721, tendered: 5000, change: 2279 })
    assert.isNotNull(sale.completed_at)

    assert.equal(await stockOf(a.id), 8)
    assert.equal(await stockOf(b.id), 2)
    const movements = await db.from('stock_movements').where('sale_id', sale.id).orderBy('product_id')
    assert.deepEqual(
      movements.map((m) => [Number(m.product_id), Number(m.quantity), m.reason]),
      [[a.id, -2, 'sale'], [b.id, -1, 'sale']].sort((x: any, y: any) => x[0] - y[0])
    )
    for (const product of [a, b]) assert.equal(await ledgerSum(product.id), await stockOf(product.id))
    assert.equal(await countRows('payments', { sale_id: sale.id }), 1)

    // GET answers the same sale
    const show = await client.get(`/api/sales/${sale.id}`).bearerToken(token)
    show.assertStatus(200)
    assert.deepEqual(show.body(), sale)
  })

  test('cash without tendered pays exactly the total, no change', async ({ client, assert }) => {
    const fixture = await createStore()
    const a = await createProduct(fixture, { price: 1234 })
    const token = await apiToken(client, fixture.users.cashier)
    const response = await client.post('/api/sales').bearerToken(token).json({ items: [{ product_id: a.id, quantity: 1 }], payment_method: 'cash' })
    response.assertStatus(201)
    // 1234 + 98.72 -> 99
    assert.containsSubset(response.body(), { status: 'completed', total: 1333, change_due: 0 })
    assert.containsSubset(response.body().payments, [{ method: 'cash', amount: 1333, change: 0 }])
  })

  test('cash tendered exactly the total: completed with no change', async ({ client, assert }) => {
    const fixture = await createStore()
    const a = await createProduct(fixture, { price: 1000 })
    const token = await apiToken(client, fixture.users.cashier)
    const response = await client.post('/api/sales').bearerToken(token).json({ items: [{ product_id: a.id, quantity: 1 }], payment_method: 'cash', tendered: 1080 })
    response.assertStatus(201)
    assert.containsSubset(response.body(), { status: 'completed', total: 1080, change_due: 0 })
  })

  test('card_external: completed, paid the total', async ({ client, assert }) => {
    const fixture = await createStore()
    const a = await createProduct(fixture, { price: 2500, stock: 4 })
    const token = await apiToken(client, fixture.users.manager)
    const response = await client.post('/api/sales').bearerToken(token).json({ items: [{ product_id: a.id, quantity: 4 }], payment_method: 'card_external' })
    response.assertStatus(201)
    assert.containsSubset(response.body(), { status: 'completed', number: 1, total: 10800, change_due: 0, paid_total: 10800, balance_due: 0 })
    assert.containsSubset(response.body().payments, [{ method: 'card_external', amount: 10800 }])
    assert.equal(await stockOf(a.id), 0)
    assert.equal(await ledgerSum(a.id), 0)
  })

  test('a sale for a known customer records the customer', async ({ client, assert }) => {
    const fixture = await createStore()
    const a = await createProduct(fixture)
    const customer = await Customer.create({ storeId: fixture.store.id, name: 'Ada' } as any)
    const token = await apiToken(client, fixture.users.cashier)
    const response = await client.post('/api/sales').bearerToken(token).json({ items: [{ product_id: a.id, quantity: 1 }], customer_id: customer.id })
    response.assertStatus(201)
    assert.equal(response.body().customer_id, customer.id)
  })

  test('sale numbers are gapless per register: open and refused sales take no number', async ({ client, assert }) => {
    const fixture = await createStore()
    const a = await createProduct(fixture, { stock: 4 })
    const token = await apiToken(client, fixture.users.cashier)
    const sell = (quantity: number, pay = true) =>
      client.post('/api/sales').bearerToken(token).json({ items: [{ product_id: a.id, quantity }], ...(pay ? { payment_method: 'card_external' } : {}) })

    const numbers: (number | null)[] = []
    numbers.push((await sell(1)).body().number)
    numbers.push((await sell(1)).body().number)
    const open = await sell(1, false)
    open.assertStatus(201)
    assert.isNull(open.body().number)
    const refused = await sell(50)
    refused.assertStatus(409)
    assert.equal(refused.body().errors[0].code, 'insufficient_stock')
    // The field is the short line's quantity (it was "product_id:<id>")
    const b = await createProduct(fixture, { stock: 9 })
    const second = await client.post('/api/sales').bearerToken(token).json({ items: [{ product_id: b.id, quantity: 1 }, { product_id: a.id, quantity: 50 }], payment_method: 'cash' })
    assert.deepEqual(errorFields(second), ['items.1.quantity'])
    numbers.push((await sell(1)).body().number)
    numbers.push((await sell(1)).body().number)
    assert.deepEqual(numbers, [1, 2, 3, 4])

    const rows = await db.from('sales').where({ register_id: fixture.register.id, status: 'completed' }).orderBy('number')
    assert.deepEqual(rows.map((r) => Number(r.number)), [1, 2, 3, 4])
    assert.equal(Number((await db.from('registers').where('id', fixture.register.id).first()).last_sale_number), 4)
    assert.equal(await stockOf(a.id), 0)
    assert.equal(await ledgerSum(a.id), 0)

    // Another store's register counts on its own
    const other = await createStore()
    const theirs = await createProduct(other)
    const otherToken = await apiToken(client, other.users.cashier)
    const first = await client.post('/api/sales').bearerToken(otherToken).json({ items: [{ product_id: theirs.id, quantity: 1 }], payment_method: 'cash' })
    assert.equal(first.body().number, 1)
  })

  test('a product sold twice in one sale moves its stock once, by the sum', async ({ client, assert }) => {
    const fixture = await createStore()
    const a = await createProduct(fixture, { stock: 5 })
    const token = await apiToken(client, fixture.users.cashier)
    const response = await client
      .post('/api/sales')
      .bearerToken(token)
      .json({ items: [{ product_id: a.id, quantity: 2 }, { product_id: a.id, quantity: 3 }], payment_method: 'card_external' })
    response.assertStatus(201)
    assert.equal(await stockOf(a.id), 0)
    const movements = await db.from('stock_movements').where('sale_id', response.body().id)
    assert.deepEqual(movements.map((m) => Number(m.quantity)), [-5])
    assert.equal(await ledgerSum(a.id), 0)

    // Two lines adding up past the stock are refused together
    const b = await createProduct(fixture, { stock: 4 })
    const refused = await client
      .post('/api/sales')
      .bearerToken(token)
      .json({ items: [{ product_id: b.id, quantity: 2 }, { product_id: b.id, quantity: 3 }], payment_method: 'card_external' })
    refused.assertStatus(409)
    assert.equal(await stockOf(b.id), 4)
  })
})

test.group('API sales: reading', () => {
  test('GET /api/sales lists the store’s completed sales, newest first, with meta and pages', async ({ client, assert }) => {
    const fixture = await createStore()
    const other = await createStore()
    const a = await createProduct(fixture)
    const theirs = await createProduct(other)
    const token = await apiToken(client, fixture.users.accountant)
    const cashier = await apiToken(client, fixture.users.cashier)
    const ids: number[] = []
    for (let i = 0; i < 3; i++) {
      const sale = await client.post('/api/sales').bearerToken(cashier).json({ items: [{ product_id: a.id, quantity: 1 }], payment_method: 'cash' })
      ids.push(sale.body().id)
    }
    await client.post('/api/sales').bearerToken(cashier).json({ items: [{ product_id: a.id, quantity: 1 }] }) // open
    await client.post('/api/sales').bearerToken(await apiToken(client, other.users.cashier)).json({ items: [{ product_id: theirs.id, quantity: 1 }], payment_method: 'cash' })

    const list = await client.get('/api/sales').bearerToken(token)
    list.assertStatus(200)
    assert.deepEqual(list.body().meta, { total: 3, per_page: 25, current_page: 1, last_page: 1 })
    assert.sameMembers(list.body().data.map((s: any) => s.id), ids)
    assert.containsSubset(list.body().data[0], { status: 'completed', total: 1080 })
    assert.notProperty(list.body().data[0], 'items')

    const page = await client.get('/api/sales').qs({ page: 2, per_page: 2 }).bearerToken(token)
    page.assertStatus(200)
    assert.deepEqual(page.body().meta, { total: 3, per_page: 2, current_page: 2, last_page: 2 })
    assert.lengthOf(page.body().data, 1)
  })

  test('?from= and ?to= are days in the store’s time zone (America/New_York)', async ({ client, assert }) => {
    const fixture = await createStore()
    const a = await createProduct(fixture)
    const token = await apiToken(client, fixture.users.manager)
    const make = async (utc: string) => {
      const response = await client.post('/api/sales').bearerToken(token).json({ items: [{ product_id: a.id, quantity: 1 }], payment_method: 'card_external' })
      response.assertStatus(201)
      const sale = await Sale.findOrFail(response.body().id)
      sale.completedAt = DateTime.fromISO(utc, { zone: 'utc' })
      await sale.save()
      return sale.id
    }
    // 2024-03-10 04:59:59Z is 23:59:59 on March 9 in New York (EST, UTC-5); 05:00:00Z is midnight on March 10
    const lateMarch9 = await make('2024-03-10T04:59:59Z')
    const earlyMarch10 = await make('2024-03-10T05:00:00Z')
    const march11 = await make('2024-03-11T12:00:00Z')
    const earlyMarch9 = await make('2024-03-09T05:00:00Z') // 00:00 on March 9 in New York
    const march8 = await make('2024-03-09T04:59:59Z') // 23:59:59 on March 8 in New York

    const ids = async (qs: Record<string, string>) => {
      const response = await client.get('/api/sales').qs(qs).bearerToken(token)
      response.assertStatus(200)
      return response.body().data.map((s: any) => s.id).sort((x: number, y: number) => x - y)
    }
    assert.deepEqual(await ids({ from: '2024-03-09', to: '2024-03-09' }), [lateMarch9, earlyMarch9].sort((x, y) => x - y))
    assert.deepEqual(await ids({ from: '2024-03-10', to: '2024-03-10' }), [earlyMarch10])
    assert.deepEqual(await ids({ from: '2024-03-10' }), [earlyMarch10, march11])
    assert.deepEqual(await ids({ to: '2024-03-08' }), [march8])
    assert.deepEqual(await ids({ from: '2024-03-08', to: '2024-03-11' }), [lateMarch9, earlyMarch10, march11, earlyMarch9, march8].sort((x, y) => x - y))
  })

  test('bad dates are a 422 naming the parameter', async ({ client, assert }) => {
    const fixture = await createStore()
    const token = await apiToken(client, fixture.users.manager)
    for (const [qs, field] of [
      [{ from: '09/03/2024' }, 'from'],
      [{ from: '2024-02-30' }, 'from'],
      [{ to: 'yesterday' }, 'to'],
      [{ from: '2024-03-10', to: '2024-03-09' }, 'to'],
      [{ page: 0 }, 'page'],
    ] as const) {
      const response = await client.get('/api/sales').qs(qs).bearerToken(token)
      assert.equal(response.status(), 422, JSON.stringify(qs))
      assert.include(errorFields(response), field)
    }
  })

  test('GET /api/sales/:id of another store, or of no sale, is 404', async ({ client, assert }) => {
    const fixture = await createStore()
    const other = await createStore()
    const theirs = await createProduct(other)
    const sale = await client.post('/api/sales').bearerToken(await apiToken(client, other.users.cashier)).json({ items: [{ product_id: theirs.id, quantity: 1 }], payment_method: 'cash' })
    sale.assertStatus(201)
    const token = await apiToken(client, fixture.users.admin)
    for (const id of [sale.body().id, 999_999_999, 'abc']) {
      const response = await client.get(`/api/sales/${id}`).bearerToken(token)
      response.assertStatus(404)
      assert.equal(response.body().errors[0].code, 'not_found')
    }
  })
})
