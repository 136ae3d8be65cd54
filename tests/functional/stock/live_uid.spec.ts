import { test } from '@japa/runner'
import { apiToken, createProduct, createStore, PASSWORD } from '#tests/fixtures'
import { LiveStream, signIn } from '#tests/live_client'

/*
| A Transmit client uid belongs to the user who opened its stream (app/platform/live_streams.ts):
| another signed-in user who learnt it could subscribe it, unsubscribe it, or end its stream by
| opening one under it. uids are random: defence in depth.
*/

const baseUrl = () => `http://${process.env.HOST}:${process.env.PORT}`
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

test.group('Live updates: a client uid is its user\u2019s', () => {
  test('another user may not subscribe, unsubscribe or take the stream of a uid held open by someone else', async ({ client, assert }) => {
    const fixture = await createStore()
    const product = await createProduct(fixture, { stock: 10 })
    const stock = `stores/${fixture.store.id}/stock`
    const sales = `stores/${fixture.store.id}/sales`
    const owner = await new LiveStream(await signIn(baseUrl(), fixture.users.cashier.email, PASSWORD)).open()
    // A colleague of the same store (allowed on its channels) who knows the uid
    const intruder = new LiveStream(await signIn(baseUrl(), fixture.users.manager.email, PASSWORD))
    intruder.uid = owner.uid
    try {
      assert.equal(await owner.subscribe(stock), 204)
      assert.equal(await intruder.subscribe(sales), 403)
      assert.equal(await intruder.unsubscribe(stock), 403)
      await assert.rejects(() => intruder.open(), /answered 403/)

      // The owner's stream is untouched: still open, still subscribed, hearing its store
      const token = await apiToken(client, fixture.users.manager)
      const adjusted = await client.post('/api/stock/adjustments').bearerToken(token).json({ reason: 'found', items: [{ product_id: product.id, quantity: 2 }] })
      adjusted.assertStatus(201)
      const heard = await Promise.race([owner.waitFor((m) => m.channel === stock && m.payload.reason === 'adjustment'), sleep(5000).then(() => null)])
      assert.deepEqual(heard?.payload.products, [{ id: product.id, stock: 12, low: false }])
      assert.isUndefined(owner.messages.find((m) => m.channel === sales), 'not subscribed to sales by the intruder')
      // And its own user still does as before
      assert.equal(await owner.subscribe(sales), 204)
      assert.equal(await owner.unsubscribe(sales), 204)
    } finally {
      owner.close()
      intruder.close()
    }
  })

  test('the same user opening the uid again (the page\u2019s stream back) is still let through', async ({ assert }) => {
    const fixture = await createStore()
    const session = await signIn(baseUrl(), fixture.users.manager.email, PASSWORD)
    const first = await new LiveStream(session).open()
    const second = new LiveStream(session)
    second.uid = first.uid
    try {
      await second.open()
      assert.equal(await second.subscribe(`stores/${fixture.store.id}/stock`), 204)
    } finally {
      first.close()
      second.close()
    }
  })

  test('a stream asked for without a uid is a 400 at its field, not a 500', async ({ assert }) => {
    const fixture = await createStore()
    const session = await signIn(baseUrl(), fixture.users.manager.email, PASSWORD)
    for (const query of ['', '?uid=']) {
      const answer = await session.request(`/__transmit/events${query}`, { headers: { accept: 'text/event-stream' } })
      assert.equal(answer.status, 400)
      assert.equal(((await answer.json()) as any).errors[0].field, 'uid')
    }
  })
})
