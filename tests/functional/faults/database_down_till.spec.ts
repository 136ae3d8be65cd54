import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { createProduct, createStore, PASSWORD, type TestStore } from '#tests/fixtures'
import { TestDevice } from '../offline/device.js'
import { AppProcess, appsBehindProxy, signIn } from './app_process.js'

/*
| The database gone while a till sells: a real child server whose DB_PORT is a TCP proxy in front
| of MariaDB, cut (connections dropped, new ones refused), frozen (nothing answers: the pool's
| connections hang and new ones are never greeted) or cut in the middle of a request. Every request
| a till makes must then be answered 503 with Retry-After within a few seconds (the till turns
| offline on it: resources/js/offline/net.js, till.js), never hang and never be a 500; and the
| till's heartbeat (/health/till) must say the database is gone. Only on MariaDB.
*/

const PORT = Number(process.env.PORT ?? 3334) + 12
const PROXY_PORT = Number(process.env.PORT ?? 3334) + 13
const onMariaDb = process.env.DB_CONNECTION === 'mysql'
// What "a few seconds" is: the till itself gives up on a request after 8 s (net.js)
const QUICK_MS = 6_000

interface Till {
  cookie: string
  token: string
}

async function openTill(app: AppProcess, fixture: TestStore): Promise<Till> {
  const jar = await signIn(app, fixture.users.cashier.email, PASSWORD)
  const first = await fetch(`${app.url}/till`, { headers: { cookie: jar.header() } })
  jar.keep(first)
  const token = /"x-csrf-token": "([^"]+)"/.exec(await first.text())![1]
  const chosen = await fetch(`${app.url}/till/register`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'cookie': jar.header(), 'content-type': 'application/x-www-form-urlencoded', 'x-csrf-token': token },
    body: new URLSearchParams({ register_id: String(fixture.register.id) }),
  })
  jar.keep(chosen)
  return { cookie: jar.header(), token }
}

