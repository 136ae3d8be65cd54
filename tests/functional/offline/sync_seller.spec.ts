import { test } from '@japa/runner'
import { randomUUID } from 'node:crypto'
import db from '@adonisjs/lucid/services/db'
import { priceOfflineCart, sealOfflineSale } from '#core/offline_sale'
import type Product from '#models/product'
import type User from '#models/user'
import { countRows, createProduct, createStore, type TestStore } from '#tests/fixtures'
import { TestDevice } from './device.js'
import { setRole } from '#tests/functional/backoffice/helpers'

/*
| Whose name an offline sale is recorded in. The till names its seller (user_id); the server takes
| that name only from the user signed in to sync, or a user of the till holding the register's lease
| when the sale was made: the one signed in there now, or the one before for sales made until the
| till passed from them (someone else signed in, or they signed out there). A till synced by
| someone else (a manager signing in on a cashier's till to send its queue) records the cashier's
| sales in the cashier's name. The count of unsynced sales the till reports decides nothing here
| (it could say anything). Any other name is not recorded: the sale is kept for a manager, audited.
*/

const MINUTE = 60_000

/** A sale as the browser's offline till seals it (app/core), in `seller`'s name, on the device's head */
async function sealAs(device: TestDevice, fixture: TestStore, seller: User, product: Product, at = new Date(), percentOff = 0) {
  const items = [{ product_id: product.id, name: product.name, sku: product.sku, quantity: 1, list_price: product.price, unit_price: product.price, tax_class: product.taxClass, tax_rate_ppm: 80000, discount_type: null, discount_value: 0 }]
  const discount = percentOff ? { type: 'percent' as const, value: percentOff * 100 } : { type: null, value: 0 }
  const priced = await priceOfflineCart(items, discount, { id: fixture.store.id, pricesIncludeTax: fixture.store.pricesIncludeTax })
  const draft = {
    client_uuid: randomUUID(),
    device_id: device.deviceId,
    register_id: device.registerId,
    user_id: seller.id,
    completed_at: new Date(Math.floor(at.getTime() / 1000) * 1000).toISOString(),
    cart_discount_type: discount.type,
    cart_discount_value: discount.value,
    items,
    payments: [{ method: 'cash' as const, amount: priced.total, tendered: priced.total, reference: null }],
  }
  const sale = sealOfflineSale(draft, priced, { last_number: device.lastNumber, last_hash: device.lastHash }, fixture.store.id)
  device.lastNumber = sale.number
  device.lastHash = sale.hash
  return sale
}

