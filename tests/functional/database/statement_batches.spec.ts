import { test } from '@japa/runner'
import { randomUUID } from 'node:crypto'
import db from '@adonisjs/lucid/services/db'
import { inTransaction } from '#platform/db_transaction'
import { insertedId, insertStatement, runStatements } from '#platform/sql_batch'
import { mysqlRoundTrips, pipelineTransactions } from '#platform/mysql_pipelining'
import env from '#start/env'
import { apiToken, createProduct, createStore } from '#tests/fixtures'
import { REGISTER_COOKIE } from '#sales/till_screen_service'

/*
| Statement batches and transactions that spend no round trip of their own on BEGIN and
| COMMIT (app/platform/sql_batch.ts, app/platform/mysql_pipelining.ts). What they write must be
| the same on SQLite and on MariaDB; the round trips are counted on MariaDB.
*/

const isMysql = () => db.connection().dialect.name === 'mysql'
const parents = 'batch_test_parents'
const children = 'batch_test_children'

async function names(table: string) {
  return (await db.from(table).orderBy('id').select('name')).map((row) => row.name)
}

/**
 * The round trips `work` takes, the fewest of three runs: the counter is the whole process's,
 * and other work (a live update, an earlier test's timers) only ever adds to it
 */
async function fewestRoundTrips(work: () => Promise<unknown>) {
  const counts: number[] = []
  for (let i = 0; i < 3; i++) {
    await new Promise((resolve) => setTimeout(resolve, 30))
    const before = mysqlRoundTrips()
    await work()
    counts.push(mysqlRoundTrips() - before)
  }
  return Math.min(...counts)
}

