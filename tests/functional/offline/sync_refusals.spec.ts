import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { DateTime } from 'luxon'
import { countRows, createProduct, createStore } from '#tests/fixtures'
import { TestDevice } from './device.js'

/*
| What a sync refuses or keeps for review that a till could never have made (found by an audit):
| a sale of a register another till holds, a price the offline till cannot set, a date no clock
| shows or one the till's clock got wrong; and a line is named by the server's product, not by
| what the till sent. Each test runs on the suite's database (SQLite or MariaDB).
*/

const salesOf = (registerId: number) => countRows('sales', { register_id: registerId, status: 'completed' })

test.group('Offline till: what a sync refuses', () => {
  test('a sale from a device that does not hold the leased register is kept for review, not recorded', async ({ client, assert }) => {
    const fixture = await createStore()
    const tea = await createProduct(fixture, { price: 450, stock: 20 })
    const holder = new TestDevice(fixture)
    ;(await holder.takeLease(client)).assertStatus(200)

    // Another device sells on the register's head as if it held it, and syncs first
    const other = new TestDevice(fixture)
    other.lastNumber = holder.lastNumber
    other.lastHash = holder.lastHash
    const sale = await other.sell([{ product: tea, quantity: 1 }])
    const answer = await other.sync(client, sale)
    answer.assertStatus(200)
    assert.equal(answer.body().results[0].outcome, 'conflict')
    assert.deepInclude(answer.body().results[0].error, { code: 'register_leased', field: 'device_id' })
    assert.equal(await salesOf(fixture.register.id), 0)
    assert.equal(await countRows('offline_reviews', { client_uuid: sale.client_uuid, kind: 'conflict' }), 1)

    // The holder's own sale still continues the head
    await holder.sell([{ product: tea, quantity: 2 }])
    await holder.syncAll(client, assert)
    assert.equal(await salesOf(fixture.register.id), 1)
  })

  test('a line sold below its list price is refused: the offline till does not change prices', async ({ client, assert }) => {
    const fixture = await createStore()
    const tea = await createProduct(fixture, { price: 429, stock: 20 })
    const device = new TestDevice(fixture)
    ;(await device.takeLease(client)).assertStatus(200)
    const sale = await device.sell([{ product: tea, quantity: 5, unitPrice: 1 }])
    const answer = await device.sync(client, sale)
    answer.assertStatus(200)
    assert.equal(answer.body().results[0].outcome, 'refused')
    assert.deepInclude(answer.body().results[0].error, { code: 'offline_sale_invalid', field: 'items.0.unit_price' })
    assert.equal(await salesOf(fixture.register.id), 0)
    assert.equal(await countRows('stock_movements', { product_id: tea.id, reason: 'sale' }), 0)

    // A discount past 100% is named on its field (it was refused on the hash, about the totals)
    const overDiscounted = await device.sell([{ product: tea, quantity: 1, discount: { type: 'percent', value: 5000 } }])
    overDiscounted.items[0].discount_value = 20_000
    const over = (await device.sync(client, overDiscounted)).body().results[0]
    assert.deepInclude(over.error, { field: 'items.0.discount_value', message: 'This offline sale was refused: a line is discounted by more than 100%' })
  })

  test('a refused sale of many lines is kept whole for a manager (over 64 KB: on MariaDB it failed its whole batch)', async ({ client, assert }) => {
    const fixture = await createStore()
    const tea = await createProduct(fixture, { name: 'Green Tea of a rather long name, loose leaf, 250 g', price: 429, stock: 5000 })
    const device = new TestDevice(fixture)
    ;(await device.takeLease(client)).assertStatus(200)
    const big = await device.sell(Array.from({ length: 450 }, () => ({ product: tea, quantity: 1, unitPrice: 1 })))
    assert.isAbove(JSON.stringify(big).length, 65_535)
    const answer = await device.sync(client, big)
    answer.assertStatus(200)
    assert.deepEqual([answer.body().results[0].outcome, answer.body().results[0].kept_for_review], ['refused', true])
    const kept = await db.from('offline_reviews').where({ client_uuid: big.client_uuid, kind: 'conflict' }).firstOrFail()
    assert.lengthOf(JSON.parse(kept.detail).items, 450)
  })

  test('a date no clock shows is refused on its field, not a 500', async ({ client, assert }) => {
    const fixture = await createStore()
    const tea = await createProduct(fixture, { price: 450, stock: 20 })
    const device = new TestDevice(fixture)
    ;(await device.takeLease(client)).assertStatus(200)
    for (const completedAt of ['2026-02-30T10:00:00.000Z', '2026-13-45T99:99:99.000Z']) {
      const sale = await device.sell([{ product: tea, quantity: 1 }])
      // Refused before its hash is looked at
      sale.completed_at = completedAt
      const answer = await device.sync(client, sale)
      answer.assertStatus(200)
      assert.equal(answer.body().results[0].outcome, 'refused', completedAt)
      assert.deepInclude(answer.body().results[0].error, { code: 'offline_sale_invalid', field: 'completed_at' })
      device.unsell(sale)
    }
    assert.equal(await salesOf(fixture.register.id), 0)
  })

  test('a sale dated a day ahead of the server or over a year back is kept for review: the till clock is wrong; hours ahead is recorded and reviewed', async ({ client, assert }) => {
    const fixture = await createStore()
    const tea = await createProduct(fixture, { price: 450, stock: 20 })
    const device = new TestDevice(fixture)
    ;(await device.takeLease(client)).assertStatus(200)
    for (const at of [DateTime.utc().plus({ days: 2 }), DateTime.utc().minus({ days: 400 }), DateTime.fromISO('2000-01-01T00:00:00Z')]) {
      const sale = await device.sell([{ product: tea, quantity: 1 }], { at })
      const answer = await device.sync(client, sale)
      assert.equal(answer.body().results[0].outcome, 'conflict', sale.completed_at)
      assert.deepInclude(answer.body().results[0].error, { code: 'clock_wrong', field: 'completed_at' })
      assert.equal(await countRows('offline_reviews', { client_uuid: sale.client_uuid, kind: 'conflict' }), 1)
      device.unsell(sale)
    }
    assert.equal(await salesOf(fixture.register.id), 0)
    // A clock a few hours off (a wrong time zone setting) is still a day the reports show: recorded,
    // and reviewed, since a sale cannot be made after it reached the server (it was recorded with no
    // word, on a later hour or the next day of the reports)
    const ahead = await device.sell([{ product: tea, quantity: 1 }], { at: DateTime.utc().plus({ hours: 5 }) })
    // A till a few seconds ahead (its clock is corrected to the minute at each lease) is not
    const onTime = await device.sell([{ product: tea, quantity: 1 }], { at: DateTime.utc().plus({ seconds: 30 }) })
    await device.syncAll(client, assert)
    assert.equal(await salesOf(fixture.register.id), 2)
    const reviews = await db.from('offline_reviews').where('kind', 'dated_ahead').whereIn('client_uuid', [ahead.client_uuid, onTime.client_uuid]).select('client_uuid', 'message', 'sale_id')
    assert.deepEqual(reviews.map((review) => review.client_uuid), [ahead.client_uuid])
    assert.isNotNull(reviews[0].sale_id)
    assert.include(reviews[0].message, `is dated ${ahead.completed_at}, after it reached the server`)
  })

  test('a recorded line takes the product name and SKU from the catalog, not from the till', async ({ client, assert }) => {
    const fixture = await createStore()
    const tea = await createProduct(fixture, { name: 'Green tea', price: 450, stock: 20 })
    const device = new TestDevice(fixture)
    ;(await device.takeLease(client)).assertStatus(200)
    const sale = await device.sell([{ product: tea, quantity: 1 }])
    sale.items[0].name = '=HYPERLINK("http://x")\u0000\u202Egnp.exe'
    sale.items[0].sku = 'FORGED'
    await device.syncAll(client, assert)
    const line = await db.from('sale_items').join('sales', 'sales.id', 'sale_items.sale_id').where('sales.client_uuid', sale.client_uuid).select('sale_items.name', 'sale_items.sku').first()
    assert.deepEqual({ name: line.name, sku: line.sku }, { name: 'Green tea', sku: tea.sku })
  })

  test('the UUID of a recorded sale with other content is refused, not answered as that sale: the till keeps it', async ({ client, assert }) => {
    const fixture = await createStore()
    const tea = await createProduct(fixture, { price: 450, stock: 20 })
    const device = new TestDevice(fixture)
    ;(await device.takeLease(client)).assertStatus(200)
    const first = await device.sell([{ product: tea, quantity: 1 }])
    await device.syncAll(client, assert)
    // Another sale (sealed on the new head) that reuses the first one's UUID
    const second = await device.sell([{ product: tea, quantity: 3 }])
    const reused = { ...second, client_uuid: first.client_uuid }
    const later = await device.sync(client, reused)
    assert.deepEqual(later.body().results.map((r: any) => [r.outcome, r.error?.code]), [['refused', 'client_uuid_reused']])
    // Twice in one batch with two contents: the first is recorded, the second refused
    const third = await device.sell([{ product: tea, quantity: 2 }])
    const fourth = await device.sell([{ product: tea, quantity: 4 }])
    const batch = await device.sync(client, second, third, { ...fourth, client_uuid: third.client_uuid })
    assert.deepEqual(batch.body().results.map((r: any) => [r.outcome, r.error?.code ?? null]), [['recorded', null], ['recorded', null], ['refused', 'client_uuid_reused']])
    // The refusal names no sale (it carried the id of the sale recorded under that UUID)
    assert.isNull(batch.body().results[2].sale_id)
    // Nothing of it is kept for a manager: its till holds it (no hand-off can take it)
    assert.isFalse(batch.body().results[2].kept_for_review)
    assert.isNumber(batch.body().results[1].sale_id)
    assert.equal(await countRows('sales', { register_id: fixture.register.id, status: 'completed' }), 3)
    // The same sale sent again is still its replay
    assert.equal((await device.sync(client, first)).body().results[0].outcome, 'replayed')
  })

  test('a client_uuid in capitals is the same sale: answered as its replay, never a 500 or a conflict', async ({ client, assert }) => {
    const fixture = await createStore()
    const tea = await createProduct(fixture, { price: 450, stock: 20 })
    const device = new TestDevice(fixture)
    ;(await device.takeLease(client)).assertStatus(200)
    const first = await device.sell([{ product: tea, quantity: 1 }])
    const recorded = (await device.syncAll(client, assert)).body().results[0]
    // Sent again in capitals (MariaDB found it, case-insensitively, and failed with a 500; SQLite
    // did not, and kept it as a conflict of the register)
    const again = await device.sync(client, { ...first, client_uuid: first.client_uuid.toUpperCase() })
    again.assertStatus(200)
    assert.deepEqual(again.body().results.map((r: any) => [r.client_uuid, r.outcome, r.sale_id]), [[first.client_uuid, 'replayed', recorded.sale_id]])
    // Twice in one batch, once in capitals: recorded once
    const second = await device.sell([{ product: tea, quantity: 2 }])
    const batch = await device.sync(client, second, { ...second, client_uuid: second.client_uuid.toUpperCase() })
    batch.assertStatus(200)
    assert.deepEqual(batch.body().results.map((r: any) => r.outcome), ['recorded', 'replayed'])
    assert.equal(await salesOf(fixture.register.id), 2)
    assert.equal(await countRows('offline_reviews', { register_id: fixture.register.id }), 0)
  })

  test('a catalog version past year 9999 is a 422, not a 500', async ({ client }) => {
    const fixture = await createStore()
    const device = new TestDevice(fixture)
    for (const since of ['99999999999999999999', '1e300']) {
      const answer = await device.as(client, 'get', `/till/offline/catalog?since=${since}`).header('accept', 'application/json')
      answer.assertStatus(422)
    }
    ;(await device.as(client, 'get', '/till/offline/catalog?since=253402300799').header('accept', 'application/json')).assertStatus(200)
  })
})
