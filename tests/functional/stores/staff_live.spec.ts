import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { apiToken, createProduct, createStore, PASSWORD } from '#tests/fixtures'
import { LiveStream, signIn } from '#tests/live_client'
import { submit } from '#tests/functional/backoffice/helpers'
import { dbTimestamp } from '#platform/db_time'

const baseUrl = () => `http://${process.env.HOST}:${process.env.PORT}`

test.group('Stores: staff taken off a store and its live updates', () => {
  test("someone taken off a store's staff stops hearing its sales: their open stream ends, and opened again it is refused that store", async ({ client, assert }) => {
    const a = await createStore()
    const b = await createStore()
    const product = await createProduct(b, { stock: 10 })
    // B's admin works in A too, so A's manager is among the people they may add to B's staff
    await db.table('store_users').insert({ store_id: a.store.id, user_id: b.users.admin.id, created_at: dbTimestamp() })
    // (every fixture store gives its manager the same PIN, which B's staff refuses twice)
    await db.from('users').where('id', a.users.manager.id).update({ pin: null, pin_digest: null })
    const staff = (ids: number[]) => submit(client, b.users.admin, 'post', `/backoffice/stores/${b.store.id}/staff`, { 'user_ids[]': ids.map(String) }, `/backoffice/stores/${b.store.id}/edit`)
    ;(await staff([a.users.manager.id])).assertStatus(302)
    assert.lengthOf(await db.from('store_users').where({ store_id: b.store.id, user_id: a.users.manager.id }), 1)

    // A's manager works in B for a while: switches to it, and a page of B listens to its sales
    const session = await signIn(baseUrl(), a.users.manager.email, PASSWORD)
    const switched = await session.request('/stores/switch', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: session.csrf, store_id: String(b.store.id) }).toString(),
    })
    assert.equal(switched.status, 302)
    const stream = await new LiveStream(session).open()
    let again: LiveStream | null = null
    try {
      assert.equal(await stream.subscribe(`stores/${b.store.id}/sales`), 204)

      // Taken off B's staff: the stream opened while they worked there ends (it went on carrying
      // B's sales to their open page for as long as that page stayed open)
      const removed = await staff([])
      removed.assertStatus(302)
      assert.lengthOf(await db.from('store_users').where({ store_id: b.store.id, user_id: a.users.manager.id }), 0)
      const ended = await Promise.race([stream.ended.then(() => true), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 3000))])
      assert.isTrue(ended, 'the stream of a person taken off the store is still open')

      // The page opens its stream again: B's channel is refused with the code live.js stops on
      again = await new LiveStream(session).open()
      const refused = await session.request('/__transmit/subscribe', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-csrf-token': session.csrf },
        body: JSON.stringify({ uid: again.uid, channel: `stores/${b.store.id}/sales` }),
      })
      assert.equal(refused.status, 409)
      assert.equal(((await refused.json()) as any).errors[0].code, 'store_changed')

      // A sale in B reaches neither stream
      const token = await apiToken(client, b.users.cashier)
      ;(await client.post('/api/sales').bearerToken(token).json({ items: [{ product_id: product.id, quantity: 1 }], payment_method: 'cash' })).assertStatus(201)
      await new Promise((resolve) => setTimeout(resolve, 500))
      assert.deepEqual(stream.messages.filter((m) => m.channel === `stores/${b.store.id}/sales` && m.payload.sales), [])
      assert.deepEqual(again.messages, [])
    } finally {
      stream.close()
      again?.close()
    }
  })
})
