import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { REGISTER_COOKIE } from '#sales/till_screen_service'
import { PINS, apiToken, countRows, createProduct, createStore, errorFields, type TestStore } from '#tests/fixtures'
import { TestDevice } from '#tests/functional/offline/device'

/*
| The store's discount limit (app/sales/discount_limit.ts): a cashier's discounts, line and cart
| together, may take up to it (20% by default) off a sale; past it a manager approves (their PIN
| on the till, their token on the API), and an offline sale past it by a cashier is reviewed.
*/

function till(client: any, fixture: TestStore, url: string, role: 'cashier' | 'manager' = 'cashier', method: 'post' | 'patch' = 'post') {
  return client[method](url).loginAs(fixture.users[role]).withCsrfToken().withCookie(REGISTER_COOKIE, String(fixture.register.id)).header('HX-Request', 'true')
}

async function openCart(fixture: TestStore) {
  const sale = await db.from('sales').where({ register_id: fixture.register.id, status: 'open' }).orderBy('id', 'desc').first()
  const lines = await db.from('sale_items').where('sale_id', sale.id).orderBy('position').select('id', 'quantity', 'discount_type', 'discount_value')
  return { sale, lines }
}

async function approvals(fixture: TestStore) {
  const rows = await db.from('audit_logs').where({ store_id: fixture.store.id, action: 'discount_approved' }).orderBy('id')
  return rows.map((row) => ({ userId: Number(row.user_id), ...JSON.parse(row.data) }))
}

