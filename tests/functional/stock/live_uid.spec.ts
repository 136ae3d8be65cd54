import { test } from '@japa/runner'
import { apiToken, createProduct, createStore, PASSWORD } from '#tests/fixtures'
import { LiveStream, signIn } from '#tests/live_client'
import { startServer, waitForServer, type ServerProcess } from '../../../commands/_server.js'

/*
| A Transmit client uid belongs to the user who opened its stream (app/platform/live_streams.ts):
| another signed-in user who learnt it could subscribe it, unsubscribe it, or end its stream by
| opening one under it. uids are random: defence in depth. With several app servers a uid's stream
| and subscriptions live on one server only: another server knows nothing of it, and what a user
| opens there under it is their own (see the comment in live_streams.ts).
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

  test('with two app servers, a uid taken to the server not holding its stream gets its owner\u2019s messages to no one else', async ({ assert }) => {
    const mine = await createStore()
    const theirs = await createStore()
    const product = await createProduct(mine, { stock: 10 })
    const stock = `stores/${mine.store.id}/stock`
    const ports = [Number(process.env.PORT) + 26, Number(process.env.PORT) + 27]
    // Signed-cookie sessions (the test runner's own are in memory), so either server reads them
    const env = (port: number) => ({ PORT: String(port), HOST: '127.0.0.1', NODE_ENV: 'development', LOG_LEVEL: 'warn', SESSION_DRIVER: 'cookie', REDIS_HOST: process.env.REDIS_HOST })
    const servers: ServerProcess[] = ports.map((port) => startServer(new URL('../../../', import.meta.url), env(port)))
    const streams: LiveStream[] = []
    try {
      await Promise.all(servers.map((server, i) => waitForServer(server, ports[i], 90_000)))
      const [one, two] = ports.map((port) => `http://127.0.0.1:${port}`)
      const owner = await new LiveStream(await signIn(one, mine.users.cashier.email, PASSWORD)).open()
      streams.push(owner)
      assert.equal(await owner.subscribe(stock), 204)

      // Another store's user with the owner's uid, on the other server: no stream of it there
      const intruder = new LiveStream(await signIn(two, theirs.users.manager.email, PASSWORD))
      intruder.uid = owner.uid
      streams.push(intruder)
      assert.equal(await intruder.subscribe(`stores/${theirs.store.id}/stock`), 400)
      // A stream opened under it there is the intruder's own: the owner's store stays refused
      await intruder.open()
      assert.notEqual(await intruder.subscribe(stock), 204)
      assert.equal(await intruder.subscribe(`stores/${theirs.store.id}/stock`), 204)

      const login = await fetch(`${one}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: mine.users.manager.email, password: PASSWORD }) })
      const { token } = (await login.json()) as { token: string }
      const adjusted = await fetch(`${two}/api/stock/adjustments`, { method: 'POST', headers: { 'content-type': 'application/json', 'authorization': `Bearer ${token}` }, body: JSON.stringify({ reason: 'found', items: [{ product_id: product.id, quantity: 2 }] }) })
      assert.equal(adjusted.status, 201)
      const heard = await Promise.race([owner.waitFor((m) => m.channel === stock && m.payload.reason === 'adjustment'), sleep(10_000).then(() => null)])
      assert.deepEqual(heard?.payload.products, [{ id: product.id, stock: 12, low: false }], 'the owner hears its store through Redis')
      await sleep(500)
      assert.isEmpty(intruder.messages.filter((m) => m.channel === stock))
    } finally {
      for (const stream of streams) stream.close()
      await Promise.all(servers.map((server) => server.stop()))
    }
  })
    .skip(!process.env.REDIS_HOST, 'REDIS_HOST is not set: two servers need Redis to share broadcasts')
    .timeout(180_000)

  test('a stream asked for without a uid is a 400 at its field, not a 500', async ({ assert }) => {
    const fixture = await createStore()
    const session = await signIn(baseUrl(), fixture.users.manager.email, PASSWORD)
    for (const query of ['', '?uid=']) {
      const answer = await session.request(`/__transmit/events${query}`, { headers: { accept: 'text/event-stream' } })
      assert.equal(answer.status, 400)
      assert.equal(((await answer.json()) as any).errors[0].field, 'uid')
    }
  })

  test('a subscribe or unsubscribe without its uid or channel is a 400 at the field, not a 500', async ({ assert }) => {
    const fixture = await createStore()
    const session = await signIn(baseUrl(), fixture.users.cashier.email, PASSWORD)
    const stream = await new LiveStream(session).open()
    const channel = `stores/${fixture.store.id}/stock`
    try {
      for (const path of ['/__transmit/subscribe', '/__transmit/unsubscribe']) {
        for (const [body, field] of [[{ channel }, 'uid'], [{ uid: stream.uid }, 'channel'], [{ uid: stream.uid, channel: ['a', 'b'] }, 'channel'], [{ uid: 7, channel }, 'uid']] as const) {
          const answer = await session.request(path, { method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': session.csrf }, body: JSON.stringify(body) })
          assert.equal(answer.status, 400, `${path} ${JSON.stringify(body)}`)
          assert.equal(((await answer.json()) as any).errors[0].field, field)
        }
      }
      // As sent by live.js, still taken
      assert.equal(await stream.subscribe(channel), 204)
      assert.equal(await stream.unsubscribe(channel), 204)
    } finally {
      stream.close()
    }
  })
})
