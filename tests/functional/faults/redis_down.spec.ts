import { test } from '@japa/runner'
import type { ChildProcess } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { createProduct, createStore, PASSWORD } from '#tests/fixtures'
import { AppProcess } from './app_process.js'
import { redisCli as cliOn, sleep, startRedis as startRedisOn, stopRedis } from './redis_server.js'

/*
| Redis going away and coming back under a real child server: a redis-server of the test's own
| on a port of its own (started, stopped, started again, empty). Sign-in keeps working, its
| limits keep applying (in the server's memory while Redis is away), and once Redis is back the
| limits, live updates and identity changes go through it again, without a restart.
*/

const PORT = Number(process.env.PORT ?? 3334) + 10
const REDIS_PORT = Number(process.env.PORT ?? 3334) + 11

const startRedis = () => startRedisOn(REDIS_PORT)
const redisCli = (...args: string[]) => cliOn(REDIS_PORT, ...args)

test.group('Redis out of reach', (group) => {
  let redis: ChildProcess | null = null
  let app: AppProcess | null = null
  group.each.teardown(async () => {
    await app?.stop()
    if (redis) await stopRedis(redis)
    app = redis = null
  })

  test('sign-in and selling work and sign-in is limited while Redis is down, and Redis is used again once it is back', async ({ assert }) => {
    const fixture = await createStore()
    const email = fixture.users.cashier.email
    const product = await createProduct(fixture, { stock: 100 })
    redis = await startRedis()
    app = await new AppProcess(PORT, { REDIS_HOST: '127.0.0.1', REDIS_PORT: String(REDIS_PORT), LOG_LEVEL: 'info' }).start()
    const login = (as: string, password = PASSWORD) => app!.request('/api/auth/login', { method: 'POST', body: { email: as, password } })
    /** Wrong passwords until the limit answers 429: how many were refused with 401 first */
    const failuresUntilBlocked = async (as: string) => {
      for (let failures = 0; failures < 10; failures++) {
        const response = await login(as, 'wrong-password')
        if (response.status === 429) return failures
        assert.equal(response.status, 401)
      }
      return Infinity
    }

    /** Signs in and asks who it is: an identity read, which listens for identity changes on Redis */
    const signedIn = async () => {
      const response = await login(email)
      assert.equal(response.status, 200)
      const { token } = (await response.json()) as any
      return (await app!.request('/api/auth/me', { token })).status
    }
    /** The channels Redis has subscribers on, once both the identity and live update ones are there (or after 10 s) */
    const channels = async () => {
      let names = ''
      for (let attempt = 0; attempt < 40; attempt++) {
        await signedIn()
        names = redisCli('pubsub', 'channels')
        if (/identity/.test(names) && /transmit/.test(names)) break
        await sleep(250)
      }
      return names
    }

    assert.equal(await signedIn(), 200)
    assert.equal(await failuresUntilBlocked(`a-${randomUUID()}@example.com`), 5)
    assert.isAbove(Number(redisCli('dbsize')), 0, 'the limits are kept in Redis')
    const before = await channels()
    assert.match(before, /identity/, 'identity changes are heard through Redis')
    assert.match(before, /transmit/, 'live updates travel through Redis')

    /** A paid API sale: its live update (stock and sales channels) goes through Redis after the commit */
    const sell = async () => {
      const { token } = (await (await login(email)).json()) as any
      const body = { items: [{ product_id: product.id, quantity: 1 }], payment_method: 'cash', tendered: 100_000 }
      return (await app!.request('/api/sales', { method: 'POST', token, key: randomUUID(), body })).status
    }
    assert.equal(await sell(), 201)

    await stopRedis(redis)
    redis = null
    for (let i = 0; i < 3; i++) assert.equal(await signedIn(), 200)
    // The till keeps selling: the live updates that cannot go out are dropped, not the server
    for (let i = 0; i < 3; i++) assert.equal(await sell(), 201)
    await sleep(500)
    assert.equal(await signedIn(), 200, 'the server still answers after the failed live updates')
    assert.equal(await failuresUntilBlocked(`b-${randomUUID()}@example.com`), 5, 'the limit still applies, in memory')
    assert.equal(app.output.split('Redis is unreachable').length - 1, 1, 'one warning for the outage')

    redis = await startRedis()
    // The server reconnects by itself (every 2 s at most): a failed sign-in lands in Redis once it has
    let backInRedis = false
    for (let attempt = 0; attempt < 40 && !backInRedis; attempt++) {
      await login(`c-${randomUUID()}@example.com`, 'wrong-password')
      backInRedis = Number(redisCli('dbsize')) > 0
      if (!backInRedis) await sleep(250)
    }
    assert.isTrue(backInRedis, 'the limits are kept in Redis again')
    assert.equal(await signedIn(), 200)
    assert.equal(await failuresUntilBlocked(`d-${randomUUID()}@example.com`), 5)
    const resubscribed = await channels()
    assert.match(resubscribed, /identity/)
    assert.match(resubscribed, /transmit/)
    assert.include(app.output, 'Redis is reachable again')
    assert.equal(await sell(), 201)
    // Each connection reports its errors: none printed "[ioredis] Unhandled error event" to stderr
    assert.notMatch(app.output + app.errors, /unhandled/i, 'no unhandled error or rejection')
    assert.equal(app.output.split('Live updates cannot reach Redis').length - 1, 1, 'one warning for the outage')
    assert.include(app.output, 'Live updates reach Redis again')
  }).timeout(120_000)
})