test.group('Discount limit: the till', () => {
  test("a cashier's discount past 20% needs a manager's PIN; the cart keeps the approval up to the share approved", async ({ client, assert }) => {
    const fixture = await createStore()
    const tea = await createProduct(fixture, { price: 1000, taxClass: 'zero' })
    const { cashier, manager } = fixture.users
    ;(await till(client, fixture, '/till/items').form({ product_id: tea.id })).assertStatus(200)
    const lineId = (await openCart(fixture)).lines[0].id
    const discount = (fields: Record<string, string>) => till(client, fixture, `/till/items/${lineId}/discount`).form({ discount_type: 'percent', ...fields })

    ;(await discount({ discount_value: '20' })).assertStatus(200)
    assert.equal((await openCart(fixture)).sale.discount_total, 200)

    const refused = await discount({ discount_value: '30' })
    refused.assertStatus(403)
    assert.include(refused.text(), 'more than 20% of the sale needs a manager')
    assert.include(refused.text(), 'this one comes to 30%')
    assert.equal((await openCart(fixture)).sale.discount_total, 200, 'nothing written')

    // The cashier's own PIN is no manager's; nothing written either
    ;(await discount({ discount_value: '30', pin: PINS.cashier })).assertStatus(422)
    assert.equal((await openCart(fixture)).sale.discount_total, 200)

    ;(await discount({ discount_value: '30', pin: PINS.manager })).assertStatus(200)
    const approved = await openCart(fixture)
    assert.equal(approved.sale.discount_total, 300)
    assert.equal(approved.sale.discount_approved_bp, 3000)
    assert.deepEqual(await approvals(fixture), [{ userId: cashier.id, shareBp: 3000, limitBp: 2000, approvedBy: manager.id }])

    // Up to the share approved, no second PIN; past it, one again
    ;(await discount({ discount_value: '25' })).assertStatus(200)
    ;(await discount({ discount_value: '30' })).assertStatus(200)
    ;(await discount({ discount_value: '31' })).assertStatus(403)
    assert.equal((await openCart(fixture)).sale.discount_total, 300)
    // The line's form offers the PIN field to a cashier only
    const form = await client.get(`/till/items/${lineId}/discount`).loginAs(cashier).withCookie(REGISTER_COOKIE, String(fixture.register.id)).header('HX-Request', 'true')
    assert.include(form.text(), 'aria-label="PIN of a manager, for a discount over 20%"')
  })

  test('line and cart discounts count together; a manager gives any discount unaided; lowering a quantity under a fixed discount is refused too', async ({ client, assert }) => {
    const fixture = await createStore()
    const tea = await createProduct(fixture, { price: 1000, taxClass: 'zero', stock: 50 })
    // A cart discount set before the first scan counts at its percent: 50% of an empty cart was
    // taken, and every scan after it was refused
    ;(await till(client, fixture, '/till/discount').form({ discount_type: 'percent', discount_value: '50' })).assertStatus(403)
    ;(await till(client, fixture, '/till/discount').form({ discount_type: 'percent', discount_value: '10' })).assertStatus(200)
    ;(await till(client, fixture, '/till/items').form({ product_id: tea.id, quantity: 10 })).assertStatus(200)
    ;(await till(client, fixture, '/till/discount').form({ discount_type: 'none' })).assertStatus(200)
    const lineId = (await openCart(fixture)).lines[0].id

    // 15% off the line, then 10% off the cart: 23.5% of the sale, past 20%
    ;(await till(client, fixture, `/till/items/${lineId}/discount`).form({ discount_type: 'percent', discount_value: '15' })).assertStatus(200)
    ;(await till(client, fixture, '/till/discount').form({ discount_type: 'percent', discount_value: '10' })).assertStatus(403)
    ;(await till(client, fixture, '/till/discount').form({ discount_type: 'percent', discount_value: '5' })).assertStatus(200)
    assert.equal((await openCart(fixture)).sale.discount_total, 1500 + 425)

    // $20 off ten items is 20%; the same $20 off one item would be 100%
    ;(await till(client, fixture, '/till/discount').form({ discount_type: 'none' })).assertStatus(200)
    ;(await till(client, fixture, `/till/items/${lineId}/discount`).form({ discount_type: 'amount', discount_value: '20.00' })).assertStatus(200)
    const lowered = await till(client, fixture, `/till/items/${lineId}`, 'cashier', 'patch').form({ quantity: 2 })
    lowered.assertStatus(403)
    // Its form has no PIN field: the message says what the cashier can do
    assert.include(lowered.text(), 'Lower the discount first, or have a manager make this change.')
    assert.equal((await openCart(fixture)).lines[0].quantity, 10, 'the quantity stays')
    // Raising it lowers the share: fine
    ;(await till(client, fixture, `/till/items/${lineId}`, 'cashier', 'patch').form({ quantity: 12 })).assertStatus(200)

    // A manager at the till: no PIN asked, the approval audited in their name
    ;(await till(client, fixture, `/till/items/${lineId}/discount`, 'manager').form({ discount_type: 'percent', discount_value: '100' })).assertStatus(200)
    assert.equal((await openCart(fixture)).sale.total, 0)
    assert.deepEqual((await approvals(fixture)).map((a) => [a.userId, a.approvedBy, a.shareBp]), [[fixture.users.manager.id, fixture.users.manager.id, 10000]])
  })

  test('exactly the limit is within it at any price: each percent discount rounds to the cent on its own', async ({ client, assert }) => {
    const fixture = await createStore()
    // 20% of 12.34 is 2.468, taken as 2.47: 20.016% of the line; three 0.99 lines at 20% take 0.60 of 2.97
    const odd = await createProduct(fixture, { price: 1234, taxClass: 'zero' })
    const cheap = await createProduct(fixture, { price: 99, taxClass: 'zero' })
    await till(client, fixture, '/till/items').form({ product_id: odd.id })
    const lineId = (await openCart(fixture)).lines[0].id
    ;(await till(client, fixture, `/till/items/${lineId}/discount`).form({ discount_type: 'percent', discount_value: '20' })).assertStatus(200)
    assert.equal((await openCart(fixture)).sale.discount_total, 247)
    ;(await till(client, fixture, `/till/items/${lineId}/discount`).form({ discount_type: 'percent', discount_value: '20.1' })).assertStatus(403)
    ;(await till(client, fixture, `/till/items/${lineId}/discount`).form({ discount_type: 'amount', discount_value: '2.48' })).assertStatus(403)
    assert.equal((await openCart(fixture)).sale.discount_total, 247)
    await till(client, fixture, '/till/void').form({})

    const token = await apiToken(client, fixture.users.cashier)
    const three = [0, 1, 2].map(() => ({ product_id: cheap.id, quantity: 1, discount_percent: 20 }))
    const sale = await client.post('/api/sales').bearerToken(token).json({ items: three })
    sale.assertStatus(201)
    assert.equal(sale.body().discount_total, 60)
  })

  test("an admin sets the store's limit on the Stores page; a bad value is a 4xx on its field", async ({ client, assert }) => {
    const fixture = await createStore()
    const tea = await createProduct(fixture, { price: 1000, taxClass: 'zero' })
    const form = { name: fixture.store.name, currency: 'USD', time_zone: 'America/New_York', cash_rounding: '1' }
    const edit = `/backoffice/stores/${fixture.store.id}/edit`
    const put = (limit: string) => client.put(`/backoffice/stores/${fixture.store.id}`).loginAs(fixture.users.admin).withCsrfToken().header('referer', edit).form({ ...form, discount_limit: limit }).redirects(0)

    const bad = await put('101')
    bad.assertStatus(302)
    assert.property(bad.flashMessage('inputErrorsBag'), 'discount_limit')
    ;(await put('12.5')).assertStatus(302)
    assert.equal((await db.from('stores').where('id', fixture.store.id).first()).discount_limit, 1250)
    const page = await client.get(edit).loginAs(fixture.users.admin)
    assert.include(page.text(), 'name="discount_limit"')
    assert.match(page.text(), /name="discount_limit"[^>]*value="12.5"|value="12.5"[^>]*name="discount_limit"/)

    await till(client, fixture, '/till/items').form({ product_id: tea.id })
    ;(await till(client, fixture, '/till/discount').form({ discount_type: 'percent', discount_value: '13' })).assertStatus(403)
    ;(await till(client, fixture, '/till/discount').form({ discount_type: 'percent', discount_value: '12.5' })).assertStatus(200)
  })
})

