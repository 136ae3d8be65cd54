import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import Sale from '#models/sale'
import SaleItem from '#models/sale_item'
import Payment from '#models/payment'
import { apiToken, createProduct, createStore, countRows, stockOf, PINS, type TestStore, errorFields } from '#tests/fixtures'
import { MAX_ID, MAX_LINE_TOTAL, MAX_QUANTITY, MAX_SALE_TOTAL, MAX_UNIT_PRICE } from '#core/money'
import { MAX_DEPTH } from '#middleware/json_body_middleware'

/*
| Bad input on the API answers a 4xx on its field and writes nothing; sums past 32 bits are
| stored and answered exactly (BIGINT on MariaDB, numbers in the models). Each limit is tried
| just under and just over. Limits: app/core/money.ts.
*/

const baseUrl = () => `http://127.0.0.1:${process.env.PORT}`

/** Rows a sale or a refund could write in the store */
async function footprint(fixture: TestStore) {
  return {
    sales: await countRows('sales', { store_id: fixture.store.id }),
    payments: await countRows('payments', { store_id: fixture.store.id }),
    refunds: await countRows('refunds', { store_id: fixture.store.id }),
    movements: await countRows('stock_movements', { store_id: fixture.store.id }),
  }
}

test.group('API bad input: money past 32 bits and the limits per line and per sale', () => {
  test('9,999 units at 3,000.00: a total past 2^31 is stored and read back exactly, as numbers', async ({ client, assert }) => {
    const fixture = await createStore()
    const tv = await createProduct(fixture, { price: 300_000, taxClass: 'zero', stock: 10_000 })
    const token = await apiToken(client, fixture.users.cashier)
    const response = await client.post('/api/sales').bearerToken(token).json({ items: [{ product_id: tv.id, quantity: 9999 }], payment_method: 'cash' })
    response.assertStatus(201)
    assert.containsSubset(response.body(), { status: 'completed', subtotal: 2_999_700_000, total: 2_999_700_000, paid_total: 2_999_700_000 })

    // The models read what the database holds (mysql2 gives a BIGINT as a JS number)
    const sale = await Sale.findOrFail(response.body().id)
    assert.strictEqual(sale.total, 2_999_700_000)
    assert.strictEqual(sale.paidTotal, 2_999_700_000)
    const [item] = await SaleItem.query().where('sale_id', sale.id)
    assert.strictEqual(item.total, 2_999_700_000)
    const [payment] = await Payment.query().where('sale_id', sale.id)
    assert.strictEqual(payment.amount, 2_999_700_000)
    assert.equal(await stockOf(tv.id), 1)

    const read = await client.get(`/api/sales/${sale.id}`).bearerToken(token)
    assert.strictEqual(read.body().total, 2_999_700_000)
  })

  test('one line: exactly the maximum is taken, one unit more is a 422 on its quantity', async ({ client, assert }) => {
    const fixture = await createStore()
    const dear = await createProduct(fixture, { price: MAX_UNIT_PRICE, taxClass: 'zero', stock: 10_000 })
    const token = await apiToken(client, fixture.users.cashier)
    const units = MAX_LINE_TOTAL / MAX_UNIT_PRICE

    const atLimit = await client.post('/api/sales').bearerToken(token).json({ items: [{ product_id: dear.id, quantity: units }] })
    atLimit.assertStatus(201)
    assert.strictEqual(atLimit.body().total, MAX_LINE_TOTAL)

    const before = await footprint(fixture)
    const over = await client.post('/api/sales').bearerToken(token).json({ items: [{ product_id: dear.id, quantity: units + 1 }], payment_method: 'cash' })
    over.assertStatus(422)
    assert.deepEqual(errorFields(over), ['items.0.quantity'])
    assert.equal(over.body().errors[0].code, 'line_too_large')
    assert.deepEqual(await footprint(fixture), before)
  })

  test('one sale: exactly the maximum is taken, one cent more is a 422 on items', async ({ client, assert }) => {
    const fixture = await createStore()
    const dear = await createProduct(fixture, { price: MAX_UNIT_PRICE, taxClass: 'zero' })
    const cent = await createProduct(fixture, { price: 1, taxClass: 'zero' })
    const token = await apiToken(client, fixture.users.cashier)
    const fullLines = Array.from({ length: MAX_SALE_TOTAL / MAX_LINE_TOTAL }, () => ({ product_id: dear.id, quantity: MAX_LINE_TOTAL / MAX_UNIT_PRICE }))

    const atLimit = await client.post('/api/sales').bearerToken(token).json({ items: fullLines })
    atLimit.assertStatus(201)
    assert.strictEqual(atLimit.body().total, MAX_SALE_TOTAL)
    assert.strictEqual((await Sale.findOrFail(atLimit.body().id)).total, MAX_SALE_TOTAL)

    const before = await footprint(fixture)
    const over = await client.post('/api/sales').bearerToken(token).json({ items: [...fullLines, { product_id: cent.id, quantity: 1 }] })
    over.assertStatus(422)
    assert.deepEqual(errorFields(over), ['items'])
    assert.equal(over.body().errors[0].code, 'sale_too_large')
    assert.deepEqual(await footprint(fixture), before)
  })

  test('a payment up to the sale limit is a number; past it, or not a number, a 422 on amount', async ({ client, assert }) => {
    const fixture = await createStore()
    const a = await createProduct(fixture, { price: 1000 })
    const token = await apiToken(client, fixture.users.cashier)
    const sale = await client.post('/api/sales').bearerToken(token).json({ items: [{ product_id: a.id, quantity: 1 }] })
    const before = await footprint(fixture)
    for (const amount of [MAX_SALE_TOTAL + 1, '500', true, 0, -1, 10.5, null]) {
      const response = await client.post('/api/payments').bearerToken(token).json({ sale_id: sale.body().id, method: 'card_external', amount })
      response.assertStatus(422)
      assert.deepEqual(errorFields(response), ['amount'], `amount ${JSON.stringify(amount)}`)
    }
    assert.deepEqual(await footprint(fixture), before)
    const paid = await client.post('/api/payments').bearerToken(token).json({ sale_id: sale.body().id, method: 'card_external', amount: 500 })
    paid.assertStatus(201)
  })

  test('a no-receipt refund of 9,999 units at 1,000,000.00 is a 422 on the line; at the line limit it is refunded', async ({ client, assert }) => {
    const fixture = await createStore()
    const dear = await createProduct(fixture, { price: MAX_UNIT_PRICE, taxClass: 'zero', stock: 0 })
    const manager = await apiToken(client, fixture.users.manager)
    const body = (quantity: unknown) => ({ items: [{ product_id: dear.id, quantity }], reason: 'Returned without receipt', manager_pin: PINS.manager })

    const before = await footprint(fixture)
    const huge = await client.post('/api/refunds').bearerToken(manager).json(body(9999))
    huge.assertStatus(422)
    assert.deepEqual(errorFields(huge), ['items.0.quantity'])
    const overLimit = await client.post('/api/refunds').bearerToken(manager).json(body(MAX_LINE_TOTAL / MAX_UNIT_PRICE + 1))
    overLimit.assertStatus(422)
    assert.deepEqual(errorFields(overLimit), ['items.0.quantity'])
    const boolean = await client.post('/api/refunds').bearerToken(manager).json(body(true))
    boolean.assertStatus(422)
    assert.deepEqual(errorFields(boolean), ['items.0.quantity'])
    assert.deepEqual(await footprint(fixture), before)

    // On the card terminal: no drawer holds a billion in cash
    const atLimit = await client.post('/api/refunds').bearerToken(manager).json({ ...body(MAX_LINE_TOTAL / MAX_UNIT_PRICE), method: 'card_external' })
    atLimit.assertStatus(201)
    assert.strictEqual(atLimit.body().total, MAX_LINE_TOTAL)
    const row = await db.from('refunds').where('id', atLimit.body().id).first()
    assert.equal(Number(row.total), MAX_LINE_TOTAL)
  })
})

