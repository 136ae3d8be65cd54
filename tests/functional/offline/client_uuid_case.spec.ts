import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import env from '#start/env'
import { createProduct, createStore } from '#tests/fixtures'
import { lowercaseClientUuids } from '#database/migrations/0146_client_uuid_lowercase'
import { TestDevice } from './device.js'

/*
| Migration 0146: client UUIDs and device ids kept in capitals before the sync took them in small
| letters are written in small letters, so a sale sent again (in small letters, as every till
| sends now) is its replay and the device still holds its lease. On SQLite and MariaDB.
*/

const upper = (column: string) => db.raw(`UPPER(${column})`)

test.group('Offline till: UUIDs kept in capitals before migration 0146', () => {
  test('a sale, its review and its device kept in capitals are found by the small-letter form after the migration', async ({ client, assert }) => {
    const fixture = await createStore()
    // Stock of 1 and 2 sold: the sale is recorded with a negative_stock review under its UUID
    const tea = await createProduct(fixture, { price: 450, stock: 1 })
    const device = new TestDevice(fixture)
    ;(await device.takeLease(client)).assertStatus(200)
    const sale = await device.sell([{ product: tea, quantity: 2 }])
    const recorded = (await device.syncAll(client, assert)).body().results[0]
    assert.include(recorded.reviews, 'negative_stock')

    // As an older version kept them (sent in capitals)
    await db.from('sales').where('id', recorded.sale_id).update({ client_uuid: upper('client_uuid'), device_id: upper('device_id') })
    await db.from('offline_reviews').where('sale_id', recorded.sale_id).update({ client_uuid: upper('client_uuid') })
    await db.from('registers').where('id', fixture.register.id).update({ lease_device_id: upper('lease_device_id') })

    await lowercaseClientUuids(db.connection())

    const stored = await db.from('sales').where('id', recorded.sale_id).select('client_uuid', 'device_id').first()
    assert.deepEqual([stored.client_uuid, stored.device_id], [sale.client_uuid, device.deviceId])
    // Sent again in small letters: its replay, with its review (not a conflict, not a 500)
    const again = await device.sync(client, sale)
    again.assertStatus(200)
    assert.deepEqual(again.body().results.map((r: any) => [r.outcome, r.sale_id, r.reviews]), [['replayed', recorded.sale_id, ['negative_stock']]])
    // The device in small letters still holds the register: its next sale is recorded
    device.queue = []
    await device.sell([{ product: tea, quantity: 1 }])
    const next = await device.syncAll(client, assert)
    assert.equal(next.body().results[0].outcome, 'recorded')
  }).timeout(60_000)

  test('a UUID whose small-letter form another sale holds is left in capitals, and the migration does not fail', async ({ client, assert }) => {
    const fixture = await createStore()
    const tea = await createProduct(fixture, { price: 450, stock: 20 })
    const device = new TestDevice(fixture)
    ;(await device.takeLease(client)).assertStatus(200)
    const first = await device.sell([{ product: tea, quantity: 1 }])
    await device.sell([{ product: tea, quantity: 1 }])
    const [one, two] = (await device.syncAll(client, assert)).body().results.map((r: any) => r.sale_id)
    const clash = db.from('sales').where('id', two).update({ client_uuid: first.client_uuid.toUpperCase() })
    if (env.get('DB_CONNECTION') === 'mysql') {
      // MariaDB's unique key ignores case: both forms can never be there
      await assert.rejects(() => clash)
      return
    }
    // SQLite kept both forms apart
    await clash
    assert.isAtLeast(await lowercaseClientUuids(db.connection()), 1)
    const uuids = await db.from('sales').whereIn('id', [one, two]).orderBy('id').select('client_uuid')
    assert.deepEqual(uuids.map((row) => row.client_uuid), [first.client_uuid, first.client_uuid.toUpperCase()])
    // The small-letter form still names the sale sent that way
    const again = await device.sync(client, first)
    assert.deepEqual(again.body().results.map((r: any) => [r.outcome, r.sale_id]), [['replayed', one]])
  }).timeout(60_000)
})
