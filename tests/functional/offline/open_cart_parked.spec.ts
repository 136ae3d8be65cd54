import { test } from '@japa/runner'
import { DateTime } from 'luxon'
import db from '@adonisjs/lucid/services/db'
import { createProduct, createStore, type TestStore } from '#tests/fixtures'
import { REGISTER_COOKIE } from '#sales/till_screen_service'
import { TestDevice } from './device.js'

/*
| The online cart a till had open when the database or the server went away: the offline screen
| started empty, the cashier rang the goods again and sold them offline, and once the till was back
| the server's open cart showed again with those lines, unpaid (the next customer could be charged
| for them). Now the offline sale's sync parks it: the till's cart is empty, the old cart is in
| Parked sales with its lines and a note, and an audit entry says so.
*/

function till(client: any, fixture: TestStore, method: 'get' | 'post', url: string, registerId = fixture.register.id, role: 'cashier' | 'manager' = 'cashier') {
  return client[method](url).loginAs(fixture.users[role]).withCsrfToken().withCookie(REGISTER_COOKIE, String(registerId)).header('HX-Request', 'true')
}

/** A cart rung up online on the till, through its routes */
async function ringUp(client: any, fixture: TestStore, productIds: number[], registerId = fixture.register.id, role: 'cashier' | 'manager' = 'cashier') {
  for (const id of productIds) (await till(client, fixture, 'post', '/till/items', registerId, role).form({ product_id: id })).assertStatus(200)
  return db.from('sales').where({ register_id: registerId, status: 'open', channel: 'till' }).orderBy('id', 'desc').firstOrFail()
}

async function linesOf(saleId: number) {
  return (await db.from('sale_items').where('sale_id', saleId).orderBy('position').select('product_id', 'quantity')).map((l) => [Number(l.product_id), Number(l.quantity)])
}

async function parkAudits(fixture: TestStore) {
  return db.from('audit_logs').where({ store_id: fixture.store.id, action: 'offline_open_cart_parked' })
}

/** One second on: the cart's last change is stored to the second, the offline sale is made after it */
const later = () => DateTime.utc().plus({ seconds: 1 })

