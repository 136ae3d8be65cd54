import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { apiToken, cashIntoDrawer, countRows, createProduct, createStore, PINS, type TestStore } from '#tests/fixtures'
import { REGISTER_COOKIE } from '#sales/till_screen_service'
import { completedSale, returnsFootprint } from './helpers.js'

/*
| Where a refund's cash comes from and which Z report counts it: the drawer of the shift open on
| its register (never more than it holds, never with no shift open), in the store's smallest coin;
| a till takes payment only in an open shift; an exchange does not turn card money into cash.
*/

const refund = (client: any, token: string, saleId: number, body: object) => client.post(`/api/sales/${saleId}/refunds`).bearerToken(token).json({ reason: 'Back', ...body })
const report = async (client: any, token: string, shiftId: number) => (await client.get(`/api/shifts/${shiftId}/report`).bearerToken(token)).body()
const openShiftOf = (fixture: TestStore) => db.from('shifts').where({ register_id: fixture.register.id, status: 'open' }).firstOrFail()

test.group('Refunds: the drawer, the shift and the coin', () => {
  test('cash back is refused beyond what the drawer holds, and without an open shift; nothing is written', async ({ client, assert }) => {
    const fixture = await createStore()
    const coat = await createProduct(fixture, { price: 10_000, stock: 5 })
    const cashier = await apiToken(client, fixture.users.cashier)
    const manager = await apiToken(client, fixture.users.manager)
    // Sold by card: the drawer (float 0) holds nothing; the manager refunds to cash
    const sale = await completedSale(client, cashier, [{ product_id: coat.id, quantity: 1 }], 'card_external')
    const before = await returnsFootprint(fixture)
    const short = await refund(client, manager, sale.id, { items: [{ sale_item_id: sale.items[0].id, quantity: 1 }], method: 'cash' })
    short.assertStatus(409)
    assert.deepInclude(short.body().errors[0], { code: 'not_enough_cash', field: 'method' })
    assert.include(short.body().errors[0].message, 'The drawer should hold only $0.00')
    assert.deepEqual(await returnsFootprint(fixture), before)

    await cashIntoDrawer(fixture, 20_000)
    const paid = await refund(client, manager, sale.id, { items: [{ sale_item_id: sale.items[0].id, quantity: 1 }], method: 'cash' })
    paid.assertStatus(201)
    const shift = await openShiftOf(fixture)
    assert.equal((await db.from('refunds').where('id', paid.body().id).firstOrFail()).shift_id, shift.id)
    assert.equal((await report(client, manager, shift.id)).cash.expected, 20_000 - 10_800)

    // With the shift closed, cash goes back from no drawer; a card refund needs none
    ;(await client.post(`/api/shifts/${shift.id}/close`).bearerToken(manager).json({ counts: { '1000': 1 } })).assertStatus(200)
    const second = await completedSale(client, cashier, [{ product_id: coat.id, quantity: 2 }], 'card_external')
    const noShift = await refund(client, manager, second.id, { items: [{ sale_item_id: second.items[0].id, quantity: 1 }], method: 'cash' })
    noShift.assertStatus(409)
    assert.deepInclude(noShift.body().errors[0], { code: 'no_open_shift', field: 'method' })
    const byCard = await refund(client, cashier, second.id, { items: [{ sale_item_id: second.items[0].id, quantity: 1 }] })
    byCard.assertStatus(201)
    assert.isNull((await db.from('refunds').where('id', byCard.body().id).firstOrFail()).shift_id)
  })

  test('a refund counts in the shift open when it was made, not also in the next one opened in the same second', async ({ client, assert }) => {
    const fixture = await createStore()
    const mug = await createProduct(fixture, { price: 1000, stock: 5 })
    const cashier = await apiToken(client, fixture.users.cashier)
    const sale = await completedSale(client, cashier, [{ product_id: mug.id, quantity: 2 }])
    const made = await refund(client, cashier, sale.id, { items: [{ sale_item_id: sale.items[0].id, quantity: 1 }] })
    made.assertStatus(201)
    const first = await openShiftOf(fixture)
    ;(await client.post(`/api/shifts/${first.id}/close`).bearerToken(cashier).json({ counts: { '1000': 1 } })).assertStatus(200)
    const opened = await client.post('/api/shifts').bearerToken(cashier).json({ register_id: fixture.register.id, float: 0 })
    opened.assertStatus(201)
    // The refund, the close and the open in one second
    const second = await openShiftOf(fixture)
    const closed = await db.from('shifts').where('id', first.id).firstOrFail()
    await db.from('shifts').where('id', second.id).update({ opened_at: closed.closed_at })
    await db.from('refunds').where('id', made.body().id).update({ created_at: closed.closed_at })

    const z = await report(client, cashier, first.id)
    const x = await report(client, cashier, second.id)
    assert.deepEqual([z.refunds.count, z.refunds.cash], [1, 1080])
    // Before: counted here too, and the new drawer's expected cash was $10.80 short
    assert.deepEqual([x.refunds.count, x.refunds.cash, x.cash.expected], [0, 0, 0])
  })

  test('cash back in the smallest coin: three units refunded one by one give back exactly what was paid', async ({ client, assert }) => {
    const fixture = await createStore({ cashRounding: 5, taxPpm: 0 })
    const pen = await createProduct(fixture, { price: 112, stock: 10 })
    const cashier = await apiToken(client, fixture.users.cashier)
    const sale = await completedSale(client, cashier, [{ product_id: pen.id, quantity: 3 }])
    assert.equal(sale.paid_total ?? sale.payments.reduce((sum: number, p: any) => sum + p.amount, 0), 335)
    const paidBack: number[] = []
    for (let i = 0; i < 3; i++) {
      const made = await refund(client, cashier, sale.id, { items: [{ sale_item_id: sale.items[0].id, quantity: 1 }] })
      made.assertStatus(201)
      paidBack.push(made.body().payments[0].amount)
    }
    // Before: $1.12, $1.12, $1.11, which a drawer without pennies cannot pay
    assert.deepEqual(paidBack, [110, 110, 115])
  })

  test('a cash share that rounds to no coin pays nothing now, and the last refund pays what is left', async ({ client, assert }) => {
    const fixture = await createStore({ cashRounding: 5, taxPpm: 0 })
    const clip = await createProduct(fixture, { price: 2, stock: 10 })
    const cashier = await apiToken(client, fixture.users.cashier)
    const sale = await completedSale(client, cashier, [{ product_id: clip.id, quantity: 2 }])
    // 4 cents of goods, 5 paid in cash; the first clip's 2 cents round to no coin (it was a 500)
    const first = await refund(client, cashier, sale.id, { items: [{ sale_item_id: sale.items[0].id, quantity: 1 }] })
    first.assertStatus(201)
    assert.deepEqual([first.body().total, first.body().payments], [0, []])
    const last = await refund(client, cashier, sale.id, { items: [{ sale_item_id: sale.items[0].id, quantity: 1 }] })
    last.assertStatus(201)
    assert.deepEqual(last.body().payments, [{ method: 'cash', amount: 5 }])
  })

  test('two cash refunds at once from a drawer that holds one of them: one is paid, the other refused', async ({ client, assert }) => {
    const fixture = await createStore()
    const coat = await createProduct(fixture, { price: 4000, stock: 5, taxClass: 'zero' })
    const cashier = await apiToken(client, fixture.users.cashier)
    const manager = await apiToken(client, fixture.users.manager)
    const sales = [
      await completedSale(client, cashier, [{ product_id: coat.id, quantity: 1 }], 'card_external'),
      await completedSale(client, cashier, [{ product_id: coat.id, quantity: 1 }], 'card_external'),
    ]
    await cashIntoDrawer(fixture, 5000)
    // Each saw $50.00 in the drawer on MariaDB (a snapshot taken before the other committed)
    const answers = await Promise.all(sales.map((sale) => refund(client, manager, sale.id, { items: [{ sale_item_id: sale.items[0].id, quantity: 1 }], method: 'cash' })))
    assert.sameMembers(answers.map((a) => a.status()), [201, 409])
    assert.equal((await report(client, manager, (await openShiftOf(fixture)).id)).cash.expected, 1000)
  })

  test('the cash for goods exchanged from a card sale needs a manager; from a cash sale it does not', async ({ client, assert }) => {
    const fixture = await createStore()
    const shirt = await createProduct(fixture, { price: 1000, stock: 10 })
    const tie = await createProduct(fixture, { price: 1000, stock: 10 })
    const cashier = await apiToken(client, fixture.users.cashier)
    await cashIntoDrawer(fixture, 10_000)
    const exchanged = async (method: string) => {
      const sale = await completedSale(client, cashier, [{ product_id: shirt.id, quantity: 1 }], method)
      const made = await client.post(`/api/sales/${sale.id}/exchanges`).bearerToken(cashier).json({ return_items: [{ sale_item_id: sale.items[0].id, quantity: 1 }], items: [{ product_id: tie.id, quantity: 1 }], reason: 'Swap' })
      made.assertStatus(201)
      return made.body().sale
    }
    const fromCard = await exchanged('card_external')
    const refused = await refund(client, cashier, fromCard.id, { items: [{ sale_item_id: fromCard.items[0].id, quantity: 1 }] })
    refused.assertStatus(403)
    assert.deepInclude(refused.body().errors[0], { code: 'manager_required', field: 'manager_pin' })
    const approved = await refund(client, cashier, fromCard.id, { items: [{ sale_item_id: fromCard.items[0].id, quantity: 1 }], manager_pin: PINS.manager })
    approved.assertStatus(201)
    assert.equal(approved.body().approved_by, fixture.users.manager.id)

    const fromCash = await exchanged('cash')
    const plain = await refund(client, cashier, fromCash.id, { items: [{ sale_item_id: fromCash.items[0].id, quantity: 1 }] })
    plain.assertStatus(201)
    assert.deepEqual(plain.body().payments, [{ method: 'cash', amount: 1080 }])
    assert.isNull(plain.body().approved_by)
  })

  test('a sale paid with exchanged goods is not voided (the customer would have neither goods nor credit)', async ({ client, assert }) => {
    const fixture = await createStore()
    const shirt = await createProduct(fixture, { price: 1000, stock: 10 })
    const cashier = await apiToken(client, fixture.users.cashier)
    const manager = await apiToken(client, fixture.users.manager)
    const sale = await completedSale(client, cashier, [{ product_id: shirt.id, quantity: 1 }])
    const made = await client.post(`/api/sales/${sale.id}/exchanges`).bearerToken(cashier).json({ return_items: [{ sale_item_id: sale.items[0].id, quantity: 1 }], items: [{ product_id: shirt.id, quantity: 1 }], reason: 'Other size' })
    made.assertStatus(201)
    const voided = await client.post(`/api/sales/${made.body().sale.id}/void`).bearerToken(manager).json({ reason: 'Mistake' })
    voided.assertStatus(409)
    assert.equal(voided.body().errors[0].code, 'exchange_sale')
    assert.equal(await countRows('sales', { store_id: fixture.store.id, status: 'voided' }), 0)
  })

  test('a till cart whose shift was closed is not paid into no shift', async ({ client, assert }) => {
    const fixture = await createStore()
    const mug = await createProduct(fixture, { price: 1000, stock: 5 })
    const till = (url: string) => client.post(url).loginAs(fixture.users.cashier).withCsrfToken().withCookie(REGISTER_COOKIE, String(fixture.register.id)).header('HX-Request', 'true')
    ;(await till('/till/items').form({ product_id: mug.id })).assertStatus(200)
    const shift = await openShiftOf(fixture)
    ;(await client.post(`/api/shifts/${shift.id}/close`).bearerToken(await apiToken(client, fixture.users.manager)).json({ counts: { '1000': 1 } })).assertStatus(200)
    const paid = await till('/till/payments').form({ method: 'cash', tendered: '20.00' })
    paid.assertStatus(409)
    assert.include(paid.text(), 'No shift is open on this register')
    assert.equal(await countRows('sales', { store_id: fixture.store.id, status: 'completed' }), 0)
    assert.equal(await countRows('payments', { store_id: fixture.store.id }), 0)
  })
})