test.group('Statement batches', (group) => {
  group.setup(async () => {
    await db.connection().schema.dropTableIfExists(children)
    await db.connection().schema.dropTableIfExists(parents)
    await db.connection().schema.createTable(parents, (table) => {
      table.increments('id')
      table.string('name').notNullable().unique()
    })
    await db.connection().schema.createTable(children, (table) => {
      table.increments('id')
      table.integer('parent_id').unsigned().notNullable().references('id').inTable(parents)
      table.string('name').notNullable()
    })
    return async () => {
      await db.connection().schema.dropTableIfExists(children)
      await db.connection().schema.dropTableIfExists(parents)
    }
  })
  group.each.setup(async () => {
    await db.from(children).delete()
    await db.from(parents).delete()
  })

  test('a parent and its children in one batch: the children get the id the database gave the parent', async ({ assert }) => {
    await db.table(parents).insert({ name: 'an earlier one' })
    const results = await inTransaction((trx) =>
      runStatements(
        trx,
        [
          insertStatement(parents, [{ name: 'sale' }]),
          insertStatement(children, [
            { parent_id: insertedId(0), name: 'line 1' },
            { parent_id: insertedId(0), name: 'line 2' },
          ]),
          insertStatement(parents, [{ name: 'other' }]),
          insertStatement(children, [{ parent_id: insertedId(2), name: 'line of other' }]),
          { sql: `SELECT name FROM ${children} WHERE parent_id = ? ORDER BY id`, bindings: [insertedId(0)] },
        ],
        { commit: true }
      )
    )
    assert.lengthOf(results, 5)
    const sale = await db.from(parents).where('name', 'sale').firstOrFail()
    const other = await db.from(parents).where('name', 'other').firstOrFail()
    assert.equal(results[0].insertId, Number(sale.id))
    assert.equal(results[2].insertId, Number(other.id))
    assert.deepEqual(results[4].rows.map((row) => row.name), ['line 1', 'line 2'])
    const lines = await db.from(children).orderBy('id').select('parent_id', 'name')
    assert.deepEqual(
      lines.map((line) => [Number(line.parent_id), line.name]),
      [
        [Number(sale.id), 'line 1'],
        [Number(sale.id), 'line 2'],
        [Number(other.id), 'line of other'],
      ]
    )
  })

  test('a statement may only use the id of one before it', async ({ assert }) => {
    await assert.rejects(
      () => inTransaction((trx) => runStatements(trx, [insertStatement(children, [{ parent_id: insertedId(0), name: 'orphan' }])])),
      /does not come before it/
    )
    assert.deepEqual(await names(children), [])
  })

  test('a transaction that fails after its first batch leaves nothing of it', async ({ assert }) => {
    await assert.rejects(() =>
      inTransaction(async (trx) => {
        // On MariaDB this batch goes with the held-back BEGIN: it must still be rolled back
        await runStatements(trx, [insertStatement(parents, [{ name: 'first' }])])
        await runStatements(trx, [insertStatement(parents, [{ name: 'second' }]), insertStatement(parents, [{ name: 'first' }])], { commit: true })
      })
    )
    assert.deepEqual(await names(parents), [])

    // The connection goes back to the pool in a clean state: the next transaction works as usual
    await inTransaction((trx) => runStatements(trx, [insertStatement(parents, [{ name: 'after' }])], { commit: true }))
    await inTransaction((trx) => trx.table(parents).insert({ name: 'after, with the query builder' }))
    assert.deepEqual(await names(parents), ['after', 'after, with the query builder'])
  })

  test('MariaDB: the first batch, sent with the held-back BEGIN, is not seen by others before the commit', async ({ assert }) => {
    // (SQLite's one connection would wait for the transaction to end: nothing to compare there)
    if (!isMysql()) return assert.isTrue(true, 'one connection on SQLite')
    let seenInside: string[] = []
    let seenOutside: string[] = []
    await inTransaction(async (trx) => {
      await runStatements(trx, [insertStatement(parents, [{ name: 'pending' }])])
      seenInside = (await trx.from(parents).select('name')).map((row) => row.name)
      seenOutside = await names(parents)
    })
    assert.deepEqual(seenInside, ['pending'])
    assert.deepEqual(seenOutside, [])
    assert.deepEqual(await names(parents), ['pending'])
  })

  test('MariaDB: BEGIN goes with the first statements and COMMIT with the last ones', async ({ assert }) => {
    if (!isMysql()) return assert.isTrue(true, 'SQLite runs in-process: no round trips to save')

    let run = 0
    const twoBatches = await fewestRoundTrips(() =>
      inTransaction(async (trx) => {
        run++
        await runStatements(trx, [insertStatement(parents, [{ name: `a${run}` }])])
        await runStatements(trx, [insertStatement(parents, [{ name: `b${run}` }])], { commit: true })
      })
    )
    assert.equal(twoBatches, 2, 'two batches, nothing else')
    assert.deepEqual(await names(parents), ['a1', 'b1', 'a2', 'b2', 'a3', 'b3'])

    // A transaction without a query sends nothing at all
    assert.equal(await fewestRoundTrips(() => inTransaction(async () => {})), 0)

    // Without commit: true, the COMMIT is a round trip of its own, as usual
    assert.equal(await fewestRoundTrips(() => inTransaction((trx) => runStatements(trx, [insertStatement(parents, [{ name: `c${++run}` }])]))), 2)
    assert.lengthOf(await names(parents), 9)
  })

  test('MariaDB: no query runs in a transaction after the batch that committed it', async ({ assert }) => {
    if (!isMysql()) return assert.isTrue(true, 'only MariaDB commits with a batch')
    await assert.rejects(
      () =>
        inTransaction(async (trx) => {
          await runStatements(trx, [insertStatement(parents, [{ name: 'committed' }])], { commit: true })
          await trx.table(parents).insert({ name: 'would run outside the transaction' })
        }),
      /already committed|was committed/
    )
    assert.deepEqual(await names(parents), ['committed'])
  })
})

test.group('Statement batches: a pipelined connection', () => {
  test('MariaDB: a streamed query after a held-back BEGIN still runs inside the transaction', async ({ assert }) => {
    if (!isMysql()) return assert.isTrue(true, 'MariaDB only')
    const mysql = await import('mysql2')
    const connection: any = mysql.createConnection({
      host: env.get('DB_HOST', '127.0.0.1'),
      port: env.get('DB_PORT', 3306),
      user: env.get('DB_USER', 'root'),
      password: env.get('DB_PASSWORD', ''),
      database: env.get('DB_DATABASE'),
      multipleStatements: true,
    })
    pipelineTransactions(connection)
    const run = (sql: string) => new Promise<any>((resolve, reject) => connection.query(sql, (error: Error | null, rows: any) => (error ? reject(error) : resolve(rows))))
    const stream = (sql: string) =>
      new Promise<any[]>((resolve, reject) => {
        const rows: any[] = []
        connection.query(sql).stream().on('data', (row: any) => rows.push(row)).on('end', () => resolve(rows)).on('error', reject)
      })
    try {
      await run('BEGIN;')
      const [row] = await stream('SELECT @@in_transaction AS inside')
      assert.equal(Number(row.inside), 1)
      await run('COMMIT;')
      const [after] = await run('SELECT @@in_transaction AS inside')
      assert.equal(Number(after.inside), 0)
    } finally {
      connection.destroy()
    }
  })
})