test.group('Offline till: the online cart open when the till went offline', () => {
  test('is parked with its lines when the offline sale syncs; the till shows an empty cart; sent again, nothing is parked twice', async ({ client, assert }) => {
    const fixture = await createStore()
    const tea = await createProduct(fixture, { name: 'Green Tea', price: 450, stock: 20 })
    const jam = await createProduct(fixture, { name: 'Plum Jam', price: 300, stock: 20 })
    const cart = await ringUp(client, fixture, [tea.id, jam.id, tea.id])

    // The database went away while the cashier took payment: the till sold the same goods offline
    const device = new TestDevice(fixture)
    ;(await device.takeLease(client)).assertStatus(200)
    await device.sell([{ product: tea, quantity: 2 }, { product: jam, quantity: 1 }], { at: later() })
    await device.syncAll(client, assert)

    const old = await db.from('sales').where('id', cart.id).firstOrFail()
    assert.equal(old.status, 'parked')
    assert.match(old.note, /^Open when the till went offline \(last changed \d\d:\d\d\)$/)
    assert.deepEqual(await linesOf(cart.id), [[tea.id, 2], [jam.id, 1]])

    // The till back online: an empty cart, and the old one in Parked sales
    const page = await till(client, fixture, 'get', '/till')
    page.assertStatus(200)
    assert.include(page.text(), '<span class="money" data-testid="total">$0.00</span>')
    assert.deepEqual(await db.from('sales').where({ register_id: fixture.register.id, status: 'open' }).whereIn('id', db.from('sale_items').select('sale_id')).select('id'), [])
    const parked = await till(client, fixture, 'get', '/till/parked')
    assert.include(parked.text(), 'Open when the till went offline')

    const audits = await parkAudits(fixture)
    assert.lengthOf(audits, 1)
    assert.equal(Number(audits[0].subject_id), Number(cart.id))
    assert.equal(Number(audits[0].user_id), fixture.users.cashier.id)

    // The same batch again (a lost answer): replayed, nothing parked or audited twice
    const again = await device.sync(client, ...device.queue)
    assert.deepEqual(again.body().results.map((r: any) => r.outcome), ['replayed'])
    assert.lengthOf(await parkAudits(fixture), 1)
    assert.equal(await db.from('sales').where({ store_id: fixture.store.id, status: 'parked' }).count('* as n').first().then((r) => Number(r.n)), 1)

    // Nothing lost: recalled from Parked sales with its lines
    const resumed = await till(client, fixture, 'post', `/till/parked/${cart.id}/resume`)
    assert.include(resumed.text(), 'Plum Jam')
    assert.equal((await db.from('sales').where('id', cart.id).firstOrFail()).status, 'open')
  })

  test('a cart rung up online after the offline sale was made is not parked', async ({ client, assert }) => {
    const fixture = await createStore()
    const tea = await createProduct(fixture, { name: 'Green Tea', price: 450, stock: 20 })
    const device = new TestDevice(fixture)
    ;(await device.takeLease(client)).assertStatus(200)
    await device.sell([{ product: tea, quantity: 1 }], { at: DateTime.utc().minus({ minutes: 2 }) })
    const cart = await ringUp(client, fixture, [tea.id])
    await device.syncAll(client, assert)

    assert.equal((await db.from('sales').where('id', cart.id).firstOrFail()).status, 'open')
    assert.deepEqual(await linesOf(cart.id), [[tea.id, 1]])
    assert.lengthOf(await parkAudits(fixture), 0)
  })

  test("another register's cart, another user's cart on a register no till holds, an empty cart: untouched", async ({ client, assert }) => {
    const fixture = await createStore()
    const tea = await createProduct(fixture, { name: 'Green Tea', price: 450, stock: 20 })
    const other = await db.from('registers').where('store_id', fixture.store.id).whereNot('id', fixture.register.id).firstOrFail()
    const otherCart = await ringUp(client, fixture, [tea.id], Number(other.id))
    const managersCart = await ringUp(client, fixture, [tea.id], fixture.register.id, 'manager')

    const device = new TestDevice(fixture)
    ;(await device.takeLease(client)).assertStatus(200)
    ;(await device.release(client)).assertStatus(302)
    await device.sell([{ product: tea, quantity: 1 }], { at: later() })
    await device.syncAll(client, assert)

    assert.equal((await db.from('sales').where('id', otherCart.id).firstOrFail()).status, 'open')
    assert.equal((await db.from('sales').where('id', managersCart.id).firstOrFail()).status, 'open')
    assert.lengthOf(await parkAudits(fixture), 0)
  })

  test('an empty cart is not parked (nothing to recall)', async ({ client, assert }) => {
    const fixture = await createStore()
    const tea = await createProduct(fixture, { name: 'Green Tea', price: 450, stock: 20 })
    ;(await till(client, fixture, 'get', '/till')).assertStatus(200)
    const cart = await db.from('sales').where({ register_id: fixture.register.id, status: 'open' }).firstOrFail()
    const device = new TestDevice(fixture)
    ;(await device.takeLease(client)).assertStatus(200)
    await device.sell([{ product: tea, quantity: 1 }], { at: later() })
    await device.syncAll(client, assert)
    assert.equal((await db.from('sales').where('id', cart.id).firstOrFail()).status, 'open')
    assert.lengthOf(await parkAudits(fixture), 0)
  })

  test("the till holding the register: its register's cart is parked whoever rang it up; a cart with a payment taken is not", async ({ client, assert }) => {
    const fixture = await createStore({ openShift: true })
    const tea = await createProduct(fixture, { name: 'Green Tea', price: 450, stock: 20 })
    const managersCart = await ringUp(client, fixture, [tea.id], fixture.register.id, 'manager')
    const other = await db.from('registers').where('store_id', fixture.store.id).whereNot('id', fixture.register.id).firstOrFail()
    const paidCart = await ringUp(client, fixture, [tea.id, tea.id], Number(other.id))
    ;(await till(client, fixture, 'post', '/till/payments', Number(other.id)).form({ method: 'card_external', amount: '1.00', reference: 'A1' })).assertStatus(200)

    const device = new TestDevice(fixture)
    ;(await device.takeLease(client)).assertStatus(200)
    await device.sell([{ product: tea, quantity: 1 }], { at: later() })
    await device.syncAll(client, assert)
    assert.equal((await db.from('sales').where('id', managersCart.id).firstOrFail()).status, 'parked')

    const second = new TestDevice(fixture, Number(other.id))
    ;(await second.takeLease(client)).assertStatus(200)
    await second.sell([{ product: tea, quantity: 1 }], { at: later() })
    await second.syncAll(client, assert)
    assert.equal((await db.from('sales').where('id', paidCart.id).firstOrFail()).status, 'open')
    assert.lengthOf(await parkAudits(fixture), 1)
  })
})
