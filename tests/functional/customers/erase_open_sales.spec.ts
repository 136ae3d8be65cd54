import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import emitter from '@adonisjs/core/services/emitter'
import CheckoutService from '#sales/checkout_service'
import { createProduct, createStore, type TestStore } from '#tests/fixtures'
import { enablePluginForTest, disablePluginForTest } from '#tests/plugins'
import { submit } from '#tests/functional/backoffice/helpers'
import { createCustomer } from '#tests/functional/customers/helpers'
import { REGISTER_COOKIE } from '#sales/till_screen_service'

/*
| Erasing a customer whose sale is not completed yet: the cart open at a till, or a parked one.
| Before, the cart kept its link to the erased record: it was paid with their points after the
| erasure and earned more points on completion, for an account no one can use. And a sale linked to
| them while the erasure ran, or completed just before it, neither spends nor earns their points.
*/

const LEDGER = 'loyalty_points_ledger'

function till(client: any, fixture: TestStore, method: 'get' | 'post', url: string) {
  return client[method](url).loginAs(fixture.users.cashier).withCsrfToken().withCookie(REGISTER_COOKIE, String(fixture.register.id)).header('HX-Request', 'true')
}

async function points(customerId: number) {
  const row = await db.from(LEDGER).where('customer_id', customerId).sum('points as total').first()
  return Number(row?.total ?? 0)
}

