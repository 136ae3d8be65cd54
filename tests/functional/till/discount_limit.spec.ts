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

function till(client: any, fixture: TestStore, url: string, role: 'cashier' | 'manager' = 'cashier', method: 'post' | 'patch' | 'delete' = 'post') {
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
    assert.equal(approved.sale.discount_approved_amount, 300)
    assert.deepEqual(await approvals(fixture), [{ userId: cashier.id, shareBp: 3000, amount: 300, limitBp: 2000, approvedBy: manager.id }])

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
    assert.include(lowered.text(), 'this one comes to 100%')
    assert.equal((await openCart(fixture)).lines[0].quantity, 10, 'the quantity stays')
    // The refusal carries a PIN field that sends the same quantity again (the line has no room for one)
    assert.include(lowered.text(), `hx-patch="/till/items/${lineId}"`)
    assert.include(lowered.text(), 'name="quantity" value="2"')
    assert.include(lowered.text(), 'Approve quantity 2</button>')
    assert.include(lowered.text(), 'aria-label="PIN of a manager, to approve this change"')
    // The cashier's own PIN is no manager's: said with the PIN field again, nothing written
    const own = await till(client, fixture, `/till/items/${lineId}`, 'cashier', 'patch').form({ quantity: 2, pin: PINS.cashier })
    own.assertStatus(422)
    assert.include(own.text(), 'That is not a manager')
    assert.include(own.text(), 'aria-label="PIN of a manager, to approve this change"')
    assert.equal((await openCart(fixture)).lines[0].quantity, 10)
    ;(await till(client, fixture, `/till/items/${lineId}`, 'cashier', 'patch').form({ quantity: 2, pin: PINS.manager })).assertStatus(200)
    assert.equal((await openCart(fixture)).lines[0].quantity, 2)
    // Raising it lowers the share: fine
    ;(await till(client, fixture, `/till/items/${lineId}`, 'cashier', 'patch').form({ quantity: 12 })).assertStatus(200)

    // A manager at the till: no PIN asked, the approval audited in their name
    ;(await till(client, fixture, `/till/items/${lineId}/discount`, 'manager').form({ discount_type: 'percent', discount_value: '100' })).assertStatus(200)
    assert.equal((await openCart(fixture)).sale.total, 0)
    const { cashier, manager } = fixture.users
    assert.deepEqual((await approvals(fixture)).map((a) => [a.userId, a.approvedBy, a.shareBp, a.amount]), [[cashier.id, manager.id, 10000, 2000], [manager.id, manager.id, 10000, 12000]])
  })

  test("a manager's approval binds the amount too: more goods at the approved share need a PIN again", async ({ client, assert }) => {
    const fixture = await createStore()
    const pen = await createProduct(fixture, { price: 200, taxClass: 'zero' })
    const radio = await createProduct(fixture, { price: 50_000, taxClass: 'zero' })
    const { cashier, manager } = fixture.users
    const cartDiscount = (percent: string, pin?: string) => till(client, fixture, '/till/discount').form({ discount_type: 'percent', discount_value: percent, ...(pin ? { pin } : {}) })
    ;(await till(client, fixture, '/till/items').form({ product_id: pen.id })).assertStatus(200)
    ;(await cartDiscount('50', PINS.manager)).assertStatus(200)
    assert.deepInclude((await openCart(fixture)).sale, { discount_total: 100, discount_approved_bp: 5000, discount_approved_amount: 100 })

    // $500 more at the same 50%: the share approved, not the amount (it was $1 off)
    const more = await till(client, fixture, '/till/items').form({ product_id: radio.id })
    more.assertStatus(403)
    assert.include(more.text(), 'this one comes to 50%, more than the amount a manager approved on this sale')
    assert.lengthOf((await openCart(fixture)).lines, 1, 'nothing written')
    // Within the limit again, the goods go in; back to the approved share is a new approval
    ;(await cartDiscount('10')).assertStatus(200)
    ;(await till(client, fixture, '/till/items').form({ product_id: radio.id })).assertStatus(200)
    ;(await cartDiscount('50')).assertStatus(403)
    assert.equal((await openCart(fixture)).sale.discount_total, 5020)
    ;(await cartDiscount('50', PINS.manager)).assertStatus(200)
    assert.deepInclude((await openCart(fixture)).sale, { discount_total: 25_100, discount_approved_bp: 5000, discount_approved_amount: 25_100 })
    assert.deepEqual((await approvals(fixture)).map((a) => [a.userId, a.approvedBy, a.shareBp, a.amount]), [[cashier.id, manager.id, 5000, 100], [cashier.id, manager.id, 5000, 25_100]])
    // Within both, no PIN; lowering is always allowed
    ;(await cartDiscount('40')).assertStatus(200)
    ;(await cartDiscount('50')).assertStatus(200)
  })

  test("scanning more goods under a manager's approval: a manager's PIN on the spot re-sends the scan; a wrong one is said at the field; a manager scans unaided", async ({ client, assert }) => {
    const fixture = await createStore()
    await db.from('stores').where('id', fixture.store.id).update({ discount_limit: 1000 })
    await createProduct(fixture, { name: 'Pen', price: 1000, taxClass: 'zero', barcode: '5000112637922' })
    const tea = await createProduct(fixture, { name: 'Green Tea', price: 1000, taxClass: 'zero', barcode: '4006381333931', stock: 20 })
    const { cashier, manager } = fixture.users
    const scan = (fields: Record<string, string>, role: 'cashier' | 'manager' = 'cashier') => till(client, fixture, '/till/scan', role).form(fields)
    ;(await scan({ code: '5000112637922' })).assertStatus(200)
    ;(await till(client, fixture, '/till/discount').form({ discount_type: 'percent', discount_value: '15', pin: PINS.manager })).assertStatus(200)
    assert.deepInclude((await openCart(fixture)).sale, { discount_total: 150, discount_approved_bp: 1500, discount_approved_amount: 150 })

    // One more item at the approved 15% is $1.50 more off than approved: refused, with a PIN
    // field that sends the same scan again in a POST's body
    const refused = await scan({ code: '4006381333931' })
    refused.assertStatus(403)
    assert.include(refused.text(), 'more than the amount a manager approved on this sale')
    assert.include(refused.text(), 'Enter a manager\u2019s PIN, or lower the discount.')
    assert.include(refused.text(), 'hx-post="/till/scan"')
    assert.include(refused.text(), 'name="code" value="4006381333931"')
    assert.include(refused.text(), 'Approve adding Green Tea</button>')
    assert.include(refused.text(), 'aria-label="PIN of a manager, to approve this change"')
    assert.lengthOf((await openCart(fixture)).lines, 1, 'nothing written')

    // The cashier's own PIN: said at the PIN field, the field offered again, nothing written
    const own = await scan({ code: '4006381333931', pin: PINS.cashier })
    own.assertStatus(422)
    assert.match(own.text(), /aria-invalid="true" aria-describedby="change-approval-pin-error"/)
    assert.match(own.text(), /id="change-approval-pin-error" role="alert">That is not a manager/)
    assert.include(own.text(), 'name="code" value="4006381333931"')
    assert.lengthOf((await openCart(fixture)).lines, 1)

    ;(await scan({ code: '4006381333931', pin: PINS.manager })).assertStatus(200)
    const approved = await openCart(fixture)
    assert.lengthOf(approved.lines, 2)
    assert.deepInclude(approved.sale, { discount_total: 300, discount_approved_bp: 1500, discount_approved_amount: 300 })

    // A product from the matches or the grid: the same, re-sent with its id and quantity
    const added = await till(client, fixture, '/till/items').form({ product_id: tea.id })
    added.assertStatus(403)
    assert.include(added.text(), 'hx-post="/till/items"')
    assert.include(added.text(), `name="product_id" value="${tea.id}"`)
    assert.include(added.text(), 'name="quantity" value="1"')
    assert.include(added.text(), 'Approve adding Green Tea</button>')
    ;(await till(client, fixture, '/till/items').form({ product_id: tea.id, quantity: 1, pin: PINS.manager })).assertStatus(200)
    assert.deepInclude((await openCart(fixture)).sale, { discount_total: 450, discount_approved_amount: 450 })

    // A manager's own scan: no PIN asked, the approval audited in their name
    const managers = await scan({ code: '5000112637922' }, 'manager')
    managers.assertStatus(200)
    assert.notInclude(managers.text(), 'PIN of a manager, to approve this change')
    assert.deepInclude((await openCart(fixture)).sale, { discount_total: 600, discount_approved_amount: 600 })
    assert.deepEqual((await approvals(fixture)).map((a) => [a.userId, a.approvedBy, a.shareBp, a.amount]), [
      [cashier.id, manager.id, 1500, 150],
      [cashier.id, manager.id, 1500, 300],
      [cashier.id, manager.id, 1500, 450],
      [manager.id, manager.id, 1500, 600],
    ])
  })

  test("removing a line that takes the discounts past the limit: a manager's PIN on the spot; a manager's own removal needs none", async ({ client, assert }) => {
    const fixture = await createStore()
    const tea = await createProduct(fixture, { price: 1000, taxClass: 'zero' })
    const mug = await createProduct(fixture, { price: 1000, taxClass: 'zero' })
    const cup = await createProduct(fixture, { price: 1000, taxClass: 'zero' })
    for (const product of [tea, mug, cup]) await till(client, fixture, '/till/items').form({ product_id: product.id })
    const [teaLine, mugLine, cupLine] = (await openCart(fixture)).lines.map((line) => line.id)
    // 40% off the tea is 13.3% of the sale; without the mug it is 20%, without the cup too 40%
    ;(await till(client, fixture, `/till/items/${teaLine}/discount`).form({ discount_type: 'percent', discount_value: '40' })).assertStatus(200)
    ;(await till(client, fixture, `/till/items/${mugLine}`, 'cashier', 'delete')).assertStatus(200)
    const removal = await till(client, fixture, `/till/items/${cupLine}`, 'cashier', 'delete')
    removal.assertStatus(403)
    // Sent again as quantity 0: the PIN in a PATCH's body, never in a DELETE's address (logged)
    assert.include(removal.text(), `hx-patch="/till/items/${cupLine}"`)
    assert.include(removal.text(), 'name="quantity" value="0"')
    assert.include(removal.text(), 'Approve removal</button>')
    assert.include(removal.text(), 'aria-label="PIN of a manager, to approve this change"')
    assert.lengthOf((await openCart(fixture)).lines, 2)
    ;(await till(client, fixture, `/till/items/${cupLine}`, 'cashier', 'delete').qs({ pin: PINS.manager })).assertStatus(403)
    ;(await till(client, fixture, `/till/items/${cupLine}`, 'cashier', 'patch').form({ quantity: 0, pin: PINS.manager })).assertStatus(200)
    assert.deepInclude((await openCart(fixture)).sale, { discount_total: 400, discount_approved_bp: 4000, discount_approved_amount: 400 })

    // A manager's own removal: no PIN, no PIN field
    await till(client, fixture, '/till/items').form({ product_id: mug.id })
    const mugAgain = (await openCart(fixture)).lines[1].id
    ;(await till(client, fixture, `/till/items/${teaLine}/discount`, 'manager').form({ discount_type: 'percent', discount_value: '90' })).assertStatus(200)
    ;(await till(client, fixture, `/till/items/${mugAgain}`, 'manager', 'delete')).assertStatus(200)
    assert.lengthOf((await openCart(fixture)).lines, 1)
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
    assert.include(review.message, 'at 50% off, past the cashier limit of 20%')
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
