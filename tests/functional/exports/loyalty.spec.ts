import { test } from '@japa/runner'
import { createCustomer } from '#tests/functional/customers/helpers'
import db from '@adonisjs/lucid/services/db'
import emitter from '@adonisjs/core/services/emitter'
import Customer from '#models/customer'
import { apiToken, createProduct, createStore } from '#tests/fixtures'
import { enablePluginForTest, disablePluginForTest } from '#tests/plugins'
import { pluginPost } from '#tests/functional/plugins/helpers'
import { REGISTER_COOKIE } from '#sales/till_screen_service'

/*
| The loyalty-points plugin: earn on a sale with a customer (through 'sale:completed'), redeem
| as a tender through the API, refuse a short balance, show the balance on the receipt, and a
| refund ('sale:refunded') takes the earned points back. Settings: 1 point per dollar, a point
| is worth 1 cent, at least 100 points at a time.
*/

const LEDGER = 'loyalty_points_ledger'

async function points(customerId: number) {
  const row = await db.from(LEDGER).where('customer_id', customerId).sum('points as total').first()
  return Number(row?.total ?? 0)
}

/** 'sale:completed' listeners run after the sale's commit: wait (bounded) for the earn row */
async function earned(saleId: number) {
  for (let i = 0; i < 100; i++) {
    const row = await db.from(LEDGER).where({ sale_id: saleId, reason: 'earn' }).first()
    if (row) return Number(row.points)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  return 0
}

async function setup(client: any) {
  await enablePluginForTest('loyalty-points', { points_per_unit: 1, point_value: 1, min_redeem: 100 })
  const fixture = await createStore()
  const customer = await Customer.create({ storeId: fixture.store.id, name: 'Ada Lovelace', email: `ada.${fixture.tag}@test.local` })
  // $50.00 + 8% = $54.00
  const product = await createProduct(fixture, { price: 5000, stock: 100 })
  const token = await apiToken(client, fixture.users.cashier)
  return { fixture, customer, product, token }
}

async function cardSale(client: any, token: string, productId: number, customerId: number | null) {
  const response = await client
    .post('/api/sales')
    .bearerToken(token)
    .json({ items: [{ product_id: productId, quantity: 1 }], payment_method: 'card_external', customer_id: customerId })
  response.assertStatus(201)
  return response.body()
}

test.group('Loyalty points', (group) => {
  group.each.teardown(async () => disablePluginForTest('loyalty-points'))

  test('a sale with a customer earns points per dollar; a sale without earns none', async ({ client, assert }) => {
    const { fixture, customer, product, token } = await setup(client)
    const sale = await cardSale(client, token, product.id, customer.id)
    assert.equal(await earned(sale.id), 54)
    assert.equal(await points(customer.id), 54)

    const anonymous = await cardSale(client, token, product.id, null)
    const receipt = await client.get(`/till/receipts/${sale.id}`).loginAs(fixture.users.cashier)
    receipt.assertStatus(200)
    assert.include(receipt.text(), 'data-testid="points-balance">54 points ($0.54)')
    assert.equal(await db.from(LEDGER).where('sale_id', anonymous.id).count('* as n').first().then((r) => Number(r.n)), 0)
  })

  test('points pay as a tender; what is paid with points earns nothing; a short balance is refused', async ({ client, assert }) => {
    const { customer, product, token } = await setup(client)
    for (let i = 0; i < 3; i++) await earned((await cardSale(client, token, product.id, customer.id)).id)
    assert.equal(await points(customer.id), 162)

    const open = await client.post('/api/sales').bearerToken(token).json({ items: [{ product_id: product.id, quantity: 1 }], customer_id: customer.id })
    open.assertStatus(201)
    const saleId = open.body().id

    // below the minimum, then more than the balance: refused, nothing spent
    const few = await client.post('/api/payments').bearerToken(token).json({ sale_id: saleId, method: 'loyalty_points', amount: 99 })
    few.assertStatus(422)
    assert.equal(few.body().errors[0].code, 'points_below_minimum')
    const short = await client.post('/api/payments').bearerToken(token).json({ sale_id: saleId, method: 'loyalty_points', amount: 163 })
    short.assertStatus(409)
    assert.deepInclude(short.body().errors[0], { code: 'points_short', field: 'amount' })
    assert.equal(await points(customer.id), 162)

    const paid = await client.post('/api/payments').bearerToken(token).json({ sale_id: saleId, method: 'loyalty_points', amount: 150 })
    paid.assertStatus(201)
    assert.equal(await points(customer.id), 12)
    const rest = await client.post('/api/payments').bearerToken(token).json({ sale_id: saleId, method: 'card_external', amount: 5400 - 150 })
    rest.assertStatus(201)
    // $52.50 paid by card earns 52 points
    assert.equal(await earned(saleId), 52)
    assert.equal(await points(customer.id), 64)
  })

  test('points need a customer on the sale', async ({ client, assert }) => {
    const { product, token } = await setup(client)
    const response = await client.post('/api/sales').bearerToken(token).json({ items: [{ product_id: product.id, quantity: 1 }], payment_method: 'loyalty_points' })
    response.assertStatus(422)
    // At the key sent: the body has no `method` (it was named, as POST /api/payments names its own)
    assert.deepInclude(response.body().errors[0], { code: 'customer_required', field: 'payment_method' })
    // An exchange's `method` is the refund's: its new sale's tender is its `payment_method` too
    const sale = await cardSale(client, token, product.id, null)
    const exchange = await client.post(`/api/sales/${sale.id}/exchanges`).bearerToken(token).json({
      return_items: [{ sale_item_id: sale.items[0].id, quantity: 1 }],
      items: [{ product_id: product.id, quantity: 2 }],
      payment_method: 'loyalty_points',
      reason: 'Two instead',
    })
    exchange.assertStatus(422)
    assert.deepInclude(exchange.body().errors[0], { code: 'customer_required', field: 'payment_method' })
  })

  test('without the plugin, points are not a tender', async ({ client, assert }) => {
    const fixture = await createStore()
    const product = await createProduct(fixture, { price: 5000 })
    const token = await apiToken(client, fixture.users.cashier)
    const response = await client.post('/api/sales').bearerToken(token).json({ items: [{ product_id: product.id, quantity: 1 }], payment_method: 'loyalty_points' })
    response.assertStatus(422)
    assert.equal(response.body().errors[0].field, 'payment_method')
  })

  test('a refund takes back the points its part of the sale earned, once', async ({ client, assert }) => {
    const { fixture, customer, product, token } = await setup(client)
    const sale = await cardSale(client, token, product.id, customer.id)
    assert.equal(await earned(sale.id), 54)
    // The refunds domain publishes this event after its commit; here it is emitted as it would be
    const refund = { refundId: 900_000 + sale.id, saleId: sale.id, storeId: fixture.store.id, registerId: fixture.register.id, total: 2700 }
    await emitter.emit('sale:refunded', refund)
    assert.equal(await points(customer.id), 27)
    await emitter.emit('sale:refunded', refund)
    assert.equal(await points(customer.id), 27, 'the same refund twice takes back once')
    // never more than the sale earned
    await emitter.emit('sale:refunded', { ...refund, refundId: refund.refundId + 1, total: 10_000 })
    assert.equal(await points(customer.id), 0)
  })

  test('a refund of a sale paid in part with points gives those points back; a void undoes what its sale earned and spent', async ({ client, assert }) => {
    const { fixture, customer, product, token } = await setup(client)
    for (let i = 0; i < 3; i++) await earned((await cardSale(client, token, product.id, customer.id)).id)
    assert.equal(await points(customer.id), 162)
    const manager = await apiToken(client, fixture.users.manager)
    const paidWithPoints = async (spent: number) => {
      const open = await client.post('/api/sales').bearerToken(token).json({ items: [{ product_id: product.id, quantity: 1 }], customer_id: customer.id })
      ;(await client.post('/api/payments').bearerToken(token).json({ sale_id: open.body().id, method: 'loyalty_points', amount: spent })).assertStatus(201)
      ;(await client.post('/api/payments').bearerToken(token).json({ sale_id: open.body().id, method: 'card_external', amount: 5400 - spent })).assertStatus(201)
      await earned(open.body().id)
      return open.body()
    }
    const eventually = async (expected: number) => {
      for (let i = 0; i < 100 && (await points(customer.id)) !== expected; i++) await new Promise((resolve) => setTimeout(resolve, 20))
      assert.equal(await points(customer.id), expected)
    }

    // 162 - 150 spent + 52 earned on the $52.50 paid by card
    const sale = await paidWithPoints(150)
    assert.equal(await points(customer.id), 64)
    const refund = await client.post(`/api/sales/${sale.id}/refunds`).bearerToken(manager).json({ items: [{ sale_item_id: sale.items[0].id, quantity: 1 }], reason: 'Changed mind' })
    refund.assertStatus(201)
    assert.sameDeepMembers(refund.body().payments.map((p: any) => [p.method, p.amount]), [['loyalty_points', 150], ['card_external', 5250]])
    // The 150 points come back with the refund; the 52 it earned are taken back after it
    await eventually(162)

    // 162 - 100 spent + 53 earned, then voided: as before the sale
    const voided = await paidWithPoints(100)
    assert.equal(await points(customer.id), 115)
    ;(await client.post(`/api/sales/${voided.id}/void`).bearerToken(manager).json({ reason: 'Rung up twice' })).assertStatus(200)
    assert.equal(await points(customer.id), 162)
    assert.equal(await db.from(LEDGER).where({ sale_id: voided.id, reason: 'void' }).count('* as n').first().then((r) => Number(r.n)), 1)
  })

  test('an exchange is the same customer\'s: points pay its difference and are spent, and the new goods earn', async ({ client, assert }) => {
    const { fixture, customer, product, token } = await setup(client)
    const sales = []
    for (let i = 0; i < 3; i++) sales.push(await cardSale(client, token, product.id, customer.id))
    for (const sale of sales) await earned(sale.id)
    assert.equal(await points(customer.id), 162)
    // $51.50 + 8% = $55.62: $1.62 more than the $54.00 coming back
    const dearer = await createProduct(fixture, { price: 5150, stock: 10 })
    const response = await client.post(`/api/sales/${sales[0].id}/exchanges`).bearerToken(token).json({
      return_items: [{ sale_item_id: sales[0].items[0].id, quantity: 1 }],
      items: [{ product_id: dearer.id, quantity: 1 }],
      payment_method: 'loyalty_points',
      reason: 'Other size',
    })
    response.assertStatus(201)
    const exchanged = response.body().sale
    assert.deepEqual(exchanged.payments.map((p: any) => [p.method, p.amount]), [['exchange', 5400], ['loyalty_points', 162]])
    assert.equal(exchanged.customer_id, customer.id)
    // Before, the difference "paid in points" spent none, and the new sale had no customer
    const redeemed = await db.from(LEDGER).where({ sale_id: exchanged.id, reason: 'redeem' }).first()
    assert.equal(Number(redeemed?.points), -162)
    // 162 - 162 spent; the new sale earns 54 on what was not paid in points, the return takes back the 54 the old one earned
    assert.equal(await earned(exchanged.id), 54)
    for (let i = 0; i < 100 && (await points(customer.id)) !== 0; i++) await new Promise((resolve) => setTimeout(resolve, 20))
    assert.equal(await points(customer.id), 0)
  })

  test('a refund pays out in points only to a customer: a return without a receipt in points is refused', async ({ client, assert }) => {
    const { fixture, product } = await setup(client)
    const manager = await apiToken(client, fixture.users.manager)
    const response = await client.post('/api/refunds').bearerToken(manager).json({ items: [{ product_id: product.id, quantity: 1 }], reason: 'No receipt', method: 'loyalty_points' })
    response.assertStatus(422)
    assert.deepInclude(response.body().errors[0], { code: 'customer_required', field: 'method' })
    assert.equal(await db.from('refunds').where('store_id', fixture.store.id).count('* as n').first().then((r) => Number(r.n)), 0)
  })

  test('the value of a point is typed as an amount of the currency, and a payment off its steps is refused in it', async ({ client, assert }) => {
    const { fixture, customer, product, token } = await setup(client)
    const admin = (await createStore({ chainAdmin: true })).users.admin
    const form = await client.get('/backoffice/plugins/loyalty-points/settings').loginAs(admin)
    form.assertStatus(200)
    // The label said "minor units, e.g. 1 = $0.01" while the field took dollars: 1 typed made a point worth $1.00
    assert.include(form.text(), 'Value of a point, e.g. 0.01 for a cent (USD)')
    assert.notInclude(form.text(), 'minor units')
    const saved = await pluginPost(client, admin, '/backoffice/plugins/loyalty-points/settings', { points_per_unit: '1', point_value: '0.05', min_redeem: '10' })
    saved.assertStatus(302)
    assert.isNull(saved.flashMessage('inputErrorsBag') ?? null)
    assert.equal(JSON.parse((await db.from('plugin_settings').where({ plugin_id: 'loyalty-points', key: 'point_value' }).firstOrFail()).value), 5)

    assert.equal(await earned((await cardSale(client, token, product.id, customer.id)).id), 54)
    // $10.01 + 8% = $10.81: not a whole number of points worth $0.05
    const odd = await createProduct(fixture, { price: 1001, stock: 10 })
    const offStep = await client
      .post('/api/sales')
      .bearerToken(token)
      .json({ items: [{ product_id: odd.id, quantity: 1 }], payment_method: 'loyalty_points', customer_id: customer.id })
    offStep.assertStatus(422)
    assert.deepInclude(offStep.body().errors[0], { code: 'points_step', message: 'Points pay in steps of $0.05, the value of a point' })
  })

  test('the till shows the balance on the Points tender and takes a points payment', async ({ client, assert }) => {
    const { fixture, customer, product, token } = await setup(client)
    await enablePluginForTest('loyalty-points', { points_per_unit: 1, point_value: 1, min_redeem: 10 })
    assert.equal(await earned((await cardSale(client, token, product.id, customer.id)).id), 54)
    const till = (method: 'get' | 'post' | 'delete', url: string) =>
      client[method](url).loginAs(fixture.users.cashier).withCsrfToken().withCookie(REGISTER_COOKIE, String(fixture.register.id)).header('HX-Request', 'true')

    ;(await till('post', '/till/items').form({ product_id: product.id })).assertStatus(200)
    // Attaching a customer at the till is the customers domain's; here the cart gets one directly
    await db.from('sales').where({ register_id: fixture.register.id, status: 'open' }).update({ customer_id: customer.id })
    const page = await client.get('/till').loginAs(fixture.users.cashier).withCookie(REGISTER_COOKIE, String(fixture.register.id))
    assert.include(page.text(), 'data-testid="till-points-balance">Balance: 54 points ($0.54)')
    assert.include(page.text(), 'data-shortcut="F5"')
    assert.match(page.text(), /<button type="submit" class="btn btn-primary btn-large"\s*><span>Pay with points</)
    // Nothing to spend: said on the tender, whose button is off (it offered 0.00 and was told of "whole numbers of cents")
    const zero = await till('post', '/till/payments').form({ method: 'loyalty_points', amount: '0.00' })
    zero.assertStatus(422)
    assert.include(zero.text(), 'The amount must be more than zero')
    const newcomer = await createCustomer(fixture, { name: 'No Points Yet' })
    const openCart = db.from('sales').where({ register_id: fixture.register.id, status: 'open' })
    await openCart.clone().update({ customer_id: newcomer.id })
    const none = await client.get('/till').loginAs(fixture.users.cashier).withCookie(REGISTER_COOKIE, String(fixture.register.id))
    assert.include(none.text(), 'data-testid="till-points-balance">Balance: 0 points: not enough to pay with.')
    assert.match(none.text(), /<button type="submit" class="btn btn-primary btn-large"\s*disabled\s*><span>Pay with points</)
    await openCart.clone().update({ customer_id: customer.id })

    const paid = await till('post', '/till/payments').form({ method: 'loyalty_points', amount: '0.50' })
    paid.assertStatus(200)
    assert.equal(await points(customer.id), 4)
    const payment = await db.from('payments').join('sales', 'sales.id', 'payments.sale_id').where({ 'sales.register_id': fixture.register.id, 'payments.method': 'loyalty_points' }).select('payments.id', 'payments.amount').first()
    assert.equal(Number(payment.amount), 50)

    // The customer cannot be swapped while their points pay part of the sale (no cart change can)
    const swap = await till('post', '/till/customer').form({ customer_id: newcomer.id })
    swap.assertStatus(409)
    assert.include(swap.text(), 'Payments were taken')
    ;(await till('delete', '/till/customer')).assertStatus(409)
    // The payment taken off gives the points back, once (they were lost: 54 became 4 for good)
    ;(await till('delete', `/till/payments/${payment.id}`)).assertStatus(200)
    assert.equal(await points(customer.id), 54)
    ;(await till('delete', `/till/payments/${payment.id}`)).assertStatus(404)
    assert.equal(await points(customer.id), 54)
    assert.deepEqual(await db.from(LEDGER).where({ customer_id: customer.id, reason: 'restore' }).select('points', 'dedupe_key'), [{ points: 50, dedupe_key: `restore:${payment.id}` }])
    // Then the customer may change
    ;(await till('post', '/till/customer').form({ customer_id: newcomer.id })).assertStatus(200)
  })

  test('without the loyalty program, a points payment is not taken off an open sale (its points could not come back)', async ({ client, assert }) => {
    const { fixture, customer, product, token } = await setup(client)
    await enablePluginForTest('loyalty-points', { points_per_unit: 1, point_value: 1, min_redeem: 10 })
    assert.equal(await earned((await cardSale(client, token, product.id, customer.id)).id), 54)
    const till = (method: 'post' | 'delete', url: string) =>
      client[method](url).loginAs(fixture.users.cashier).withCsrfToken().withCookie(REGISTER_COOKIE, String(fixture.register.id)).header('HX-Request', 'true')
    ;(await till('post', '/till/items').form({ product_id: product.id })).assertStatus(200)
    await db.from('sales').where({ register_id: fixture.register.id, status: 'open' }).update({ customer_id: customer.id })
    ;(await till('post', '/till/payments').form({ method: 'loyalty_points', amount: '0.20' })).assertStatus(200)
    const payment = await db.from('payments').join('sales', 'sales.id', 'payments.sale_id').where({ 'sales.register_id': fixture.register.id, 'payments.method': 'loyalty_points' }).select('payments.id').firstOrFail()
    await disablePluginForTest('loyalty-points')
    const refused = await till('delete', `/till/payments/${payment.id}`)
    refused.assertStatus(409)
    assert.include(refused.text(), 'The loyalty program is off')
    assert.equal((await db.from('payments').where('id', payment.id).firstOrFail()).status, 'approved')
    assert.equal(await points(customer.id), 34)
  })
})