test.group('Statement batches: an API sale', () => {
  test('MariaDB: a paid API sale with an Idempotency-Key takes two round trips (three with the live stock read)', async ({ client, assert }) => {
    if (!isMysql()) return assert.isTrue(true, 'SQLite runs in-process')
    const fixture = await createStore()
    const products = await Promise.all([1, 2, 3, 4, 5].map(() => createProduct(fixture, { stock: 50 })))
    const token = await apiToken(client, fixture.users.cashier)
    const sell = () =>
      client
        .post('/api/sales')
        .bearerToken(token)
        .header('Idempotency-Key', randomUUID())
        .json({ items: products.map((p) => ({ product_id: p.id, quantity: 1 })), payment_method: 'cash', tendered: 100_000 })
    // The first request with a token stamps its use, and the first sale of a register reads its devices
    ;(await sell()).assertStatus(201)
    await new Promise((resolve) => setTimeout(resolve, 100))

    const spent = await fewestRoundTrips(async () => (await sell()).assertStatus(201))
    // The token was read by the sale before (identity_cache.ts). BEGIN with the register's lock,
    // the products and the stock update (1); the sale with its lines, payment, movements, chain,
    // audit, summaries and the key that names it, with the COMMIT (2). The live stock update's
    // read runs 10 ms after the commit and may fall inside the request.
    assert.isAtLeast(spent, 2)
    assert.isAtMost(spent, 3)
  })
})

test.group('Statement batches: a till scan', () => {
  test('MariaDB: a scan naming the cart on screen takes two round trips (the first after a sale too), three when its cart must be found', async ({ client, assert }) => {
    if (!isMysql()) return assert.isTrue(true, 'SQLite runs in-process')
    const fixture = await createStore()
    const product = await createProduct(fixture, { stock: 1000 })
    const code = (await db.from('product_barcodes').where('product_id', product.id).first()).code
    const scan = (cartId?: number) => {
      const request = client
        .post('/till/scan')
        .loginAs(fixture.users.cashier)
        .withCsrfToken()
        .withCookie(REGISTER_COOKIE, String(fixture.register.id))
        .header('HX-Request', 'true')
      return (cartId ? request.header('X-Cart-Id', String(cartId)) : request).form({ code })
    }
    const first = await scan()
    first.assertStatus(200)
    const cartId = Number(/data-sale-id="(\d+)"/.exec(first.text())?.[1])

    // BEGIN with the cart (locked), its pending payment, lines, the product and the register (1);
    // the changed line and sale with the COMMIT (2). Without the page's cart id, its lookup first.
    assert.equal(await fewestRoundTrips(async () => (await scan(cartId)).assertStatus(200)), 2)
    assert.equal(await fewestRoundTrips(async () => (await scan()).assertStatus(200)), 3)

    // The next customer's first scan: the completed panel names the cart its sale's COMMIT wrote
    const counts: number[] = []
    for (let i = 0; i < 3; i++) {
      const paid = await client
        .post('/till/payments')
        .loginAs(fixture.users.cashier)
        .withCsrfToken()
        .withCookie(REGISTER_COOKIE, String(fixture.register.id))
        .header('HX-Request', 'true')
        .form({ method: 'cash', tendered: '100000.00' })
      assert.include(paid.text(), 'data-completed-sale')
      const next = Number(/data-sale-id="(\d+)"/.exec(paid.text())?.[1])
      await new Promise((resolve) => setTimeout(resolve, 30))
      const before = mysqlRoundTrips()
      ;(await scan(next)).assertStatus(200)
      counts.push(mysqlRoundTrips() - before)
    }
    assert.equal(Math.min(...counts), 2)
  })
})