test.group('Offline till: the seller a sync records', () => {
  test("a cashier cannot record an offline sale in a manager's name: kept for review and audited, nothing sold", async ({ client, assert }) => {
    const fixture = await createStore()
    const tea = await createProduct(fixture, { price: 450, stock: 20 })
    const { cashier, manager } = fixture.users
    const device = new TestDevice(fixture)
    ;(await device.takeLease(client)).assertStatus(200)

    const forged = await sealAs(device, fixture, manager, tea)
    const answer = await device.as(client, 'post', '/till/offline/sales', cashier).json({ sales: [forged] })
    answer.assertStatus(200)
    const [result] = answer.body().results
    assert.equal(result.outcome, 'refused', JSON.stringify(result))
    assert.deepInclude(result.error, { code: 'offline_sale_invalid', field: 'user_id' })
    assert.isTrue(result.kept_for_review)
    assert.equal(await countRows('sales', { client_uuid: forged.client_uuid }), 0)
    assert.equal(await countRows('stock_movements', { product_id: tea.id, reason: 'sale' }), 0)
    assert.equal(await countRows('offline_reviews', { client_uuid: forged.client_uuid, kind: 'conflict' }), 1)
    const audit = await db.from('audit_logs').where({ action: 'offline_sale_refused', store_id: fixture.store.id }).first()
    assert.equal(Number(audit.user_id), cashier.id)
    assert.deepInclude(JSON.parse(audit.data), { clientUuid: forged.client_uuid, sellerId: manager.id })

    // The cashier's own sale on the same head still goes through, in the cashier's name
    device.lastNumber = 0
    device.lastHash = null
    const own = await sealAs(device, fixture, cashier, tea)
    const recorded = (await device.as(client, 'post', '/till/offline/sales', cashier).json({ sales: [own] })).body().results[0]
    assert.equal(recorded.outcome, 'recorded')
    assert.equal(Number((await db.from('sales').where('id', recorded.sale_id).first()).user_id), cashier.id)
  })

  test("a manager signing in on a cashier's till syncs its queue in the cashier's name; the till is the manager's from then on", async ({ client, assert }) => {
    const fixture = await createStore()
    const tea = await createProduct(fixture, { price: 450, stock: 20 })
    const { cashier, manager } = fixture.users
    const device = new TestDevice(fixture)
    ;(await device.takeLease(client)).assertStatus(200)
    const sales = [await sealAs(device, fixture, cashier, tea), await sealAs(device, fixture, cashier, tea)]

    // Back online with the manager signed in: the till renews its lease (2 pending), then syncs
    ;(await device.lease(client, manager, 2)).assertStatus(200)
    const answer = await device.as(client, 'post', '/till/offline/sales', manager).json({ sales })
    assert.deepEqual(answer.body().results.map((r: any) => r.outcome), ['recorded', 'recorded'], JSON.stringify(answer.body()))
    const sellers = await db.from('sales').whereIn('client_uuid', sales.map((s) => s.client_uuid)).select('user_id')
    assert.deepEqual(sellers.map((row) => Number(row.user_id)), [cashier.id, cashier.id])
    // A cashier's name taken from the till's user before is not reviewed for it: the manager sent them
    assert.deepEqual(answer.body().results.map((r: any) => r.reviews), [[], []])

    // The till is the manager's since he signed in: a sale in the cashier's name made after that
    // (the till's clock 3 minutes on) is not the cashier's
    ;(await device.lease(client, manager, 0)).assertStatus(200)
    assert.equal(Number((await db.from('registers').where('id', device.registerId).first()).lease_user_id), manager.id)
    const late = await sealAs(device, fixture, cashier, tea, new Date(Date.now() + 3 * MINUTE))
    const [refused] = (await device.as(client, 'post', '/till/offline/sales', manager).json({ sales: [late] })).body().results
    assert.equal(refused.outcome, 'refused')
    assert.equal(refused.error.field, 'user_id')
  })

  test("a cashier signing in on the manager's till syncs the manager's sales: the till is the manager's", async ({ client, assert }) => {
    const fixture = await createStore()
    const tea = await createProduct(fixture, { price: 450, stock: 20 })
    const { cashier, manager } = fixture.users
    const device = new TestDevice(fixture)
    ;(await device.lease(client, manager, 0)).assertStatus(200)
    device.lastNumber = 0
    const sale = await sealAs(device, fixture, manager, tea)
    // 50% off, past the cashier limit (20%): the manager's own discount, as the till says
    const discounted = await sealAs(device, fixture, manager, tea, new Date(), 50)
    ;(await device.lease(client, cashier, 2)).assertStatus(200)
    const [result, second] = (await device.as(client, 'post', '/till/offline/sales', cashier).json({ sales: [sale, discounted] })).body().results
    assert.equal(result.outcome, 'recorded', JSON.stringify(result))
    assert.equal(Number((await db.from('sales').where('id', result.sale_id).first()).user_id), manager.id)
    // Only the till says it was made before the cashier took over: a manager's name so is reviewed
    assert.deepEqual(result.reviews, ['seller_handover'])
    assert.equal(await countRows('offline_reviews', { client_uuid: sale.client_uuid, kind: 'seller_handover' }), 1)
    // and its discount is held to the cashier limit, as a cashier's tampered till could have made it
    assert.equal(second.outcome, 'recorded', JSON.stringify(second))
    assert.sameMembers(second.reviews, ['discount_over_limit', 'seller_handover'])
  })
  test("a till reporting unsynced sales does not keep the manager's name for a cashier who signs in on it", async ({ client, assert }) => {
    const fixture = await createStore()
    const tea = await createProduct(fixture, { price: 450, stock: 20 })
    const { cashier, manager } = fixture.users
    const device = new TestDevice(fixture)
    ;(await device.lease(client, manager, 0)).assertStatus(200)
    device.lastNumber = 0
    // The cashier signs in on the manager's till, which claims 5 unsynced sales (a tampered count)
    ;(await device.lease(client, cashier, 5)).assertStatus(200)
    // A sale in the manager's name made after the cashier took the till over is refused, kept, audited
    const forged = await sealAs(device, fixture, manager, tea, new Date(Date.now() + 3 * MINUTE))
    const [result] = (await device.as(client, 'post', '/till/offline/sales', cashier).json({ sales: [forged] })).body().results
    assert.equal(result.outcome, 'refused', JSON.stringify(result))
    const register = await db.from('registers').where('id', device.registerId).first()
    assert.equal(Number(register.lease_user_id), cashier.id)
    assert.equal(Number(register.lease_prior_user_id), manager.id)
    assert.deepInclude(result.error, { code: 'offline_sale_invalid', field: 'user_id' })
    assert.equal(await countRows('sales', { client_uuid: forged.client_uuid }), 0)
    const audit = await db.from('audit_logs').where({ action: 'offline_sale_refused', store_id: fixture.store.id }).first()
    assert.deepInclude(JSON.parse(audit.data), { sellerId: manager.id, tillUserId: cashier.id, priorUserId: manager.id })
  })

  test('a user signing out on a till ends their name there: a sale made after it is refused, one made before is theirs', async ({ client, assert }) => {
    const fixture = await createStore()
    const tea = await createProduct(fixture, { price: 450, stock: 20 })
    const { cashier, manager } = fixture.users
    const device = new TestDevice(fixture)
    ;(await device.lease(client, manager, 0)).assertStatus(200)
    device.lastNumber = 0
    const before = await sealAs(device, fixture, manager, tea, new Date(Date.now() - 5 * MINUTE))
    // The manager signs out on the till (its sign-out form carries the till's device id)
    const out = await client.post('/logout').loginAs(manager).withCsrfToken().header('x-till-device', device.deviceId).redirects(0)
    assert.equal(out.status(), 302)
    const register = await db.from('registers').where('id', device.registerId).first()
    assert.isNull(register.lease_user_id)
    assert.equal(Number(register.lease_prior_user_id), manager.id)
    // The cashier sends them without taking the lease: the manager's sale of before is the manager's,
    // one in his name made after he signed out is refused
    const after = await sealAs(device, fixture, manager, tea, new Date(Date.now() + 3 * MINUTE))
    const results = (await device.as(client, 'post', '/till/offline/sales', cashier).json({ sales: [before, after] })).body().results
    assert.deepEqual(results.map((r: any) => r.outcome), ['recorded', 'refused'], JSON.stringify(results))
    assert.equal(results[1].error.field, 'user_id')
    assert.equal(Number((await db.from('sales').where('id', results[0].sale_id).first()).user_id), manager.id)
  })

  test('a cashier deactivated while their till was offline: the sales they made before are recorded and reviewed, one made after is refused', async ({ client, assert }) => {
    const fixture = await createStore()
    const tea = await createProduct(fixture, { price: 450, stock: 20 })
    const { admin, cashier, manager } = fixture.users
    const device = new TestDevice(fixture)
    ;(await device.takeLease(client)).assertStatus(200)
    const before = [await sealAs(device, fixture, cashier, tea, new Date(Date.now() - 5 * MINUTE)), await sealAs(device, fixture, cashier, tea, new Date(Date.now() - 2 * MINUTE))]
    // An admin deactivates the cashier from the back office (the till is offline): their sessions end
    ;(await client.delete(`/backoffice/users/${cashier.id}`).loginAs(admin).withCsrfToken().redirects(0)).assertStatus(302)
    const after = await sealAs(device, fixture, cashier, tea, new Date(Date.now() + 2 * MINUTE))

    // A manager signs in on the till and syncs its queue
    ;(await device.lease(client, manager, 3)).assertStatus(200)
    const answer = await device.as(client, 'post', '/till/offline/sales', manager).json({ sales: [...before, after] })
    answer.assertStatus(200)
    // The two made before the deactivation are recorded in the cashier's name and reviewed (until
    // 2026-12-06 they were refused, and every later sale of the register held behind them); the one
    // made after it is refused
    assert.deepEqual(answer.body().results.map((r: any) => [r.outcome, r.reviews]), [['recorded', ['seller_deactivated']], ['recorded', ['seller_deactivated']], ['refused', []]], JSON.stringify(answer.body()))
    assert.equal(answer.body().results[2].error.field, 'user_id')
    const sellers = await db.from('sales').whereIn('client_uuid', before.map((s) => s.client_uuid)).select('user_id')
    assert.deepEqual(sellers.map((row) => Number(row.user_id)), [cashier.id, cashier.id])
    assert.equal(await countRows('stock_movements', { product_id: tea.id, reason: 'sale' }), 2)
    assert.equal(await countRows('offline_reviews', { store_id: fixture.store.id, kind: 'seller_deactivated' }), 2)
    assert.equal(await countRows('offline_reviews', { client_uuid: after.client_uuid, kind: 'conflict' }), 1)
  })
})

