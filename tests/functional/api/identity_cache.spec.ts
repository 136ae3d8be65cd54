import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { apiToken, createProduct, createStore, PASSWORD, type TestStore } from '#tests/fixtures'
import { submit } from '#tests/functional/backoffice/helpers'
import { mysqlRoundTrips } from '#platform/mysql_pipelining'
import { userWithStore } from '#staff/access_token_provider'
import User from '#models/user'
import { startServer, waitForServer, type ServerProcess } from '../../../commands/_server.js'

/*
| Who is asking is read once and kept for the next requests of the same token or user for
| AUTH_CACHE_TTL (app/staff/identity_cache.ts). These prove that what the app changes is seen
| at once (in this process, and through Redis in another one), that a kept token's id with a wrong secret
| is still refused, and that a change made behind the app's back is seen once the TTL is over.
*/

const isMysql = () => db.connection().dialect.name === 'mysql'

function storeForm(fixture: TestStore, overrides: Record<string, unknown> = {}) {
  const store = fixture.store
  return {
    name: store.name,
    address: store.address ?? '',
    currency: store.currency,
    time_zone: store.timeZone,
    cash_rounding: String(store.cashRounding),
    receipt_footer: store.receiptFooter ?? '',
    ...overrides,
  }
}

test.group('Who is asking: what the app changes is seen at once', () => {
  test('a kept token is still checked: its id with a wrong secret gets 401', async ({ client }) => {
    const fixture = await createStore()
    const token = await apiToken(client, fixture.users.cashier)
    ;(await client.get('/api/auth/me').bearerToken(token)).assertStatus(200)
    const last = token.at(-1) === 'a' ? 'b' : 'a'
    ;(await client.get('/api/auth/me').bearerToken(token.slice(0, -1) + last)).assertStatus(401)
    ;(await client.get('/api/auth/me').bearerToken(token)).assertStatus(200)
  })

  test('a user deactivated in the back office is refused at once, by token and by session', async ({ client, assert }) => {
    const fixture = await createStore()
    const cashier = fixture.users.cashier
    const token = await apiToken(client, cashier)
    ;(await client.get('/api/auth/me').bearerToken(token)).assertStatus(200)
    ;(await client.get('/till').loginAs(cashier)).assertStatus(200)

    ;(await submit(client, fixture.users.admin, 'delete', `/backoffice/users/${cashier.id}`)).assertStatus(302)

    ;(await client.get('/api/auth/me').bearerToken(token)).assertStatus(401)
    const page = await client.get('/till').loginAs(cashier).redirects(0)
    assert.notEqual(page.status(), 200)
  })

  test('a role changed in the back office applies from the next request', async ({ client }) => {
    const fixture = await createStore()
    const manager = fixture.users.manager
    ;(await client.get('/backoffice/products').loginAs(manager)).assertStatus(200)
    const demoted = await submit(client, fixture.users.admin, 'put', `/backoffice/users/${manager.id}`, {
      name: manager.name,
      email: manager.email,
      role: 'cashier',
      password: '',
      pin: '',
      active: ['', 'on'],
    })
    demoted.assertStatus(302)
    ;(await client.get('/backoffice/products').loginAs(manager).redirects(0)).assertStatus(403)
  })

  test('a store setting changed in the back office applies to the next sale', async ({ client, assert }) => {
    const fixture = await createStore({ allowNegativeStock: false })
    const product = await createProduct(fixture, { stock: 1 })
    const token = await apiToken(client, fixture.users.cashier)
    const sell = () => client.post('/api/sales').bearerToken(token).json({ items: [{ product_id: product.id, quantity: 2 }], payment_method: 'cash', tendered: 100_000 })
    const refused = await sell()
    refused.assertStatus(409)
    assert.equal(refused.body().errors[0].code, 'insufficient_stock')

    const edit = await submit(client, fixture.users.admin, 'put', `/backoffice/stores/${fixture.store.id}`, storeForm(fixture, { allow_negative_stock: ['', 'on'] }))
    edit.assertStatus(302)
    ;(await sell()).assertStatus(201)
  })

  test('each request gets a user and store model of its own from the kept rows', async ({ assert }) => {
    const fixture = await createStore()
    const rows = {
      user: (await db.from('users').where('id', fixture.users.cashier.id).first()) as Record<string, any>,
      store: (await db.from('stores').where('id', fixture.store.id).first()) as Record<string, any>,
    }
    // The first is converted by Lucid; the next ones copy what it consumed
    const [first, second, third] = [userWithStore(User, rows)!, userWithStore(User, rows)!, userWithStore(User, rows)!]
    assert.notStrictEqual(second, third)
    assert.notStrictEqual(second.store, third.store)
    for (const user of [second, third]) {
      assert.deepEqual(user.serialize(), first.serialize())
      assert.deepEqual(user.store.serialize(), first.store.serialize())
      assert.isTrue(user.$isPersisted)
      assert.isFalse(user.$isDirty)
      assert.isFalse(user.store.$isDirty)
      assert.isTrue(user.createdAt.equals(first.createdAt))
    }

    // A change one request makes, saved or not, is its own
    second.name = 'Changed in one request'
    second.store.name = 'Changed store'
    assert.deepEqual(Object.keys(second.$dirty), ['name'])
    assert.equal(third.name, first.name)
    assert.equal(third.store.name, first.store.name)
    assert.isFalse(third.$isDirty)
    await second.save()
    assert.equal((await db.from('users').where('id', second.id).first()).name, 'Changed in one request')
    assert.equal(userWithStore(User, rows)!.name, first.name)
  })

  test('MariaDB: a request of a token read moments ago spends no round trip on who is asking', async ({ client, assert }) => {
    if (!isMysql()) return assert.isTrue(true, 'SQLite runs in-process')
    const fixture = await createStore()
    const token = await apiToken(client, fixture.users.cashier)
    ;(await client.get('/api/auth/me').bearerToken(token)).assertStatus(200)
    // The fewest of three runs: the counter is the whole process's, and other work only adds to it
    const counts: number[] = []
    for (let i = 0; i < 3; i++) {
      const before = mysqlRoundTrips()
      ;(await client.get('/api/auth/me').bearerToken(token)).assertStatus(200)
      counts.push(mysqlRoundTrips() - before)
    }
    assert.equal(Math.min(...counts), 0)
  })
})

