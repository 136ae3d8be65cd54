import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { apiToken, cashIntoDrawer, createProduct, createStore, type TestStore, stockOf, countRows, PINS } from '#tests/fixtures'
import { returnsFootprint } from './helpers.js'
import { REGISTER_COOKIE } from '#sales/till_screen_service'
import { sellFor } from '#tests/functional/backoffice/helpers'
import Customer from '#models/customer'

/** A till request as htmx sends it: signed in, with CSRF token and this device's register */
function till(client: any, fixture: TestStore, method: 'get' | 'post', url: string, role: 'cashier' | 'manager' = 'cashier') {
  return client[method](url).loginAs(fixture.users[role]).withCsrfToken().withCookie(REGISTER_COOKIE, String(fixture.register.id)).header('HX-Request', 'true')
}

test.group('Till returns over htmx', () => {
  test('an empty row in a return or an exchange form is a row left blank: a 422 saying what is missing (it was a 500)', async ({ client, assert }) => {
    const fixture = await createStore()
    const tea = await createProduct(fixture, { name: 'Green Tea', price: 450 })
    const sale = await sellFor(fixture, [{ product: tea, quantity: 2 }])
    const line = await db.from('sale_items').where('sale_id', sale.id).firstOrFail()
    const ret = await till(client, fixture, 'post', `/till/returns/${sale.id}`).json({ items: [null, 'x'], reason: 'Broken' })
    ret.assertStatus(422)
    assert.include(ret.text(), 'Enter how many of a line come back')
    const exchange = await till(client, fixture, 'post', `/till/returns/${sale.id}/exchange`).json({ items: [{ sale_item_id: line.id, quantity: 1 }], new_items: [null], reason: 'Wrong size' })
    exchange.assertStatus(422)
    assert.include(exchange.text(), 'Scan or type the product the customer takes instead')
    assert.equal(await countRows('refunds', { sale_id: sale.id }), 0)
  })

  test('the receipt reference finds the sale; a search by number, day or customer lists it', async ({ client, assert }) => {
    const fixture = await createStore()
    const tea = await createProduct(fixture, { name: 'Green Tea', price: 450 })
    const customer = await Customer.create({ storeId: fixture.store.id, name: 'Ada Lovelace' })
    const sale = await sellFor(fixture, [{ product: tea, quantity: 2 }])
    await db.from('sales').where('id', sale.id).update({ customer_id: customer.id })

    const receipt = await client.get(`/till/receipts/${sale.id}`).loginAs(fixture.users.cashier).withCookie(REGISTER_COOKIE, String(fixture.register.id))
    const ref = `S-${fixture.register.id}-${sale.number}`
    assert.include(receipt.text(), ref)

    const scanned = await till(client, fixture, 'get', `/till/returns?q=${ref.toLowerCase()}`)
    scanned.assertStatus(204)
    assert.equal(scanned.header('hx-redirect'), `/till/returns/${sale.id}`)

    for (const qs of [`q=${sale.number}`, `customer=lovel`, `date=${sale.completedAt!.setZone(fixture.store.timeZone).toISODate()}`]) {
      const found = await till(client, fixture, 'get', `/till/returns?${qs}`)
      found.assertStatus(200)
      assert.include(found.text(), `href="/till/returns/${sale.id}"`, qs)
    }
    const none = await till(client, fixture, 'get', '/till/returns?customer=nobody')
    assert.include(none.text(), 'data-testid="no-return-match"')

    const form = await till(client, fixture, 'get', `/till/returns/${sale.id}`)
    form.assertStatus(200)
    assert.include(form.text(), 'aria-label="Quantity of Green Tea to return"')
    // Beside a sale's form, a search opens the page anew (in place, a search that found nothing
    // showed "no sale matches" above the form of the sale before); on its own, it answers in place
    const searchForm = (html: string) => /<form class="toolbar"[^>]*>/.exec(html)![0]
    assert.notInclude(searchForm(form.text()), 'hx-get')
    const page = await client.get('/till/returns').loginAs(fixture.users.cashier).withCookie(REGISTER_COOKIE, String(fixture.register.id))
    assert.include(searchForm(page.text()), 'hx-get="/till/returns"')
  })

  test('a partial return from the till: refund receipt, stock back; over-return and another tender without a PIN are refused', async ({ client, assert }) => {
    const fixture = await createStore()
    const tea = await createProduct(fixture, { name: 'Green Tea', price: 450, stock: 10 })
    const sale = await sellFor(fixture, [{ product: tea, quantity: 3 }])
    const item = await db.from('sale_items').where('sale_id', sale.id).first()
    const post = (body: object) => till(client, fixture, 'post', `/till/returns/${sale.id}`).form(body)

    const done = await post({ 'items[0][sale_item_id]': item.id, 'items[0][quantity]': '1', 'items[0][restock]': 'stock', 'reason': 'Too sweet', 'method': 'original' })
    done.assertStatus(200)
    assert.include(done.text(), 'Refund receipt')
    assert.include(done.text(), '$4.86')
    assert.equal(await stockOf(tea.id), 8)
    const refund = await db.from('refunds').where('sale_id', sale.id).first()
    assert.equal(refund.register_id, fixture.register.id)

    const over = await post({ 'items[0][sale_item_id]': item.id, 'items[0][quantity]': '3', 'items[0][restock]': 'stock', 'reason': 'Too many' })
    over.assertStatus(409)
    assert.equal(over.header('hx-retarget'), '#till-message')
    assert.include(over.text(), 'Only 2')

    const otherTender = await post({ 'items[0][sale_item_id]': item.id, 'items[0][quantity]': '1', 'items[0][restock]': 'damaged', 'reason': 'Card', 'method': 'card_external' })
    otherTender.assertStatus(403)
    assert.include(otherTender.text(), 'manager')
    assert.equal(await countRows('refunds', { sale_id: sale.id }), 1)

    const approved = await post({ 'items[0][sale_item_id]': item.id, 'items[0][quantity]': '1', 'items[0][restock]': 'damaged', 'reason': 'Card', 'method': 'card_external', 'manager_pin': PINS.manager })
    approved.assertStatus(200)
    assert.include(approved.text(), '(damaged)')
    assert.equal(await stockOf(tea.id), 8)
  })

  test('a return without a receipt at the till: a manager’s PIN, today’s price', async ({ client, assert }) => {
    const fixture = await createStore()
    const mug = await createProduct(fixture, { name: 'Blue Mug', sku: `MUG-${fixture.tag}`, price: 800, stock: 2 })
    await cashIntoDrawer(fixture, 5000)
    const page = await client.get('/till/returns').loginAs(fixture.users.cashier).withCookie(REGISTER_COOKIE, String(fixture.register.id))
    page.assertStatus(200)
    assert.include(page.text(), 'Return without a receipt')

    const post = (body: object) => till(client, fixture, 'post', '/till/returns/no-receipt').form(body)
    const noPin = await post({ code: mug.sku, quantity: '1', restock: 'stock', reason: 'No receipt', method: 'cash' })
    noPin.assertStatus(403)
    assert.include(noPin.text(), 'manager')
    const unknown = await post({ code: 'NOPE', quantity: '1', restock: 'stock', reason: 'No receipt', manager_pin: PINS.manager })
    unknown.assertStatus(422)
    assert.equal(await countRows('refunds', { store_id: fixture.store.id }), 0)

    const done = await post({ code: mug.sku, quantity: '2', restock: 'stock', reason: 'No receipt', method: 'cash', manager_pin: PINS.manager })
    done.assertStatus(200)
    assert.include(done.text(), 'without a receipt')
    assert.include(done.text(), '2 × Blue Mug')
    assert.include(done.text(), '$17.28')
    assert.equal(await stockOf(mug.id), 4)
  })

  test('an exchange at the till: one returned, another taken; the customer pays the difference', async ({ client, assert }) => {
    const fixture = await createStore()
    const small = await createProduct(fixture, { name: 'Shirt S', price: 1000, stock: 5 })
    const large = await createProduct(fixture, { name: 'Shirt XL', sku: `XL-${fixture.tag}`, price: 1500, stock: 5 })
    const sale = await sellFor(fixture, [{ product: small, quantity: 1 }])
    const item = await db.from('sale_items').where('sale_id', sale.id).first()
    const form = await till(client, fixture, 'get', `/till/returns/${sale.id}`)
    assert.include(form.text(), `hx-post="/till/returns/${sale.id}/exchange"`)

    const post = (body: object) => till(client, fixture, 'post', `/till/returns/${sale.id}/exchange`).form(body)
    const base = { 'items[0][sale_item_id]': item.id, 'items[0][quantity]': '1', 'items[0][restock]': 'stock', 'reason': 'Too small', 'payment_method': 'cash', 'tendered': '10.00' }
    const unknown = await post({ ...base, 'new_items[0][code]': 'NOPE', 'new_items[0][quantity]': '1' })
    unknown.assertStatus(422)
    assert.include(unknown.text(), 'NOPE')
    assert.equal(await countRows('refunds', { sale_id: sale.id }), 0)

    const done = await post({ ...base, 'new_items[0][code]': large.sku, 'new_items[0][quantity]': '1', 'new_items[1][code]': '' })
    done.assertStatus(200)
    // 16.20 - 10.80 = 5.40 paid in cash
    assert.include(done.text(), 'data-testid="exchange-pays">$5.40')
    assert.include(done.text(), 'Shirt XL')
    assert.equal(await stockOf(small.id), 5)
    assert.equal(await stockOf(large.id), 4)
    const refund = await db.from('refunds').where('sale_id', sale.id).first()
    assert.equal(refund.kind, 'exchange')
    const newSale = await db.from('sales').where('id', refund.exchange_sale_id).first()
    assert.equal(newSale.status, 'completed')
    assert.equal(Number(newSale.change_due), 460)
  })

  test('an exchange’s cash tendered that is not an amount (abc, stray commas) is refused on tendered; nothing is written (it was read as exact)', async ({ client, assert }) => {
    const fixture = await createStore()
    const small = await createProduct(fixture, { name: 'Shirt S', price: 1000, stock: 5 })
    const large = await createProduct(fixture, { name: 'Shirt XL', sku: `XL-${fixture.tag}`, price: 1500, stock: 5 })
    const sale = await sellFor(fixture, [{ product: small, quantity: 1 }])
    const item = await db.from('sale_items').where('sale_id', sale.id).first()
    const footprint = async () => ({ ...(await returnsFootprint(fixture)), sales: await countRows('sales', { store_id: fixture.store.id }), stock: await stockOf(large.id) })
    const before = await footprint()

    // A decimal comma is an amount (parseMoney): "5,0,0" reads no way
    for (const tendered of ['abc', '5,0,0']) {
      const response = await till(client, fixture, 'post', `/till/returns/${sale.id}/exchange`).form({
        'items[0][sale_item_id]': item.id, 'items[0][quantity]': '1', 'items[0][restock]': 'stock', 'reason': 'Too small',
        'new_items[0][code]': large.sku, 'new_items[0][quantity]': '1', 'payment_method': 'cash', tendered,
      })
      response.assertStatus(422)
      assert.equal(response.header('hx-retarget'), '#till-message', tendered)
      assert.include(response.text(), 'Enter the cash tendered as an amount, such as 12.50', tendered)
      assert.deepEqual(await footprint(), before, tendered)
    }
  })

  test('an exchange’s cash below the difference tells the cashier what to take (it said "leave out payment_method"); the API names the field', async ({ client, assert }) => {
    const fixture = await createStore()
    const small = await createProduct(fixture, { name: 'Shirt S', price: 1000, stock: 5 })
    const large = await createProduct(fixture, { name: 'Shirt XL', sku: `XL-${fixture.tag}`, price: 1500, stock: 5 })
    const sale = await sellFor(fixture, [{ product: small, quantity: 1 }])
    const item = await db.from('sale_items').where('sale_id', sale.id).first()
    const footprint = async () => ({ ...(await returnsFootprint(fixture)), sales: await countRows('sales', { store_id: fixture.store.id }), stock: await stockOf(large.id) })
    // Signing in to the API is audited: before the footprint
    const token = await apiToken(client, fixture.users.cashier)
    const before = await footprint()

    // 16.20 - 10.80 = 5.40 to pay; 1.00 handed over
    const short = await till(client, fixture, 'post', `/till/returns/${sale.id}/exchange`).form({
      'items[0][sale_item_id]': item.id, 'items[0][quantity]': '1', 'items[0][restock]': 'stock', 'reason': 'Too small',
      'new_items[0][code]': large.sku, 'new_items[0][quantity]': '1', 'payment_method': 'cash', 'tendered': '1.00',
    })
    short.assertStatus(422)
    assert.equal(short.header('hx-retarget'), '#till-message')
    assert.include(short.text(), 'The cash tendered ($1.00) is less than the $5.40 the customer pays for the exchange')
    assert.notInclude(short.text(), 'payment_method')
    assert.deepEqual(await footprint(), before)

    const api = await client.post(`/api/sales/${sale.id}/exchanges`).bearerToken(token).json({
      return_items: [{ sale_item_id: item.id, quantity: 1 }],
      items: [{ product_id: large.id, quantity: 1 }],
      payment_method: 'cash',
      tendered: 100,
      reason: 'Too small',
    })
    api.assertStatus(422)
    assert.deepEqual(api.body().errors.map((e: any) => [e.field, e.code]), [['tendered', 'tendered_too_low']])
    assert.deepEqual(await footprint(), before)
  })
})
