import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { transaction } from '#platform/db_transaction'
import { apiErrorBody, isDatabaseUnreachable } from '#exceptions/api_errors'
import { isLostConnection } from '#platform/lost_connections'
import { TcpProxy } from '../faults/tcp_proxy.js'

/*
| Queries sent on a pooled connection the server had closed (app/platform/lost_connections.ts), on
| a real MariaDB: a connection of the test's own, through a TCP proxy that holds the server's close
| of an idle connection until the next query is sent on it (tests/functional/faults/tcp_proxy.ts),
| each of its connections KILLed. A read is run again on a fresh connection; a write outside a
| transaction, which may have been done before its connection went, is not, nor is anything inside
| a transaction (db_transaction.ts decides for the whole). Only on MariaDB.
*/

const PROXY_PORT = Number(process.env.PORT ?? 3334) + 40
const onMariaDb = process.env.DB_CONNECTION === 'mysql'
const NAME = 'through_proxy'
const table = 'lost_connection_rows'

test.group('Queries on a connection the server closed', (group) => {
  let proxy: TcpProxy
  group.setup(async () => {
    if (!onMariaDb) return
    await db.connection().schema.dropTableIfExists(table)
    await db.connection().schema.createTable(table, (t) => {
      t.increments('id')
      t.string('name')
    })
  })
  group.teardown(async () => {
    if (onMariaDb) await db.connection().schema.dropTableIfExists(table)
  })
  group.each.setup(async () => {
    if (!onMariaDb) return
    proxy = await new TcpProxy(PROXY_PORT, { host: process.env.DB_HOST ?? '127.0.0.1', port: Number(process.env.DB_PORT ?? 3306) }).start()
    const config: any = db.manager.get(db.primaryConnectionName)!.config
    db.manager.add(NAME, { ...config, connection: { ...config.connection, port: PROXY_PORT } })
  })
  group.each.teardown(async () => {
    if (!onMariaDb) return
    await db.manager.close(NAME)
    db.manager.release(NAME)
    await proxy.cut()
  })

  /** Opens a few connections through the proxy, then KILLs each of them; the app sees none of it */
  async function killPooledConnections() {
    await Promise.all([1, 2, 3].map(() => db.connection(NAME).rawQuery('SELECT SLEEP(0.05)')))
    proxy.holdCloses()
    const ports = proxy.serverSidePorts()
    const [rows] = await db.rawQuery('SELECT ID AS id, HOST AS host FROM information_schema.PROCESSLIST')
    const ids = (rows as { id: number; host: string }[]).filter((row) => ports.includes(Number(String(row.host).split(':').pop()))).map((row) => Number(row.id))
    for (const id of ids) await db.rawQuery(`KILL CONNECTION ${id}`)
    for (const until = Date.now() + 5000; proxy.serverSidePorts().some((port) => ports.includes(port)) && Date.now() < until; ) await new Promise((resolve) => setTimeout(resolve, 20))
    return ids.length
  }

  test('a read answers, from a fresh connection', async ({ assert }) => {
    assert.equal(await killPooledConnections(), 3)
    const [rows] = await db.connection(NAME).rawQuery('SELECT CONNECTION_ID() AS id')
    assert.isAbove(Number(rows[0].id), 0)
    assert.equal(Number((await db.connection(NAME).from(table).count('* as n'))[0].n), 0)
  })
    .skip(!onMariaDb, 'MariaDB only (DB_CONNECTION=mysql)')
    .timeout(30_000)

  test('a write outside a transaction fails and is not sent again; the next one goes to a fresh connection', async ({ assert }) => {
    await killPooledConnections()
    const error = await db.connection(NAME).table(table).insert({ name: 'once' }).catch((thrown) => thrown)
    assert.equal(error?.code, 'PROTOCOL_CONNECTION_LOST')
    // The proxy never passed it on: sent a second time, it would be there
    assert.equal(Number((await db.from(table).where('name', 'once').count('* as n'))[0].n), 0)
    await db.connection(NAME).table(table).insert({ name: 'next' })
    assert.equal(Number((await db.from(table).where('name', 'next').count('* as n'))[0].n), 1)
  })
    .skip(!onMariaDb, 'MariaDB only (DB_CONNECTION=mysql)')
    .timeout(30_000)

  test('a transaction that meets one fails whole (its read is not run again inside it), and runs whole again on a fresh connection', async ({ assert }) => {
    await killPooledConnections()
    let reads = 0
    const error = await transaction(async (trx) => {
      reads++
      return trx.from(table).count('* as n')
    }, NAME).catch((thrown) => thrown)
    assert.instanceOf(error, Error)
    assert.equal(reads, 1)
    // Run whole again, on a fresh connection, it answers
    const [answer] = await transaction((trx) => trx.from(table).count('* as n'), NAME)
    assert.isAtLeast(Number(answer.n), 0)
  })
    .skip(!onMariaDb, 'MariaDB only (DB_CONNECTION=mysql)')
    .timeout(30_000)

  test('a query on a connection the driver has closed is a database out of reach: 503, not 500', async ({ assert }) => {
    // mysql2 refuses it before sending anything, with no error code of its own
    const { createConnection } = await import('mysql2/promise')
    const config: any = db.manager.get(db.primaryConnectionName)!.config
    const connection = await createConnection({ ...config.connection })
    await connection.end()
    const error = await connection.query('INSERT INTO lost_connection_rows (name) VALUES (?)', ['never']).catch((thrown) => thrown)
    assert.match(String(error?.message), /closed state/)
    assert.isTrue(isLostConnection(error))
    assert.isTrue(isDatabaseUnreachable(error))
    assert.equal(apiErrorBody(error)?.status, 503)
    assert.equal(Number((await db.from(table).where('name', 'never').count('* as n'))[0].n), 0)
  })
    .skip(!onMariaDb, 'MariaDB only (DB_CONNECTION=mysql)')
    .timeout(30_000)

  test('MariaDB\u2019s "Connection was killed" (1927, which mysql2 gives no code) is a lost connection: 503, not 500', async ({ assert }) => {
    const { createConnection } = await import('mysql2/promise')
    const config: any = db.manager.get(db.primaryConnectionName)!.config
    const connection = await createConnection({ ...config.connection })
    connection.on('error', () => {})
    // A connection that kills itself is told so; another's KILL comes as a close, where MaxScale says it
    const error = await connection.query('KILL CONNECTION_ID()').catch((thrown) => thrown)
    assert.equal(error?.errno, 1927)
    assert.isTrue(isLostConnection(error))
    assert.isTrue(isDatabaseUnreachable(error))
    assert.equal(apiErrorBody(error)?.status, 503)
  })
    .skip(!onMariaDb, 'MariaDB only (DB_CONNECTION=mysql)')
    .timeout(30_000)
})
