import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { DateTime } from 'luxon'
import Register from '#models/register'
import ShiftService from '#shifts/shift_service'
import { dbTimestamp } from '#platform/db_time'
import { createProduct, createStore, type TestStore } from '#tests/fixtures'
import { TestDevice } from './device.js'

/*
| A till numbers and links its offline sales in the order it makes them, so each is dated after the
| one before it on its register. One dated before it, inside the open shift, was recorded with no
| word: a till whose clock was set back, or a tampered one, could put sales on earlier hours. It is
| recorded, and listed for review (`dated_before_last`). Runs on the suite's database.
*/

const reviewsOf = (answer: any) => answer.body().results.map((r: any) => r.reviews)

/** Every open shift of the store opened some hours ago, so the sales below are all inside one */
async function shiftsOpenedHoursAgo(fixture: TestStore) {
  await db.from('shifts').where({ store_id: fixture.store.id, status: 'open' }).update({ opened_at: dbTimestamp(DateTime.utc().minus({ hours: 6 })) })
}

test.group('Offline till: a sale dated before the one before it', () => {
  test('is recorded and listed for review, in the batch and against the register\u2019s last sale synced before', async ({ client, assert }) => {
    const fixture = await createStore()
    await shiftsOpenedHoursAgo(fixture)
    const tea = await createProduct(fixture, { price: 450, stock: 20 })
    const device = new TestDevice(fixture)
    ;(await device.takeLease(client)).assertStatus(200)
    const now = DateTime.utc()
    const first = await device.sell([{ product: tea, quantity: 1 }], { at: now.minus({ hours: 1 }) })
    await device.syncAll(client, assert)
    device.queue = []

    // The till's clock set back two hours: the next sale, the first of the next batch, is dated
    // before the one synced above; the one after it follows it again (no word)
    const back = await device.sell([{ product: tea, quantity: 1 }], { at: now.minus({ hours: 3 }) })
    const after = await device.sell([{ product: tea, quantity: 1 }], { at: now.minus({ hours: 3 }).plus({ minutes: 5 }) })
    // And within the batch: dated before the sale before it in the same batch
    const inBatch = await device.sell([{ product: tea, quantity: 1 }], { at: now.minus({ hours: 4 }) })
    const answer = await device.syncAll(client, assert)
    assert.deepEqual(reviewsOf(answer), [['dated_before_last'], [], ['dated_before_last']])

    const rows = await db.from('offline_reviews').where('kind', 'dated_before_last').whereIn('client_uuid', [first.client_uuid, back.client_uuid, after.client_uuid, inBatch.client_uuid]).orderBy('id').select('client_uuid', 'message', 'sale_id')
    assert.deepEqual(rows.map((row) => row.client_uuid), [back.client_uuid, inBatch.client_uuid])
    assert.isNotNull(rows[0].sale_id)
    assert.include(rows[0].message, `Sale #${back.number} is dated ${back.completed_at}, before sale #${first.number} of its register`)
    // Recorded on the time it says, in the open shift
    const recorded = await db.from('sales').where('client_uuid', back.client_uuid).select('shift_id').firstOrFail()
    assert.isNotNull(recorded.shift_id)

    // The back office says it in words
    const page = await client.get('/backoffice/offline').loginAs(fixture.users.manager)
    page.assertStatus(200)
    assert.include(page.text(), 'Dated before the sale before it on its register')
  })

  test('normal queues get no such review: sales in order, a second till\u2019s interleaved on another register, one a minute before the one before it (a till\u2019s clock is kept within a minute)', async ({ client, assert }) => {
    const fixture = await createStore()
    const second = await Register.findByOrFail({ storeId: fixture.store.id, name: 'Register 2' })
    await new ShiftService().open({ user: fixture.users.manager, store: fixture.store }, second.id, { amount: 0 })
    await shiftsOpenedHoursAgo(fixture)
    const tea = await createProduct(fixture, { price: 450, stock: 50 })
    const one = new TestDevice(fixture)
    const two = new TestDevice(fixture, second.id)
    ;(await one.takeLease(client)).assertStatus(200)
    ;(await two.takeLease(client)).assertStatus(200)
    const start = DateTime.utc().minus({ hours: 2 })
    // Two tills selling at once, each on its own register, their sales interleaved in time
    for (let i = 0; i < 4; i++) {
      await one.sell([{ product: tea, quantity: 1 }], { at: start.plus({ minutes: 10 * i }) })
      await two.sell([{ product: tea, quantity: 1 }], { at: start.plus({ minutes: 10 * i + 3 }) })
    }
    // Several sales in the same second, and one a minute before the previous (a till's clock is
    // kept within a minute of the server's)
    await one.sell([{ product: tea, quantity: 1 }], { at: start.plus({ minutes: 40 }) })
    await one.sell([{ product: tea, quantity: 1 }], { at: start.plus({ minutes: 40 }) })
    await one.sell([{ product: tea, quantity: 1 }], { at: start.plus({ minutes: 39 }) })
    const answers = [await one.syncAll(client, assert), await two.syncAll(client, assert)]
    for (const answer of answers) for (const reviews of reviewsOf(answer)) assert.deepEqual(reviews, [])
    assert.equal(await db.from('offline_reviews').where({ store_id: fixture.store.id }).count('* as n').first().then((row) => Number(row.n)), 0)
  })
})
