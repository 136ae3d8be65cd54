import { test } from '@japa/runner'
import { randomUUID } from 'node:crypto'
import { apiToken, countRows, createProduct, createStore, PASSWORD } from '#tests/fixtures'
import { appsBehindProxy, signIn } from './app_process.js'

/*
| MariaDB out of reach: a real child server whose DB_PORT is a TCP proxy in front of the run's
| database; the test cuts the proxy (every connection drops, new ones are refused), checks the
| answers, restores it and sells again. Only on MariaDB: SQLite is a file inside the app.
*/

const PORT = Number(process.env.PORT ?? 3334) + 8
const PROXY_PORT = Number(process.env.PORT ?? 3334) + 9
const onMariaDb = process.env.DB_CONNECTION === 'mysql'


test.group('The database out of reach', (group) => {
  const startBehindProxy = appsBehindProxy(group, PORT, PROXY_PORT)

  test('503 database_unavailable with Retry-After while it is cut; sells again once it is back', async ({ client, assert }) => {
    const fixture = await createStore()
    const product = await createProduct(fixture, { price: 1000, stock: 10 })
    const token = await apiToken(client, fixture.users.cashier)
    const { app, proxy } = await startBehindProxy()
    const sell = (key: string) => app.request('/api/sales', { method: 'POST', token, key, body: { items: [{ product_id: product.id, quantity: 1 }], payment_method: 'cash' } })
    const cookie = (await signIn(app, fixture.users.cashier.email, PASSWORD)).header()
    assert.equal((await sell(randomUUID())).status, 201)

    await proxy.cut()
    const key = randomUUID()
    const refused = await sell(key)
    assert.equal(refused.status, 503)
    assert.equal(refused.headers.get('retry-after'), '5')
    assert.deepEqual(await refused.json(), { errors: [{ message: 'The database is not reachable; try again shortly', code: 'database_unavailable' }] })
    const list = await app.request('/api/sales', { token })
    assert.equal(list.status, 503)

    // The till (htmx): its message area says so, and that the cart is kept
    const till = await fetch(`${app.url}/till/search?code=x`, { headers: { 'cookie': cookie, 'hx-request': 'true' } })
    assert.equal(till.status, 503)
    assert.equal(till.headers.get('hx-retarget'), '#till-message')
    assert.include(await till.text(), 'The database is not reachable: your cart is kept, try again')
    // A back-office page: a plain status page
    const page = await fetch(`${app.url}/till`, { headers: { cookie } })
    assert.equal(page.status, 503)
    assert.equal(page.headers.get('retry-after'), '5')
    assert.include(await page.text(), 'Database unavailable')

    await proxy.start()
    const again = await sell(key)
    assert.equal(again.status, 201)
    assert.equal(await countRows('sales', { store_id: fixture.store.id, status: 'completed' }), 2)
  })
    .skip(!onMariaDb, 'MariaDB only (DB_CONNECTION=mysql)')
    .timeout(120_000)

  test('frozen (nothing answers): API sales are answered 503 within seconds, and their retries with the same Idempotency-Key sell each once', async ({ client, assert }) => {
    const fixture = await createStore()
    const product = await createProduct(fixture, { price: 1000, stock: 10 })
    const token = await apiToken(client, fixture.users.cashier)
    const { app, proxy } = await startBehindProxy()
    const sell = (key: string) =>
      app.request('/api/sales', { method: 'POST', token, key, body: { items: [{ product_id: product.id, quantity: 1 }], payment_method: 'cash' }, signal: AbortSignal.timeout(60_000) }).catch((error: Error) => error)
    // Sales at once: the pool holds several connections, open, when the database freezes
    const sold = (await Promise.all([1, 2, 3, 4].map(() => sell(randomUUID())))) as Response[]
    assert.deepEqual(sold.map((answer) => answer.status), [201, 201, 201, 201])

    // The pool's connections stay open and their queries go unanswered: a sale sent on one waited
    // for TCP to give up (no answer within a minute), and so did the integration that sent it. Several
    // at once, so that one at least is sent on a pooled connection (a new one fails in 3 s anyway)
    proxy.freeze()
    const keys = [1, 2, 3, 4].map(() => randomUUID())
    const frozen = await Promise.all(keys.map((key) => sell(key)))
    for (const answer of frozen) {
      assert.notInstanceOf(answer, Error, 'no answer within a minute')
      assert.equal((answer as Response).status, 503)
      assert.equal((answer as Response).headers.get('retry-after'), '5')
    }

    await proxy.restore()
    const again = (await Promise.all(keys.map((key) => sell(key)))) as Response[]
    assert.deepEqual(again.map((answer) => answer.status), [201, 201, 201, 201])
    assert.equal(await countRows('sales', { store_id: fixture.store.id, status: 'completed' }), 8)
  })
    .skip(!onMariaDb, 'MariaDB only (DB_CONNECTION=mysql)')
    .timeout(180_000)

  test('frozen: a manager\u2019s report page and the API\u2019s reads answer 503 once the long deadline passes, not a quarter of an hour later, and 200 at once when it is back', async ({ client, assert }) => {
    const fixture = await createStore()
    const token = await apiToken(client, fixture.users.manager)
    const { app, proxy } = await startBehindProxy({ DB_LONG_QUERY_TIMEOUT_MS: '3000' })
    const cookie = (await signIn(app, fixture.users.manager.email, PASSWORD)).header()
    const signal = () => AbortSignal.timeout(45_000)
    const list = () => app.request('/api/products', { token, signal: signal() }).catch((error: Error) => error)
    const report = () => fetch(`${app.url}/backoffice/reports`, { headers: { cookie }, signal: signal() }).catch((error: Error) => error)
    // Read at once, so the pool holds open connections when the database freezes
    const read = () => Promise.all([list(), list(), report(), report()])
    assert.deepEqual(((await read()) as Response[]).map((answer) => answer.status), [200, 200, 200, 200])

    proxy.freeze()
    for (const answer of await read()) {
      assert.notInstanceOf(answer, Error, 'no answer within 45 s')
      assert.equal((answer as Response).status, 503)
    }
    // Back: the reads right after it answer 200. A read sent on a pooled connection just as the
    // outage's close of it arrived runs again on a fresh one (app/platform/lost_connections.ts):
    // until 2026-12-06 it answered 503 (one run in three here)
    await proxy.restore()
    assert.deepEqual(((await read()) as Response[]).map((answer) => answer.status), [200, 200, 200, 200])
  })
    .skip(!onMariaDb, 'MariaDB only (DB_CONNECTION=mysql)')
    .timeout(120_000)
})
