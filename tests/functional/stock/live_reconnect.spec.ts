import { test } from '@japa/runner'
import { apiToken, createProduct, createStore, PASSWORD } from '#tests/fixtures'
import { LiveStream, signIn } from '#tests/live_client'

/*
| A browser's stream that comes back under the same client uid (the Transmit client keeps its uid
| for the page's life) while the server has not yet noticed the old one closing: a half-open
| socket, a balancer that holds its side open. The old stream's late close must not take the new
| stream's subscriptions with it.
*/

const baseUrl = () => `http://${process.env.HOST}:${process.env.PORT}`
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

test.group('Live updates: a stream back under the same uid', () => {
  test('the old stream closing late leaves the new one subscribed and hearing its store', async ({ client, assert }) => {
    const fixture = await createStore()
    const product = await createProduct(fixture, { stock: 10 })
    const channel = `stores/${fixture.store.id}/stock`
    const session = await signIn(baseUrl(), fixture.users.manager.email, PASSWORD)

    const first = await new LiveStream(session).open()
    assert.equal(await first.subscribe(channel), 204)
    // The page's stream comes back under the same uid while the first is still open to the server
    const second = new LiveStream(session)
    second.uid = first.uid
    await second.open()
    try {
      // The first one closes (its late close, as the server notices it)
      first.close()
      await first.ended
      await sleep(300)

      // The page subscribes again on its new stream, and hears the next change
      assert.equal(await second.subscribe(channel), 204)
      assert.equal(await second.subscribe(`stores/${fixture.store.id}/sales`), 204)
      const token = await apiToken(client, fixture.users.manager)
      const adjusted = await client.post('/api/stock/adjustments').bearerToken(token).json({ reason: 'found', items: [{ product_id: product.id, quantity: 2 }] })
      adjusted.assertStatus(201)
      const heard = await Promise.race([second.waitFor((m) => m.channel === channel && m.payload.reason === 'adjustment'), sleep(5000).then(() => null)])
      assert.deepEqual(heard?.payload.products, [{ id: product.id, stock: 12, low: false }])
      // No message went to the first stream after the second took its place
      assert.lengthOf(first.messages, 0)
    } finally {
      first.close()
      second.close()
    }
  })
})