test.group('Offline till: a seller whose role changed before the sync', () => {
  test('a cashier made accountant while their till was offline: the sales made before are recorded, audited and reviewed as synced after the change; one made after is refused (403), kept for a manager', async ({ client, assert }) => {
    const fixture = await createStore()
    const tea = await createProduct(fixture, { price: 450, stock: 20 })
    const { cashier, manager } = fixture.users
    const device = new TestDevice(fixture)
    ;(await device.takeLease(client)).assertStatus(200)
    const before = [await sealAs(device, fixture, cashier, tea, new Date(Date.now() - 5 * MINUTE)), await sealAs(device, fixture, cashier, tea, new Date(Date.now() - 2 * MINUTE))]
    // An admin makes the cashier an accountant from the back office (the till is offline)
    ;(await setRole(client, fixture, cashier, 'accountant')).assertStatus(302)
    const after = await sealAs(device, fixture, cashier, tea, new Date(Date.now() + 2 * MINUTE))
    // An accountant sells nothing, so cannot sync either: the till keeps the sales (never dropped)
    ;(await device.as(client, 'post', '/till/offline/sales', cashier).json({ sales: before })).assertStatus(403)

    // A manager signs in on the till and syncs its queue
    ;(await device.lease(client, manager, 3)).assertStatus(200)
    const answer = await device.as(client, 'post', '/till/offline/sales', manager).json({ sales: [...before, after] })
    answer.assertStatus(200)
    const results = answer.body().results
    // Until 2026-12-07 the first was refused (judged by the role at the sync: an accountant) and the
    // others held behind it: no sale the cashier made reached the books
    assert.deepEqual(results.map((r: any) => [r.outcome, r.reviews]), [['recorded', ['seller_role_changed']], ['recorded', ['seller_role_changed']], ['refused', []]], JSON.stringify(results))
    assert.deepInclude(results[2].error, { code: 'offline_sale_invalid', field: 'user_id', status: 403 })
    assert.match(results[2].error.message, /accountant/)
    assert.isTrue(results[2].kept_for_review)
    const sellers = await db.from('sales').whereIn('client_uuid', before.map((s) => s.client_uuid)).select('user_id')
    assert.deepEqual(sellers.map((row) => Number(row.user_id)), [cashier.id, cashier.id])
    assert.equal(await countRows('stock_movements', { product_id: tea.id, reason: 'sale' }), 2)
    const completed = await db.from('audit_logs').where({ action: 'sale_completed', store_id: fixture.store.id }).orderBy('id').select('data')
    assert.lengthOf(completed, 2)
    for (const row of completed) assert.deepInclude(JSON.parse(row.data).syncedAfter?.roleChanged, { from: 'cashier', to: 'accountant' })
    assert.equal(await countRows('offline_reviews', { client_uuid: after.client_uuid, kind: 'conflict' }), 1)
    assert.equal(await countRows('audit_logs', { action: 'offline_sale_refused', store_id: fixture.store.id }), 1)
    // A manager sees both on the Offline sales page
    const page = (await client.get('/backoffice/offline').loginAs(manager)).text()
    assert.match(page, /Made before its seller(&#39;|&#x27;|')s role changed/)
    assert.include(page, 'Not recorded: kept for review')
  })

  test('an offline sale is judged by its seller’s role when it was made: a cashier’s discount past the limit is reviewed after a promotion, a manager’s is not after a demotion', async ({ client, assert }) => {
    const fixture = await createStore()
    const tea = await createProduct(fixture, { price: 450, stock: 20 })
    const { cashier, manager } = fixture.users
    const device = new TestDevice(fixture)
    ;(await device.lease(client, manager, 0)).assertStatus(200)
    device.lastNumber = 0
    const managers = await sealAs(device, fixture, manager, tea, new Date(Date.now() - 5 * MINUTE), 50)
    ;(await setRole(client, fixture, manager, 'cashier')).assertStatus(302)
    const demoted = (await device.as(client, 'post', '/till/offline/sales', manager).json({ sales: [managers] })).body().results[0]
    // Until 2026-12-07: 'discount_over_limit', the manager's sale judged as a cashier's
    assert.deepEqual([demoted.outcome, demoted.reviews], ['recorded', ['seller_role_changed']], JSON.stringify(demoted))

    const register2 = await db.from('registers').where('store_id', fixture.store.id).whereNot('id', fixture.register.id).first()
    const other = new TestDevice(fixture, Number(register2.id))
    ;(await other.takeLease(client)).assertStatus(200)
    const cashiers = await sealAs(other, fixture, cashier, tea, new Date(Date.now() - 5 * MINUTE), 50)
    ;(await setRole(client, fixture, cashier, 'manager')).assertStatus(302)
    const promoted = (await other.as(client, 'post', '/till/offline/sales', cashier).json({ sales: [cashiers] })).body().results[0]
    // Until 2026-12-07: no review, the cashier's discount past the limit taken as a manager's
    // (register 2 has no open shift: that review is not this test's)
    assert.deepEqual([promoted.outcome, promoted.reviews.filter((kind: string) => kind !== 'shift_closed').sort()], ['recorded', ['discount_over_limit', 'seller_role_changed']], JSON.stringify(promoted))
  })
})
