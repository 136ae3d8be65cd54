import { test } from '@japa/runner'
import type { ApiClient } from '@japa/api-client'
import type { Assert } from '@japa/assert'
import { randomUUID } from 'node:crypto'
import db from '@adonisjs/lucid/services/db'
import { apiToken, countRows, createProduct, createStore, PASSWORD } from '#tests/fixtures'
import { appsBehindProxy, signIn } from './app_process.js'
import { TcpProxy } from './tcp_proxy.js'

/*
| The server closes every pooled connection of the app (KILL, as a restart, a failover or
| wait_timeout does) and the app learns of it only from its next query: a real child server whose
| DB_PORT is a TCP proxy in front of the run's MariaDB, which holds each close until the app sends
| on that connection. Without the hold, the app on this machine sees the close before the next
| request comes in, and the race (the close arriving just as a read is sent: a 503 right after an
| outage) cannot be had on demand. Reads run again once on a fresh connection and answer 200
| (app/platform/lost_connections.ts); a sale is run again whole by its transaction, as before.
| Only on MariaDB: SQLite has no pool of server connections.
*/

const PORT = Number(process.env.PORT ?? 3334) + 39
const PROXY_PORT = Number(process.env.PORT ?? 3334) + 40
const onMariaDb = process.env.DB_CONNECTION === 'mysql'

/**
 * KILLs (from the test's own connection) every connection the app has open through the proxy,
 * once none is running a query (the app's work after its last answer done); answers how many
 */
async function killAppConnections(proxy: TcpProxy): Promise<number> {
  const ports = proxy.serverSidePorts()
  const appRows = async () => {
    const [rows] = await db.rawQuery('SELECT ID AS id, HOST AS host, COMMAND AS command FROM information_schema.PROCESSLIST')
    return (rows as { id: number; host: string; command: string }[]).filter((row) => ports.includes(Number(String(row.host).split(':').pop())))
  }
  for (const until = Date.now() + 5000; (await appRows()).some((row) => row.command !== 'Sleep') && Date.now() < until; ) await new Promise((resolve) => setTimeout(resolve, 20))
  const ids = (await appRows()).map((row) => Number(row.id))
  for (const id of ids) await db.rawQuery(`KILL CONNECTION ${id}`)
  // Closed on the server's side: the proxy has seen each of them end
  const open = () => proxy.serverSidePorts().filter((port) => ports.includes(port)).length
  for (const until = Date.now() + 5000; open() && Date.now() < until; ) await new Promise((resolve) => setTimeout(resolve, 20))
  return ids.length
}

