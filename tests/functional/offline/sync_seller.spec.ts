import { test } from '@japa/runner'
import { randomUUID } from 'node:crypto'
import db from '@adonisjs/lucid/services/db'
import { priceOfflineCart, sealOfflineSale } from '#core/offline_sale'
import type Product from '#models/product'
import type User from '#models/user'
import { countRows, createProduct, createStore, type TestStore } from '#tests/fixtures'
import { TestDevice } from './device.js'

/*
| Whose name an offline sale is recorded in. The till names its seller (user_id); the server takes
| that name only from the user signed in to sync or the user whose till holds the register's lease
| (whose sales that till queued). A till synced by someone else (a manager signing in on a
| cashier's till to send its queue) keeps the lease in its seller's name while it still holds
| unsynced sales. Any other name is not recorded: the sale is kept for a manager, audited.
*/

/** A sale as the browser's offline till seals it (app/core), in `seller`'s name, on the device's head */
async function sealAs(device: TestDevice, fixture: TestStore, seller: User, product: Product) {
  const items = [{ product_id: product.id, name: product.name, sku: product.sku, quantity: 1, list_price: product.price, unit_price: product.price, tax_class: product.taxClass, tax_rate_ppm: 80000, discount_type: null, discount_value: 0 }]
  const priced = await priceOfflineCart(items, { type: null, value: 0 }, { id: fixture.store.id, pricesIncludeTax: fixture.store.pricesIncludeTax })
  const draft = {
    client_uuid: randomUUID(),
    device_id: device.deviceId,
    register_id: device.registerId,
    user_id: seller.id,
    completed_at: new Date(Math.floor(Date.now() / 1000) * 1000).toISOString(),
    cart_discount_type: null,
    cart_discount_value: 0,
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

  test("a manager signing in on a cashier's till syncs its queue in the cashier's name; the lease passes to the manager once it is sent", async ({ client, assert }) => {
    const fixture = await createStore()
    const tea = await createProduct(fixture, { price: 450, stock: 20 })
    const { cashier, manager } = fixture.users
    const device = new TestDevice(fixture)
    ;(await device.takeLease(client)).assertStatus(200)
    const sales = [await sealAs(device, fixture, cashier, tea), await sealAs(device, fixture, cashier, tea)]

    // Back online with the manager signed in: the till renews its lease (2 pending), then syncs
    ;(await device.as(client, 'post', '/till/offline/lease', manager).json({ device_id: device.deviceId, register_id: device.registerId, pending: 2 })).assertStatus(200)
    const answer = await device.as(client, 'post', '/till/offline/sales', manager).json({ sales })
    assert.deepEqual(answer.body().results.map((r: any) => r.outcome), ['recorded', 'recorded'], JSON.stringify(answer.body()))
    const sellers = await db.from('sales').whereIn('client_uuid', sales.map((s) => s.client_uuid)).select('user_id')
    assert.deepEqual(sellers.map((row) => Number(row.user_id)), [cashier.id, cashier.id])

    // All sent: the till renews with nothing pending, and is the manager's from now on
    ;(await device.as(client, 'post', '/till/offline/lease', manager).json({ device_id: device.deviceId, register_id: device.registerId, pending: 0 })).assertStatus(200)
    assert.equal(Number((await db.from('registers').where('id', device.registerId).first()).lease_user_id), manager.id)
    const late = await sealAs(device, fixture, cashier, tea)
    const [refused] = (await device.as(client, 'post', '/till/offline/sales', manager).json({ sales: [late] })).body().results
    assert.equal(refused.outcome, 'refused')
    assert.equal(refused.error.field, 'user_id')
  })

  test("a cashier signing in on the manager's till syncs the manager's sales: the till is the manager's", async ({ client, assert }) => {
    const fixture = await createStore()
    const tea = await createProduct(fixture, { price: 450, stock: 20 })
    const { cashier, manager } = fixture.users
    const device = new TestDevice(fixture)
    ;(await device.as(client, 'post', '/till/offline/lease', manager).json({ device_id: device.deviceId, register_id: device.registerId, pending: 0 })).assertStatus(200)
    device.lastNumber = 0
    const sale = await sealAs(device, fixture, manager, tea)
    ;(await device.as(client, 'post', '/till/offline/lease', cashier).json({ device_id: device.deviceId, register_id: device.registerId, pending: 1 })).assertStatus(200)
    const [result] = (await device.as(client, 'post', '/till/offline/sales', cashier).json({ sales: [sale] })).body().results
    assert.equal(result.outcome, 'recorded', JSON.stringify(result))
    assert.equal(Number((await db.from('sales').where('id', result.sale_id).first()).user_id), manager.id)
  })
})