/** 'sale:completed' listeners run after the sale's commit: wait (bounded) for an earn row */
async function earned(saleId: number) {
  for (let i = 0; i < 50; i++) {
    const row = await db.from(LEDGER).where({ sale_id: saleId, reason: 'earn' }).first()
    if (row) return Number(row.points)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  return 0
}

/** A store with the loyalty program on, and a customer who earned 54 points on a completed sale */
async function customerWithPoints() {
  await enablePluginForTest('loyalty-points', { points_per_unit: 1, point_value: 1, min_redeem: 10 })
  const fixture = await createStore()
  // $50.00 + 8% = $54.00
  const product = await createProduct(fixture, { name: 'Kettle', price: 5000, stock: 100 })
  const customer = await createCustomer(fixture, { name: 'Grace Hopper' })
  const { sale: earlier } = await new CheckoutService().createSale({ user: fixture.users.cashier, store: fixture.store }, fixture.register.id, {
    customerId: customer.id,
    lines: [{ productId: product.id, quantity: 1 }],
    payment: { method: 'card_external' },
  })
  if ((await earned(earlier.id)) !== 54) throw new Error('the earlier sale did not earn its points')
  return { fixture, product, customer, earlier }
}

async function erase(client: any, fixture: TestStore, customerId: number) {
  const response = await submit(client, fixture.users.admin, 'post', `/backoffice/customers/${customerId}/erase`, { confirm: 'on' })
  response.assertStatus(302)
}

test.group('Customers: erasure of a customer whose sale is not completed', (group) => {
  group.each.teardown(async () => disablePluginForTest('loyalty-points'))

  test('the open cart goes on without them: their points cannot pay for it and it earns none', async ({ client, assert }) => {
    const { fixture, product, customer, earlier } = await customerWithPoints()
    ;(await till(client, fixture, 'post', '/till/items').form({ product_id: product.id })).assertStatus(200)
    ;(await till(client, fixture, 'post', '/till/customer').form({ customer_id: customer.id })).assertStatus(200)

    await erase(client, fixture, customer.id)
    const cart = await db.from('sales').where({ register_id: fixture.register.id, status: 'open' }).firstOrFail()
    assert.isNull(cart.customer_id)
    // the completed sale keeps its link to the anonymised row
    assert.equal((await db.from('sales').where('id', earlier.id).first()).customer_id, customer.id)
    const audit = await db.from('audit_logs').where({ store_id: fixture.store.id, action: 'customer_erased' }).firstOrFail()
    assert.deepEqual(JSON.parse(audit.data), { sales: 2, unlinked: 1 })

    const page = await client.get('/till').loginAs(fixture.users.cashier).withCookie(REGISTER_COOKIE, String(fixture.register.id))
    assert.notInclude(page.text(), 'Grace')
    const withPoints = await till(client, fixture, 'post', '/till/payments').form({ method: 'loyalty_points', amount: '0.50' })
    withPoints.assertStatus(422)
    assert.include(withPoints.text(), 'Attach the customer to the sale to pay with points')
    assert.equal(await points(customer.id), 54)

    ;(await till(client, fixture, 'post', '/till/payments').form({ method: 'cash', tendered: '60.00' })).assertStatus(200)
    const sale = await db.from('sales').where({ id: cart.id }).firstOrFail()
    assert.equal(sale.status, 'completed')
    assert.isNull(sale.customer_id)
    assert.equal(await earned(sale.id), 0)
    assert.equal(await points(customer.id), 54)
  })

  test('a parked sale of theirs is resumed and completed without them, earning nothing', async ({ client, assert }) => {
    const { fixture, product, customer } = await customerWithPoints()
    ;(await till(client, fixture, 'post', '/till/items').form({ product_id: product.id })).assertStatus(200)
    ;(await till(client, fixture, 'post', '/till/customer').form({ customer_id: customer.id })).assertStatus(200)
    ;(await till(client, fixture, 'post', '/till/park').form({ note: 'Grace, back at 5' })).assertStatus(200)
    const parked = await db.from('sales').where({ store_id: fixture.store.id, status: 'parked' }).firstOrFail()

    await erase(client, fixture, customer.id)
    const after = await db.from('sales').where('id', parked.id).firstOrFail()
    assert.isNull(after.customer_id)
    assert.isNull(after.note)

    const resumed = await till(client, fixture, 'post', `/till/parked/${parked.id}/resume`)
    resumed.assertStatus(200)
    assert.include(resumed.text(), 'Kettle')
    assert.notInclude(resumed.text(), `data-customer-id="${customer.id}"`)
    ;(await till(client, fixture, 'post', '/till/payments').form({ method: 'cash', tendered: '60.00' })).assertStatus(200)
    const sale = await db.from('sales').where('id', parked.id).firstOrFail()
    assert.equal(sale.status, 'completed')
    assert.isNull(sale.customer_id)
    assert.equal(await earned(sale.id), 0)
    assert.equal(await points(customer.id), 54)
  })

  test('a cart given the customer while their erasure ran cannot be paid with their points', async ({ client, assert }) => {
    const { fixture, product, customer } = await customerWithPoints()
    ;(await till(client, fixture, 'post', '/till/items').form({ product_id: product.id })).assertStatus(200)
    await erase(client, fixture, customer.id)
    // Attached by a till that read the customer before the erasure committed, and wrote after it
    await db.from('sales').where({ register_id: fixture.register.id, status: 'open' }).update({ customer_id: customer.id })

    const withPoints = await till(client, fixture, 'post', '/till/payments').form({ method: 'loyalty_points', amount: '0.50' })
    withPoints.assertStatus(409)
    assert.include(withPoints.text(), 'This customer was erased: their points cannot pay')
    assert.equal(await points(customer.id), 54)
    assert.equal(await db.from('payments').join('sales', 'sales.id', 'payments.sale_id').where('sales.register_id', fixture.register.id).where('payments.method', 'loyalty_points').count('* as n').first().then((r) => Number(r.n)), 0)
  })

  test('a sale completed just before the erasure earns nothing when its points are counted after it', async ({ client, assert }) => {
    const { fixture, product, customer } = await customerWithPoints()
    // The sale commits; its 'sale:completed' listener (the earn) runs only once the erasure has committed
    await disablePluginForTest('loyalty-points')
    const { sale } = await new CheckoutService().createSale({ user: fixture.users.cashier, store: fixture.store }, fixture.register.id, {
      customerId: customer.id,
      lines: [{ productId: product.id, quantity: 1 }],
      payment: { method: 'card_external' },
    })
    await erase(client, fixture, customer.id)
    await enablePluginForTest('loyalty-points', { points_per_unit: 1, point_value: 1, min_redeem: 10 })
    await emitter.emit('sale:completed', { saleId: sale.id, storeId: fixture.store.id, registerId: fixture.register.id, number: sale.number!, total: sale.total, customerId: customer.id, productIds: [product.id] })

    assert.equal(await db.from(LEDGER).where('sale_id', sale.id).count('* as n').first().then((r) => Number(r.n)), 0)
    assert.equal(await points(customer.id), 54)
  })
})
