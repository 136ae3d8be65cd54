import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import CustomerPrivacyService from '#customers/customer_privacy_service'
import { apiToken, cashIntoDrawer, createProduct, createStore, type TestStore } from '#tests/fixtures'
import { enablePluginForTest, disablePluginForTest } from '#tests/plugins'
import { createCustomer } from '#tests/functional/customers/helpers'
import { returnsFootprint } from '#tests/functional/returns/helpers'
import { REGISTER_COOKIE } from '#sales/till_screen_service'

/*
| A refund of a sale whose customer was erased: the part paid in points went back onto the erased
| account (no one can spend it), and a manager's refund "to points" moved the money there. Now
| that part is paid in cash from the drawer, and a refund to points is refused on its field.
*/

const LEDGER = 'loyalty_points_ledger'

async function earned(saleId: number) {
  for (let i = 0; i < 100; i++) {
    const row = await db.from(LEDGER).where({ sale_id: saleId, reason: 'earn' }).first()
    if (row) return Number(row.points)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  return 0
}

async function givenBack(saleId: number) {
  return Number((await db.from(LEDGER).where({ sale_id: saleId, reason: 'give_back' }).count('* as n').first()).n)
}

/** The loyalty program on; a customer who earned 54 points on a $54.00 card sale */
async function setup(client: any) {
  await enablePluginForTest('loyalty-points', { points_per_unit: 1, point_value: 1, min_redeem: 10 })
  const fixture = await createStore()
  // Cash goes back only from what the drawer holds
  await cashIntoDrawer(fixture, 50_000)
  const product = await createProduct(fixture, { price: 5000, stock: 100 })
  const customer = await createCustomer(fixture, { name: 'Alan Turing' })
  const cashier = await apiToken(client, fixture.users.cashier)
  const manager = await apiToken(client, fixture.users.manager)
  const first = await client.post('/api/sales').bearerToken(cashier).json({ items: [{ product_id: product.id, quantity: 1 }], payment_method: 'card_external', customer_id: customer.id })
  first.assertStatus(201)
  if ((await earned(first.body().id)) !== 54) throw new Error('the first sale did not earn its points')
  return { fixture, product, customer, cashier, manager, first: first.body() }
}

/** An open API sale for the customer, $0.50 of it paid with their points */
async function partlyInPoints(client: any, cashier: string, productId: number, customerId: number) {
  const open = await client.post('/api/sales').bearerToken(cashier).json({ items: [{ product_id: productId, quantity: 1 }], customer_id: customerId })
  open.assertStatus(201)
  ;(await client.post('/api/payments').bearerToken(cashier).json({ sale_id: open.body().id, method: 'loyalty_points', amount: 50 })).assertStatus(201)
  return open.body()
}

async function payRest(client: any, cashier: string, saleId: number) {
  ;(await client.post('/api/payments').bearerToken(cashier).json({ sale_id: saleId, method: 'card_external', amount: 5400 - 50 })).assertStatus(201)
  return (await client.get(`/api/sales/${saleId}`).bearerToken(cashier)).body()
}

function refund(client: any, token: string, sale: any, extra: Record<string, unknown> = {}) {
  return client.post(`/api/sales/${sale.id}/refunds`).bearerToken(token).json({ items: [{ sale_item_id: sale.items[0].id, quantity: 1 }], reason: 'Changed mind', ...extra })
}

const erase = (fixture: TestStore, customerId: number) => new CustomerPrivacyService().erase(fixture.store, customerId, { user: fixture.users.admin })

test.group('Returns: points of an erased customer', (group) => {
  group.each.teardown(async () => disablePluginForTest('loyalty-points'))

  test('a refund to the original tenders pays the part in points back in cash once the customer is erased', async ({ client, assert }) => {
    const { fixture, product, customer, cashier, manager } = await setup(client)
    const open = await partlyInPoints(client, cashier, product.id, customer.id)
    const sale = await payRest(client, cashier, open.id)
    assert.equal(sale.customer_id, customer.id)
    await erase(fixture, customer.id)

    const response = await refund(client, manager, sale)
    response.assertStatus(201)
    assert.sameDeepMembers(response.body().payments, [{ method: 'card_external', amount: 5350 }, { method: 'cash', amount: 50 }])
    const rows = await db.from('refund_payments').where('refund_id', response.body().id).select('method', 'amount')
    assert.sameDeepMembers(rows.map((r) => [r.method, Number(r.amount)]), [['card_external', 5350], ['cash', 50]])
    assert.equal(await givenBack(sale.id), 0)
  })

  test('a sale paid in part with points before its customer was erased at the till gives those points back in cash', async ({ client, assert }) => {
    const { fixture, product, customer, cashier, manager } = await setup(client)
    const open = await partlyInPoints(client, cashier, product.id, customer.id)
    // Erased while the sale was still open: it goes on without them
    await erase(fixture, customer.id)
    const sale = await payRest(client, cashier, open.id)
    assert.isNull(sale.customer_id)

    const response = await refund(client, manager, sale)
    response.assertStatus(201)
    assert.sameDeepMembers(response.body().payments, [{ method: 'card_external', amount: 5350 }, { method: 'cash', amount: 50 }])
    assert.equal(await givenBack(sale.id), 0)
  })

  test('a refund to points for an erased customer is refused on its field, and the till no longer offers it', async ({ client, assert }) => {
    const { fixture, customer, manager, first } = await setup(client)
    const page = () => client.get(`/till/returns/${first.id}`).loginAs(fixture.users.manager).withCookie(REGISTER_COOKIE, String(fixture.register.id))
    assert.include((await page()).text(), '<option value="loyalty_points">')
    await erase(fixture, customer.id)
    const before = await returnsFootprint(fixture)
    const pointsBefore = Number((await db.from(LEDGER).where('customer_id', customer.id).sum('points as total').first()).total)

    const response = await refund(client, manager, first, { method: 'loyalty_points' })
    response.assertStatus(422)
    assert.deepInclude(response.body().errors[0], { code: 'customer_erased', field: 'method' })
    assert.include(response.body().errors[0].message, 'choose cash or the card terminal')
    assert.deepEqual(await returnsFootprint(fixture), before)
    assert.equal(Number((await db.from(LEDGER).where('customer_id', customer.id).sum('points as total').first()).total), pointsBefore)

    const shown = await page()
    shown.assertStatus(200)
    assert.notInclude(shown.text(), '<option value="loyalty_points">')
    // cash still goes
    ;(await refund(client, manager, first, { method: 'cash' })).assertStatus(201)
  })
})

test.group('Voids: points of an erased customer', (group) => {
  group.each.teardown(async () => disablePluginForTest('loyalty-points'))

  test('a void of a sale paid in part with points is refused once its customer is erased (or was erased while it was open): it is refunded, the points part in cash', async ({ client, assert }) => {
    const { fixture, product, customer, cashier, manager } = await setup(client)
    const erasedSince = await payRest(client, cashier, (await partlyInPoints(client, cashier, product.id, customer.id)).id)
    const erasedWhileOpen = await partlyInPoints(client, cashier, product.id, customer.id)
    await erase(fixture, customer.id)
    const whileOpen = await payRest(client, cashier, erasedWhileOpen.id)
    assert.isNull(whileOpen.customer_id)
    const points = async () => Number((await db.from(LEDGER).where('customer_id', customer.id).sum('points as total').first()).total)
    const pointsBefore = await points()
    const before = await returnsFootprint(fixture)

    for (const sale of [erasedSince, whileOpen]) {
      const voided = await client.post(`/api/sales/${sale.id}/void`).bearerToken(manager).json({ reason: 'Rung up twice' })
      voided.assertStatus(409)
      assert.equal(voided.body().errors[0].code, 'customer_erased')
      assert.include(voided.body().errors[0].message, 'refund it instead')
      assert.equal((await db.from('sales').where('id', sale.id).first()).status, 'completed')
    }
    assert.deepEqual(await returnsFootprint(fixture), before)
    assert.equal(await points(), pointsBefore, 'nothing went back onto the erased account')
    assert.equal(await db.from(LEDGER).where('reason', 'void').whereIn('sale_id', [erasedSince.id, whileOpen.id]).count('* as n').first().then((r: any) => Number(r.n)), 0)

    const refunded = await refund(client, manager, erasedSince)
    refunded.assertStatus(201)
    assert.sameDeepMembers(refunded.body().payments, [{ method: 'card_external', amount: 5350 }, { method: 'cash', amount: 50 }])
  })

  test('a void of a sale not paid with points still goes through for an erased customer; one of a customer not erased gives the points back', async ({ client, assert }) => {
    const { fixture, product, customer, cashier, manager, first } = await setup(client)
    const inPoints = await payRest(client, cashier, (await partlyInPoints(client, cashier, product.id, customer.id)).id)
    ;(await client.post(`/api/sales/${inPoints.id}/void`).bearerToken(manager).json({ reason: 'Rung up twice' })).assertStatus(200)
    const net = Number((await db.from(LEDGER).where('sale_id', inPoints.id).sum('points as total').first()).total)
    assert.equal(net, 0, 'the points it spent and earned are undone')

    await erase(fixture, customer.id)
    ;(await client.post(`/api/sales/${first.id}/void`).bearerToken(manager).json({ reason: 'Rung up twice' })).assertStatus(200)
  })
})
