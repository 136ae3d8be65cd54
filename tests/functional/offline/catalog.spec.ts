import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { apiToken, createProduct, createStore } from '#tests/fixtures'
import { dbTimestamp } from '#platform/db_time'
import { TestDevice } from './device.js'
import CatalogService from '#catalog/catalog_service'

/*
| The catalog a till keeps for selling offline: every product in pages, then only what changed
| since the version it holds; and the settings it prices with (no secret of anyone's).
*/

test.group('Offline till: catalog and settings', () => {
  test('a till loads every product with its barcodes, then only the changes since its version', async ({ client, assert }) => {
    const fixture = await createStore()
    const tea = await createProduct(fixture, { name: 'Green Tea', price: 450 })
    const cake = await createProduct(fixture, { name: 'Carrot Cake', price: 1200, taxClass: 'reduced' })
    // Both written a while ago, so the delta below holds only what changes now
    await db.from('products').where('store_id', fixture.store.id).update({ updated_at: dbTimestamp(new Date(Date.now() - 60_000)) })
    const device = new TestDevice(fixture)

    const full = await device.as(client, 'get', '/till/offline/catalog')
    full.assertStatus(200)
    const { fields, rows, version, next_after_id } = full.body()
    assert.deepEqual(fields, ['id', 'name', 'sku', 'price', 'tax_class', 'category_id', 'active', 'barcodes'])
    assert.isNull(next_after_id)
    const byName = new Map(rows.map((row: any[]) => [row[1], row]))
    assert.deepEqual((byName.get('Green Tea') as any[]).slice(0, 7), [tea.id, 'Green Tea', tea.sku, 450, 'standard', fixture.category.id, true])
    assert.lengthOf((byName.get('Green Tea') as any[])[7], 1)
    assert.equal((byName.get('Carrot Cake') as any[])[4], 'reduced')
    assert.isAbove(version, 0)

    await db.from('products').where('id', cake.id).update({ price: 1300, active: false, updated_at: dbTimestamp() })
    const delta = await device.as(client, 'get', `/till/offline/catalog?since=${version + 1}`)
    delta.assertStatus(200)
    assert.deepEqual(delta.body().rows.map((row: any[]) => [row[0], row[3], row[6]]), [[cake.id, 1300, false]])
    assert.isAbove(delta.body().version, version)

    // A product deleted (never sold) is sent as taken off sale: it left no row, and tills sold it on
    const gone = await createProduct(fixture, { name: 'Deleted Scone' })
    const before = await device.as(client, 'get', `/till/offline/catalog?since=${delta.body().version}`)
    assert.include(JSON.stringify(before.body().rows), 'Deleted Scone')
    assert.equal(await new CatalogService().archiveOrDelete(gone, fixture.users.manager), 'deleted')
    const after = await device.as(client, 'get', `/till/offline/catalog?since=${delta.body().version}`)
    assert.deepInclude(after.body().rows.map((row: any[]) => [row[0], row[6]]), [gone.id, false])
    assert.notInclude(JSON.stringify(after.body().rows), 'Deleted Scone')

    const other = await createStore()
    await createProduct(other, { name: 'Not ours' })
    assert.notInclude(JSON.stringify(full.body()), 'Not ours')
    ;(await client.get('/till/offline/catalog').loginAs(fixture.users.accountant)).assertStatus(403)
    ;(await device.as(client, 'get', '/till/offline/catalog?since=-5')).assertStatus(422)
  })

  test('a sale leaves the catalog as it was: the product sold is not sent again in the next delta, and its version stays', async ({ client, assert }) => {
    const fixture = await createStore()
    const tea = await createProduct(fixture, { name: 'Green Tea', price: 450, stock: 20 })
    await db.from('products').where('id', tea.id).update({ updated_at: dbTimestamp(new Date(Date.now() - 60_000)) })
    const device = new TestDevice(fixture)
    const { version } = (await device.as(client, 'get', '/till/offline/catalog')).body()
    const token = await apiToken(client, fixture.users.cashier)
    ;(await client.post('/api/sales').bearerToken(token).json({ items: [{ product_id: tea.id, quantity: 2 }], payment_method: 'card_external' })).assertStatus(201)
    // Before 2026-12-07's fix a sale moved updated_at: every product sold came again, and the
    // version went with the sales (past a catalog change committed a moment after them)
    const delta = (await device.as(client, 'get', `/till/offline/catalog?since=${version + 1}`)).body()
    assert.deepEqual(delta.rows, [])
    assert.equal(delta.version, version + 1)
  })

  test('the settings say how to price and whether this till may sell offline, and hold no secret', async ({ client, assert }) => {
    const fixture = await createStore({ cashRounding: 5, pricesIncludeTax: true })
    const device = new TestDevice(fixture)
    const answer = await device.as(client, 'get', '/till/offline/settings')
    answer.assertStatus(200)
    const body = answer.body()
    assert.equal(body.store.cash_rounding, 5)
    assert.isTrue(body.store.prices_include_tax)
    assert.deepInclude(body.tax_rates, { tax_class: 'standard', name: 'Sales tax', rate_ppm: 80000 })
    assert.deepEqual(body.offline, { allowed: true, reason: null })
    assert.deepEqual(body.user, { id: fixture.users.cashier.id, name: fixture.users.cashier.name, role: 'cashier' })
    for (const secret of ['password', 'pin', 'token', '$scrypt']) assert.notInclude(JSON.stringify(body).toLowerCase(), secret)
  })
})