test.group('Discount limit: the API and offline sales', () => {
  test("a cashier's token may not discount past the limit (403 on the line's field, nothing written); a manager's may", async ({ client, assert }) => {
    const fixture = await createStore()
    const tea = await createProduct(fixture, { price: 1000, taxClass: 'zero', stock: 10 })
    const cashier = await apiToken(client, fixture.users.cashier)
    const manager = await apiToken(client, fixture.users.manager)
    const sale = (token: string, items: Record<string, unknown>[]) => client.post('/api/sales').bearerToken(token).json({ items, payment_method: 'cash' })
    const before = await countRows('sales', { store_id: fixture.store.id })

    const over = await sale(cashier, [{ product_id: tea.id, quantity: 1 }, { product_id: tea.id, quantity: 1, discount_percent: 50 }])
    over.assertStatus(403)
    assert.deepEqual(errorFields(over), ['items.1.discount_percent'])
    assert.equal(over.body().errors[0].code, 'manager_required')
    // 25% of one line of two is 12.5% of the sale: within the limit
    ;(await sale(cashier, [{ product_id: tea.id, quantity: 1 }, { product_id: tea.id, quantity: 1, discount: 250 }])).assertStatus(201)
    assert.equal(await countRows('sales', { store_id: fixture.store.id }), before + 1)
    ;(await sale(manager, [{ product_id: tea.id, quantity: 1, discount_percent: 50 }])).assertStatus(201)
  })

  test("a cashier's offline sale past the limit is recorded and listed for review; a manager's is not", async ({ client, assert }) => {
    const fixture = await createStore()
    const tea = await createProduct(fixture, { price: 1000, taxClass: 'zero', stock: 10 })
    const device = new TestDevice(fixture)
    ;(await device.takeLease(client)).assertStatus(200)
    const theirs = await device.sell([{ product: tea, quantity: 1, discount: { type: 'percent', value: 5000 } }])
    const [recorded] = (await device.as(client, 'post', '/till/offline/sales').json({ sales: [theirs] })).body().results
    assert.equal(recorded.outcome, 'recorded', JSON.stringify(recorded))
    assert.include(recorded.reviews, 'discount_over_limit')
    const review = await db.from('offline_reviews').where({ client_uuid: theirs.client_uuid, kind: 'discount_over_limit' }).first()
    assert.include(review.message, 'at 50% off, past the store\'s limit of 20%')
    const list = await client.get('/backoffice/offline').loginAs(fixture.users.manager)
    assert.include(list.text(), 'Discount past the cashier limit')

    // Exactly the limit, at a price where 20% rounds up a cent: no review
    const odd = await createProduct(fixture, { price: 1234, taxClass: 'zero', stock: 10 })
    const exact = await device.sell([{ product: odd, quantity: 1, discount: { type: 'percent', value: 2000 } }])
    const [within] = (await device.as(client, 'post', '/till/offline/sales').json({ sales: [exact] })).body().results
    assert.equal(within.outcome, 'recorded', JSON.stringify(within))
    assert.notInclude(within.reviews, 'discount_over_limit')

    // The settings the offline till keeps carry the limit it applies to a cashier
    const settings = await device.as(client, 'get', '/till/offline/settings')
    assert.equal(settings.body().store.discount_limit, 2000)

    // The same till synced by a manager signed in to it, with the manager's own sale
    const managers = await device.sell([{ product: tea, quantity: 1, discount: { type: 'percent', value: 5000 } }], { seller: fixture.users.manager })
    const [own] = (await device.as(client, 'post', '/till/offline/sales', fixture.users.manager).json({ sales: [managers] })).body().results
    assert.equal(own.outcome, 'recorded', JSON.stringify(own))
    assert.notInclude(own.reviews, 'discount_over_limit')
  })
})
