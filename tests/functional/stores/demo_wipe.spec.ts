import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import Device from '#models/device'
import DemoStoreService from '#stores/demo_store_service'
import { countRows, createProduct, createStore } from '#tests/fixtures'
import { apiAs, sell } from '#tests/functional/shifts/helpers'

/*
| npm run demo refreshes the demo store: DemoStoreService.wipe deletes a store and every row that
| hangs off it. A store that has lived a little (a shift opened, cash moved, sales, a refund, a
| receipt of stock, a printer, a Z report) must go without a foreign key refusing, on SQLite and
| on MySQL/MariaDB alike, and without touching another store.
*/
test.group('Demo store: refreshing wipes a store that was used', () => {
  test('every row of the store goes, children first; another store keeps its rows', async ({ client, assert }) => {
    const fixture = await createStore({ openShift: false })
    const other = await createStore()
    const product = await createProduct(fixture, { stock: 20 })
    const kept = await createProduct(other, { stock: 5 })
    const manager = await apiAs(client, fixture.users.manager)
    const registerId = fixture.register.id

    const opened = await manager.post('/api/shifts', { register_id: registerId, float: 10_000 })
    opened.assertStatus(201)
    const shiftId = opened.body().id
    ;(await manager.post(`/api/shifts/${shiftId}/cash-movements`, { kind: 'cash_in', amount: 500, reason: 'Change' })).assertStatus(201)
    const sale = await sell(manager, registerId, [{ product_id: product.id, quantity: 2 }], 'cash', 10_000)
    sale.assertStatus(201)
    const line = sale.body().items[0]
    ;(await manager.post(`/api/sales/${sale.body().id}/refunds`, { items: [{ sale_item_id: line.id, quantity: 1 }], reason: 'Changed mind' })).assertStatus(201)
    ;(await manager.post('/api/stock/receipts', { supplier: 'Acme', items: [{ product_id: product.id, quantity: 3, unit_cost: 100 }] })).assertStatus(201)
    await Device.create({ storeId: fixture.store.id, registerId, kind: 'printer', name: 'Front', transport: 'tcp', host: '127.0.0.1', port: 9 })
    const closed = await manager.post(`/api/shifts/${shiftId}/close`, { counts: { '2000': 5 } })
    assert.equal(closed.status(), 200, closed.text())
    await sell(await apiAs(client, other.users.cashier), other.register.id, [{ product_id: kept.id, quantity: 1 }], 'cash', 10_000)

    const storeTables = ['registers', 'products', 'sales', 'payments', 'stock_movements', 'refunds', 'shifts', 'cash_movements', 'z_reports', 'stock_receipts', 'devices', 'audit_logs', 'users']
    const before = Object.fromEntries(await Promise.all(storeTables.map(async (t) => [t, await countRows(t, { store_id: fixture.store.id })])))
    for (const table of ['sales', 'refunds', 'shifts', 'cash_movements', 'z_reports', 'stock_receipts', 'devices']) {
      assert.isAbove(before[table], 0, `the store has ${table} to wipe`)
    }
    const otherBefore = await countRows('sales', { store_id: other.store.id })

    await new DemoStoreService().wipe([fixture.store.name])

    assert.equal(await countRows('stores', { id: fixture.store.id }), 0)
    for (const table of storeTables) assert.equal(await countRows(table, { store_id: fixture.store.id }), 0, table)
    const saleLines = await db.from('sale_items').where('sale_id', sale.body().id).count('* as n').first()
    assert.equal(Number(saleLines.n), 0)
    assert.equal(await countRows('sales', { store_id: other.store.id }), otherBefore)
    assert.equal(await countRows('products', { id: kept.id }), 1)
  })
})