/** Every request a till makes, as it makes it (htmx's, the offline till's JSON, the page, the heartbeat) */
function tillRequests(app: AppProcess, till: Till, device: TestDevice, barcode: string) {
  const htmx = (method: string, path: string, form?: Record<string, string>) =>
    fetch(app.url + path, {
      method,
      headers: { 'cookie': till.cookie, 'hx-request': 'true', 'x-csrf-token': till.token, 'x-till-device': device.deviceId, ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
      body: form ? new URLSearchParams(form) : undefined,
    })
  const json = (method: string, path: string, body?: unknown) =>
    fetch(app.url + path, {
      method,
      headers: { 'cookie': till.cookie, 'accept': 'application/json', 'x-csrf-token': till.token, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    })
  return {
    'scan': () => htmx('POST', '/till/scan', { code: barcode }),
    'search': () => htmx('GET', '/till/search?code=Bre'),
    'payment': () => htmx('POST', '/till/payments', { method: 'cash', tendered: '10.00' }),
    'settings': () => json('GET', '/till/offline/settings'),
    'lease': () => json('POST', '/till/offline/lease', { device_id: device.deviceId, register_id: device.registerId, pending: device.queue.length }),
    'sync': () => json('POST', '/till/offline/sales', { sales: device.queue }),
    'page reload': () => fetch(`${app.url}/till`, { headers: { cookie: till.cookie } }),
    'heartbeat': () => fetch(`${app.url}/health/till`, { headers: { cookie: till.cookie } }),
  }
}

async function timed(request: () => Promise<Response>) {
  const started = Date.now()
  const response = await request()
  await response.text()
  return { status: response.status, ms: Date.now() - started, retryAfter: response.headers.get('retry-after') }
}

test.group('The database gone while a till sells', (group) => {
  const startBehindProxy = appsBehindProxy(group, PORT, PROXY_PORT)

  async function setUp() {
    const fixture = await createStore()
    const bread = await createProduct(fixture, { name: 'Bread', price: 400, barcode: '96385074', stock: 100 })
    // A small pool: more requests at once than it holds, as on a busy store
    const { app, proxy } = await startBehindProxy({ SESSION_DRIVER: 'cookie', DB_POOL_MAX: '4' })
    const till = await openTill(app, fixture)
    // The till's register leased to its device, and one sale made offline, waiting to sync
    const device = new TestDevice(fixture)
    const requests = tillRequests(app, till, device, '96385074')
    const lease = await requests.lease()
    const head: any = await lease.json()
    device.lastNumber = head.last_number
    device.lastHash = head.last_hash
    await device.sell([{ product: bread, quantity: 1 }])
    return { fixture, till, requests, device, proxy }
  }

  for (const how of ['cut', 'frozen', 'cut in the middle of requests'] as const) {
    test(`database ${how}: each till request answered 503 with Retry-After within a few seconds; served again once it is back`, async ({ assert }) => {
      const { requests, device, proxy } = await setUp()
      assert.equal((await timed(requests.scan)).status, 200)
      assert.equal((await timed(requests.heartbeat)).status, 200)

      if (how === 'cut') await proxy.cut()
      else proxy.freeze()
      const answers: Record<string, unknown> = {}
      // All at once, as a busy till's requests meet the outage (and more than the pool holds)
      const first = Promise.all(Object.entries(requests).map(async ([name, request]) => (answers[name] = await timed(request))))
      // Their queries sent and unanswered, the connections drop
      if (how === 'cut in the middle of requests') setTimeout(() => proxy.cut(), 1000)
      await first
      // And again: the pool's connections are gone (or still hang) by now
      for (const [name, request] of Object.entries(requests)) answers[`${name} again`] = await timed(request)
      for (const [name, answer] of Object.entries(answers) as [string, { status: number; ms: number; retryAfter: string | null }][]) {
        assert.equal(answer.status, 503, `${name}: ${JSON.stringify(answer)}`)
        assert.isBelow(answer.ms, QUICK_MS, `${name}: ${JSON.stringify(answer)}`)
        if (name !== 'heartbeat' && name !== 'heartbeat again') assert.equal(answer.retryAfter, '5', name)
      }

      await proxy.restore()
      assert.equal((await timed(requests.heartbeat)).status, 200)
      assert.equal((await timed(requests.scan)).status, 200)
      // The offline sale syncs, once, however many of its sends met the outage
      assert.equal((await timed(requests.sync)).status, 200)
      assert.equal((await timed(requests.sync)).status, 200)
      const recorded = await db.from('sales').where({ client_uuid: device.queue[0].client_uuid }).count('* as n')
      assert.equal(Number(recorded[0].n), 1)
    })
      .skip(!onMariaDb, 'MariaDB only (DB_CONNECTION=mysql)')
      .timeout(180_000)
  }

  test('a sync whose COMMIT reached the database and whose answer never came: 503 within seconds, and the sale sent again is recorded once (replayed)', async ({ assert }) => {
    const { requests, device, proxy } = await setUp()
    const uuid = device.queue[0].client_uuid
    proxy.freezeAfter(new RegExp(uuid), /COMMIT/)
    const lost = await timed(requests.sync)
    assert.equal(lost.status, 503, JSON.stringify(lost))
    assert.isBelow(lost.ms, QUICK_MS)

    await proxy.restore()
    // It did commit: the outcome was unknown, so nothing ran it again
    const count = async () => Number((await db.from('sales').where({ client_uuid: uuid }).count('* as n'))[0].n)
    assert.equal(await count(), 1)
    const again = await requests.sync()
    assert.equal(again.status, 200)
    const body: any = await again.json()
    assert.equal(body.results[0].outcome, 'replayed')
    assert.equal(await count(), 1)
  })
    .skip(!onMariaDb, 'MariaDB only (DB_CONNECTION=mysql)')
    .timeout(120_000)

  test('an online payment whose COMMIT reached the database and whose answer never came: 503 within seconds; the sale is completed once, and paying again completes nothing more', async ({ assert }) => {
    const { fixture, requests, proxy } = await setUp()
    assert.equal((await timed(requests.scan)).status, 200)
    const completed = async () => Number((await db.from('sales').where({ register_id: fixture.register.id, status: 'completed' }).count('* as n'))[0].n)
    proxy.freezeAfter(/`payments`/, /COMMIT/)
    const lost = await timed(requests.payment)
    assert.equal(lost.status, 503, JSON.stringify(lost))
    assert.isBelow(lost.ms, QUICK_MS)

    await proxy.restore()
    assert.equal(await completed(), 1)
    // The cashier pays again (the page back): the cart is the next one, empty; nothing more is sold
    const again = await timed(requests.payment)
    assert.notEqual(again.status, 500)
    assert.notEqual(again.status, 503)
    assert.equal(await completed(), 1)
  })
    .skip(!onMariaDb, 'MariaDB only (DB_CONNECTION=mysql)')
    .timeout(120_000)
})