test.group('API bad input: numbers are numbers', () => {
  test('a quantity is a whole number from 1 to the maximum: true, "2", 1.5, 0 and one past are 422s on it', async ({ client, assert }) => {
    const fixture = await createStore()
    const a = await createProduct(fixture, { price: 100, stock: 20_000 })
    const token = await apiToken(client, fixture.users.cashier)
    const before = await footprint(fixture)
    for (const quantity of [true, false, '2', '', 1.5, 0, -1, MAX_QUANTITY + 1, [1], { n: 1 }, null]) {
      const response = await client.post('/api/sales').bearerToken(token).json({ items: [{ product_id: a.id, quantity }], payment_method: 'cash' })
      response.assertStatus(422)
      assert.deepEqual(errorFields(response), ['items.0.quantity'], `quantity ${JSON.stringify(quantity)}`)
    }
    assert.deepEqual(await footprint(fixture), before)
    for (const quantity of [1, MAX_QUANTITY]) {
      const response = await client.post('/api/sales').bearerToken(token).json({ items: [{ product_id: a.id, quantity }] })
      response.assertStatus(201)
      assert.equal(response.body().items[0].quantity, quantity)
    }
  })

  test('discounts: strings and booleans are refused; a percent up to 100; an amount up to the line', async ({ client, assert }) => {
    const fixture = await createStore()
    const a = await createProduct(fixture, { price: 1000, taxClass: 'zero' })
    const token = await apiToken(client, fixture.users.cashier)
    const before = await footprint(fixture)
    const refused: [Record<string, unknown>, string][] = [
      [{ discount: '10' }, 'items.0.discount'],
      [{ discount: true }, 'items.0.discount'],
      [{ discount: -1 }, 'items.0.discount'],
      [{ discount: 1001 }, 'items.0.discount'],
      [{ discount: MAX_UNIT_PRICE + 1 }, 'items.0.discount'],
      [{ discount_percent: true }, 'items.0.discount_percent'],
      [{ discount_percent: '10' }, 'items.0.discount_percent'],
      [{ discount_percent: 100.01 }, 'items.0.discount_percent'],
      [{ discount_percent: 10.005 }, 'items.0.discount_percent'],
      // Both on one line: one of them was dropped without a word
      [{ discount: 10, discount_percent: 10 }, 'items.0.discount'],
    ]
    for (const [extra, field] of refused) {
      const response = await client.post('/api/sales').bearerToken(token).json({ items: [{ product_id: a.id, quantity: 1, ...extra }], payment_method: 'cash' })
      response.assertStatus(422)
      assert.deepEqual(errorFields(response), [field], JSON.stringify(extra))
    }
    assert.deepEqual(await footprint(fixture), before)

    // Past the store's discount limit (20%) a manager's token is needed: discount_limit.spec.ts
    const manager = await apiToken(client, fixture.users.manager)
    const whole = await client.post('/api/sales').bearerToken(manager).json({ items: [{ product_id: a.id, quantity: 1, discount_percent: 100 }] })
    whole.assertStatus(201)
    assert.equal(whole.body().total, 0)
    const line = await client.post('/api/sales').bearerToken(manager).json({ items: [{ product_id: a.id, quantity: 2, discount: 1999 }] })
    line.assertStatus(201)
    assert.equal(line.body().total, 1)
  })

  test('a new product starts with counted stock: a negative opening stock is a 422 on stock, and nothing is written', async ({ client, assert }) => {
    const fixture = await createStore()
    const token = await apiToken(client, fixture.users.manager)
    const before = await countRows('products', { store_id: fixture.store.id })
    const refused = await client.post('/api/products').bearerToken(token).json({ name: 'Minus Mug', sku: 'MINUS-1', price: 100, stock: -5 })
    refused.assertStatus(422)
    assert.deepEqual(errorFields(refused), ['stock'])
    assert.equal(await countRows('products', { store_id: fixture.store.id }), before)
    ;(await client.post('/api/products').bearerToken(token).json({ name: 'Zero Mug', sku: 'ZERO-1', price: 100, stock: 0 })).assertStatus(201)
  })

  test('a name holds no control characters nor text-direction overrides (a receipt would show another name)', async ({ client, assert }) => {
    const fixture = await createStore()
    const token = await apiToken(client, fixture.users.manager)
    for (const name of ['\u0000nul', 'tab\there', '\u202Egnp.exe', 'isolate\u2066x']) {
      const product = await client.post('/api/products').bearerToken(token).json({ name, sku: `CTRL-${name.length}`, price: 100 })
      product.assertStatus(422)
      assert.deepEqual(errorFields(product), ['name'], JSON.stringify(name))
      assert.include(product.body().errors[0].message, 'control characters or text-direction overrides')
      const customer = await client.post('/api/customers').bearerToken(token).json({ name })
      customer.assertStatus(422)
      assert.deepEqual(errorFields(customer), ['name'], JSON.stringify(name))
      // A category named on the product is made with it: the same rule
      const categorised = await client.post('/api/products').bearerToken(token).json({ name: 'Tea', sku: `CAT-${name.length}`, price: 100, category: name })
      categorised.assertStatus(422)
      assert.deepEqual(errorFields(categorised), ['category'], JSON.stringify(name))
    }
    assert.equal(await countRows('categories', { store_id: fixture.store.id }), 1)
    // Letters of any script, accents and emoji are names
    for (const name of ['Ünïcødé Café', 'مقهى', '東京 ラーメン', 'Tea 🍵']) {
      const product = await client.post('/api/products').bearerToken(token).json({ name, sku: `OK-${Buffer.from(name).toString('hex').slice(0, 20)}`, price: 100 })
      product.assertStatus(201)
      assert.equal(product.body().name, name)
    }
  })

  test('other JSON bodies take no text or boolean for a number', async ({ client, assert }) => {
    const fixture = await createStore()
    const manager = await apiToken(client, fixture.users.manager)
    const product = await client.post('/api/products').bearerToken(manager).json({ name: 'Pen', sku: 'PEN-1', price: '100' })
    product.assertStatus(422)
    assert.deepEqual(errorFields(product), ['price'])
    const stock = await client.post('/api/products').bearerToken(manager).json({ name: 'Pen', sku: 'PEN-1', price: 100, stock: true })
    stock.assertStatus(422)
    assert.deepEqual(errorFields(stock), ['stock'])
    const created = await client.post('/api/products').bearerToken(manager).json({ name: 'Pen', sku: 'PEN-1', price: MAX_UNIT_PRICE })
    created.assertStatus(201)
    const dearer = await client.post('/api/products').bearerToken(manager).json({ name: 'Pen 2', sku: 'PEN-2', price: MAX_UNIT_PRICE + 1 })
    dearer.assertStatus(422)
    assert.deepEqual(errorFields(dearer), ['price'])
  })
})