test.group('Pooled connections the database closed', (group) => {
  const start = appsBehindProxy(group, PORT, PROXY_PORT)

  test('a back-office page, and an API read, each right after every connection was killed, answer 200', async ({ client, assert }) => {
    const fixture = await createStore()
    const token = await apiToken(client, fixture.users.manager)
    const { app, proxy } = await start()
    const cookie = (await signIn(app, fixture.users.manager.email, PASSWORD)).header()
    const list = () => app.request('/api/products', { token })
    const report = () => fetch(`${app.url}/backoffice/reports`, { headers: { cookie } })
    // Read at once, so the pool holds several connections: a read's second try must not get another dead one
    const warm = () => Promise.all([list(), list(), report(), report()])
    assert.deepEqual((await warm()).map((answer) => answer.status), [200, 200, 200, 200])
    proxy.holdCloses()

    assert.isAbove(await killAppConnections(proxy), 1)
    const page = await report()
    assert.equal(page.status, 200, await page.clone().text().then((text) => text.slice(0, 300)))
    assert.include(await page.text(), 'Reports')

    // Again, the API first this time (its token is read then, the identity cache notwithstanding: a new token)
    assert.deepEqual((await warm()).map((answer) => answer.status), [200, 200, 200, 200])
    assert.isAbove(await killAppConnections(proxy), 1)
    const read = await app.request('/api/products', { token: await apiToken(client, fixture.users.admin) })
    assert.equal(read.status, 200, await read.clone().text())
    assert.isArray(((await read.json()) as { data: unknown }).data)
  })
    .skip(!onMariaDb, 'MariaDB only (DB_CONNECTION=mysql)')
    .timeout(60_000)

  /**
   * An API read waits on a table the test holds; the test KILLs the app's connection that waits,
   * then lets the table go: the read answers 200 from a fresh connection. `said`: the kill comes to
   * the app as "Connection was killed" (1927, as MaxScale or a node leaving says it), not as a close
   */
  async function readKilledWhileItRuns(client: ApiClient, assert: Assert, said: boolean) {
    const fixture = await createStore()
    const token = await apiToken(client, fixture.users.manager)
    const { app, proxy } = await start()
    assert.equal((await app.request('/api/products', { token })).status, 200)
    if (said) proxy.sayKilled()
    // The test's own connection holds the products table, so the app's read waits in the server
    const { createConnection } = await import('mysql2/promise')
    const config: any = db.manager.get(db.primaryConnectionName)!.config
    const holder = await createConnection({ ...config.connection })
    try {
      await holder.query('LOCK TABLES products WRITE')
      const read = app.request('/api/products', { token })
      const ports = proxy.serverSidePorts()
      let waiting: number | undefined
      for (const until = Date.now() + 10_000; !waiting && Date.now() < until; await new Promise((resolve) => setTimeout(resolve, 20))) {
        const [rows] = await db.rawQuery("SELECT ID AS id, HOST AS host FROM information_schema.PROCESSLIST WHERE STATE LIKE '%metadata lock%'")
        waiting = (rows as { id: number; host: string }[]).find((row) => ports.includes(Number(String(row.host).split(':').pop())))?.id
      }
      assert.isDefined(waiting, 'the app\u2019s read waits on the table')
      await db.rawQuery(`KILL CONNECTION ${waiting}`)
      await holder.query('UNLOCK TABLES')
      const answer = await read
      assert.equal(answer.status, 200, await answer.clone().text())
      assert.isArray(((await answer.json()) as { data: unknown }).data)
    } finally {
      await holder.end()
    }
  }

  test('an API read whose connection is killed while it runs (a DBA\u2019s KILL) answers 200, from a fresh connection', async ({ client, assert }) => {
    await readKilledWhileItRuns(client, assert, false)
  })
    .skip(!onMariaDb, 'MariaDB only (DB_CONNECTION=mysql)')
    .timeout(60_000)

  test('one whose kill is said ("Connection was killed", 1927) answers 200 too, from a fresh connection', async ({ client, assert }) => {
    await readKilledWhileItRuns(client, assert, true)
  })
    .skip(!onMariaDb, 'MariaDB only (DB_CONNECTION=mysql)')
    .timeout(60_000)

  test('a sale whose connection was killed is run again whole by its transaction: 201, one sale', async ({ client, assert }) => {
    const fixture = await createStore()
    const product = await createProduct(fixture, { price: 1000, stock: 10 })
    const token = await apiToken(client, fixture.users.cashier)
    // The token is kept from the first sale on (no Redis: kept in the server's memory), so the
    // first query after the kill is the sale's own, in its transaction
    const { app, proxy } = await start({ REDIS_HOST: '', AUTH_CACHE_TTL: '60000' })
    const sell = (key: string) => app.request('/api/sales', { method: 'POST', token, key, body: { items: [{ product_id: product.id, quantity: 1 }], payment_method: 'cash' } })
    assert.equal((await sell(randomUUID())).status, 201)
    proxy.holdCloses()
    assert.isAtLeast(await killAppConnections(proxy), 1)
    const key = randomUUID()
    const sold = await sell(key)
    assert.equal(sold.status, 201, await sold.clone().text())
    // Sent again with its key: answered from the first, not sold twice
    const again = await sell(key)
    assert.equal(again.headers.get('idempotent-replayed'), 'true')
    assert.equal(await countRows('sales', { store_id: fixture.store.id, status: 'completed' }), 2)
  })
    .skip(!onMariaDb, 'MariaDB only (DB_CONNECTION=mysql)')
    .timeout(60_000)
})