/** App servers of their own (child processes on the same database), for what crosses processes */
function serverEnv(port: number, extra: Record<string, string | undefined>) {
  return {
    PORT: String(port),
    HOST: '127.0.0.1',
    NODE_ENV: 'development',
    LOG_LEVEL: 'warn',
    SESSION_DRIVER: 'cookie',
    ...extra,
  }
}

async function login(baseUrl: string, email: string) {
  const response = await fetch(`${baseUrl}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: PASSWORD }),
  })
  return ((await response.json()) as { token: string }).token
}

async function me(baseUrl: string, token: string) {
  return (await fetch(`${baseUrl}/api/auth/me`, { headers: { authorization: `Bearer ${token}` } })).status
}

test.group('Who is asking: across processes', () => {
  test('a change written straight into the database is seen once the kept rows are older than AUTH_CACHE_TTL', async ({ assert }) => {
    const fixture = await createStore()
    const port = Number(process.env.PORT) + 6
    const server: ServerProcess = startServer(new URL('../../../', import.meta.url), serverEnv(port, { AUTH_CACHE_TTL: '700', REDIS_HOST: '' }))
    try {
      await waitForServer(server, port, 90_000)
      const url = `http://127.0.0.1:${port}`
      const token = await login(url, fixture.users.cashier.email)
      assert.equal(await me(url, token), 200)
      const keptSince = Date.now()
      await db.from('users').where('id', fixture.users.cashier.id).update({ active: false })
      // Within the TTL the server answers from the rows it keeps (the change bypassed the app)
      const before = await me(url, token)
      if (Date.now() - keptSince < 600) assert.equal(before, 200)
      await new Promise((resolve) => setTimeout(resolve, 800))
      assert.equal(await me(url, token), 401)
    } finally {
      await server.stop()
    }
  }).timeout(120_000)

  test('through Redis, a logout on server A is refused at once by server B, also after B lost its subscription', async ({ assert }) => {
    const fixture = await createStore()
    const base = Number(process.env.PORT)
    const ports = [base + 7, base + 8]
    // A TTL far longer than the test: only a message through Redis, or a lost subscription, makes B forget
    const servers = ports.map((port) => startServer(new URL('../../../', import.meta.url), serverEnv(port, { AUTH_CACHE_TTL: '600000', REDIS_HOST: process.env.REDIS_HOST })))
    const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
    try {
      await Promise.all(servers.map((server, i) => waitForServer(server, ports[i], 90_000)))
      const [urlA, urlB] = ports.map((port) => `http://127.0.0.1:${port}`)
      const token = await login(urlA, fixture.users.cashier.email)
      const nameOnB = async () => ((await (await fetch(`${urlB}/api/auth/me`, { headers: { authorization: `Bearer ${token}` } })).json()) as { user: { name: string } }).user.name
      // B subscribes on its first read and keeps rows once Redis has acknowledged it
      assert.equal(await me(urlB, token), 200)
      await pause(300)
      assert.equal(await me(urlB, token), 200)
      // B answers from the rows it keeps: a rename behind the app's back does not show
      await db.from('users').where('id', fixture.users.cashier.id).update({ name: 'Renamed Behind The App' })
      assert.equal(await nameOnB(), fixture.users.cashier.name)

      // Redis drops every subscriber: B may miss messages until it is back, so it forgets and reads
      const { default: redis } = await import('@adonisjs/redis/services/main')
      await redis.connection().call('CLIENT', 'KILL', 'TYPE', 'pubsub')
      await pause(500)
      assert.equal(await nameOnB(), 'Renamed Behind The App')
      // ...and subscribes again, then keeps rows and hears A's changes as before
      await pause(300)
      assert.equal(await me(urlB, token), 200)

      const logout = await fetch(`${urlA}/api/auth/logout`, { method: 'POST', headers: { authorization: `Bearer ${token}` } })
      assert.oneOf(logout.status, [200, 204])
      // Redis delivers the message within milliseconds; a second is plenty
      let status = 200
      for (let i = 0; i < 20 && status === 200; i++) {
        await pause(50)
        status = await me(urlB, token)
      }
      assert.equal(status, 401)
    } finally {
      await Promise.all(servers.map((server) => server.stop()))
    }
  })
    .skip(!process.env.REDIS_HOST, 'REDIS_HOST is not set: only Redis carries a change to another server at once')
    .timeout(180_000)
})