test.group('API bad input: ids', () => {
  test('a 300-digit id: 404 in a URL (with or without an Idempotency-Key), 422 in a body; the largest id is a 404', async ({ client, assert }) => {
    const fixture = await createStore()
    const a = await createProduct(fixture, { price: 100 })
    const cashier = await apiToken(client, fixture.users.cashier)
    const manager = await apiToken(client, fixture.users.manager)
    const huge = '9'.repeat(300)
    const refundBody = { items: [{ sale_item_id: 1, quantity: 1 }], reason: 'Broken', manager_pin: PINS.manager }
    const before = await footprint(fixture)

    for (const path of [`/api/sales/${huge}/refunds`, `/api/sales/${MAX_ID + 1}0/refunds`, '/api/sales/0/refunds', '/api/sales/1e3/refunds']) {
      const plain = await client.post(path).bearerToken(manager).json(refundBody)
      plain.assertStatus(404)
      const keyed = await client.post(path).bearerToken(manager).header('Idempotency-Key', crypto.randomUUID()).json(refundBody)
      keyed.assertStatus(404)
    }
    const largest = await client.post(`/api/sales/${MAX_ID}/refunds`).bearerToken(manager).json(refundBody)
    largest.assertStatus(404)
    ;(await client.get(`/api/sales/${huge}`).bearerToken(cashier)).assertStatus(404)
    ;(await client.get(`/api/products/${huge}`).bearerToken(cashier)).assertStatus(404)

    const hugeNumber = Number(huge)
    const cases: [string, Record<string, unknown>, string][] = [
      ['/api/refunds', { items: [{ product_id: hugeNumber, quantity: 1 }], reason: 'Gift', manager_pin: PINS.manager }, 'items.0.product_id'],
      ['/api/refunds', { items: [{ product_id: MAX_ID + 1, quantity: 1 }], reason: 'Gift', manager_pin: PINS.manager }, 'items.0.product_id'],
      ['/api/refunds', { items: [{ product_id: a.id, quantity: 1 }], reason: 'Gift', manager_pin: PINS.manager, register_id: hugeNumber }, 'register_id'],
      ['/api/sales', { items: [{ product_id: hugeNumber, quantity: 1 }] }, 'items.0.product_id'],
      ['/api/sales', { items: [{ product_id: String(a.id), quantity: 1 }] }, 'items.0.product_id'],
      ['/api/sales', { items: [{ product_id: a.id, quantity: 1 }], customer_id: hugeNumber }, 'customer_id'],
      ['/api/payments', { sale_id: hugeNumber, method: 'cash', amount: 100 }, 'sale_id'],
    ]
    for (const [path, body, field] of cases) {
      for (const key of [null, crypto.randomUUID()]) {
        const request = client.post(path).bearerToken(manager).json(body)
        const response = await (key ? request.header('Idempotency-Key', key) : request)
        response.assertStatus(422)
        assert.deepEqual(errorFields(response), [field], `${path} ${JSON.stringify(body)}`)
      }
    }
    const largestProduct = await client.post('/api/refunds').bearerToken(manager).json({ items: [{ product_id: MAX_ID, quantity: 1 }], reason: 'Gift', manager_pin: PINS.manager })
    largestProduct.assertStatus(404)
    assert.deepEqual(errorFields(largestProduct), ['items.0.product_id'])

    const query = await client.get('/api/products').qs({ category_id: huge }).bearerToken(cashier)
    query.assertStatus(422)
    assert.deepEqual(errorFields(query), ['category_id'])
    assert.deepEqual(await footprint(fixture), before)
  })
})

test.group('API bad input: the shape of the body', () => {
  test('JSON nested 100,000 deep is a 400 saying so, before it is parsed; at the depth limit it reaches the validator', async ({ client, assert }) => {
    const fixture = await createStore()
    const token = await apiToken(client, fixture.users.cashier)
    const post = (body: string) =>
      fetch(`${baseUrl()}/api/sales`, { method: 'POST', headers: { 'content-type': 'application/json', 'authorization': `Bearer ${token}` }, body })
    const nested = (depth: number) => `{"items":${'['.repeat(depth - 1)}${']'.repeat(depth - 1)}}`

    const deep = await post(nested(100_000))
    assert.equal(deep.status, 400)
    const answer = (await deep.json()) as any
    assert.equal(answer.errors[0].code, 'json_too_deep')
    assert.notInclude(answer.errors[0].message, 'call stack')

    const justOver = await post(nested(MAX_DEPTH + 1))
    assert.equal(justOver.status, 400)
    const atLimit = await post(nested(MAX_DEPTH))
    assert.equal(atLimit.status, 422)
    // Brackets inside strings are text, not nesting
    const inString = await post(JSON.stringify({ items: [{ product_id: 1, quantity: 1 }], reference: '['.repeat(100) }))
    assert.notEqual(inString.status, 400)
    const broken = await post('{"items": [')
    assert.equal(broken.status, 400)
    assert.equal(((await broken.json()) as any).errors[0].code, 'invalid_json')
    assert.equal(await countRows('sales', { store_id: fixture.store.id }), 0)
  })

  test('a body whose Content-Encoding it is not compressed with is a 400 saying so (it was a 500), on the API and on a form', async ({ client, assert }) => {
    const fixture = await createStore()
    const token = await apiToken(client, fixture.users.manager)
    for (const encoding of ['gzip', 'br', 'deflate']) {
      const api = await client.post('/api/customers').bearerToken(token).header('content-encoding', encoding).header('content-type', 'application/json').json({ name: 'Plain' })
      api.assertStatus(400)
      assert.equal(api.body().errors[0].code, 'bad_content_encoding', encoding)
    }
    const form = await client.post('/login').withCsrfToken().header('content-encoding', 'gzip').form({ email: 'a@b.test', password: 'x' }).redirects(0)
    assert.isBelow(form.status(), 500)
    assert.equal(await countRows('customers', { store_id: fixture.store.id }), 0)
  })

  test('a huge array of items is refused on items, a body over the size limit with a 413', async ({ client, assert }) => {
    const fixture = await createStore()
    const a = await createProduct(fixture, { price: 100, stock: 100_000 })
    const token = await apiToken(client, fixture.users.cashier)
    const line = { product_id: a.id, quantity: 1 }

    const most = await client.post('/api/sales').bearerToken(token).json({ items: Array.from({ length: 500 }, () => line) })
    most.assertStatus(201)
    const tooMany = await client.post('/api/sales').bearerToken(token).json({ items: Array.from({ length: 501 }, () => line) })
    tooMany.assertStatus(422)
    assert.deepEqual(errorFields(tooMany), ['items'])

    const bytes = JSON.stringify({ items: Array.from({ length: 100_000 }, () => line) })
    const huge = await fetch(`${baseUrl()}/api/sales`, { method: 'POST', headers: { 'content-type': 'application/json', 'authorization': `Bearer ${token}` }, body: bytes })
    assert.equal(huge.status, 413)
    // In words for a person (it said the framework's "request entity too large"); the code stays
    assert.deepEqual(((await huge.json()) as any).errors, [{ message: 'Too much was sent at once: nothing of it was saved. Send less at a time.', code: 'e_request_entity_too_large' }])
    assert.equal(await countRows('sales', { store_id: fixture.store.id }), 1)
  })
})
