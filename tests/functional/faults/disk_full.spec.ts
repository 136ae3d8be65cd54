import { test } from '@japa/runner'
import { randomUUID } from 'node:crypto'
import db from '@adonisjs/lucid/services/db'
import { apiToken, countRows, createProduct, createStore } from '#tests/fixtures'

/*
| The database's disk full: a sale answers 503 saying so (it said "The database is not reachable",
| and the admin looked at the network), nothing of it is written, and the same sale sent again
| once there is room is recorded once. The disk is made full the way SQLite itself sees it: its
| page limit (PRAGMA max_page_count) set to the file's size, so the next write that needs a page
| fails with SQLITE_FULL, as on a full file system. SQLite only: MariaDB on a full disk waits for
| space (its query then meets the request's deadline, tested in query_deadline.spec.ts).
*/

const onSqlite = () => db.connection().dialect.name !== 'mysql'

/** Sets the page limit on every pooled connection of the app (one, for SQLite), or lifts it */
async function limitPages(limit: 'to the file' | 'lifted') {
  const knex = db.connection().getWriteClient()
  const connection = await knex.client.acquireConnection()
  try {
    const pages = Number(connection.pragma('page_count', { simple: true }))
    connection.pragma(`max_page_count = ${limit === 'lifted' ? 1_073_741_823 : pages}`)
  } finally {
    await knex.client.releaseConnection(connection)
  }
}

test.group('The database disk full', (group) => {
  group.each.teardown(async () => {
    if (onSqlite()) await limitPages('lifted')
  })

  test('a sale answers 503 saying the disk is full, writes nothing, and its retry sells once when there is room', async ({ client, assert }) => {
    if (!onSqlite()) return assert.isTrue(true, 'SQLite only')
    const fixture = await createStore()
    const product = await createProduct(fixture, { price: 1000, stock: 1000 })
    const token = await apiToken(client, fixture.users.cashier)
    const sell = (key: string) =>
      client.post('/api/sales').bearerToken(token).header('Idempotency-Key', key).json({ items: [{ product_id: product.id, quantity: 1 }], payment_method: 'cash', tendered: 100_000 })

    await limitPages('to the file')
    // The pages already in the file have some room: sales fill it, and the first that needs a new page is refused
    let refusedKey = ''
    let sold = 0
    for (let i = 0; i < 200 && !refusedKey; i++) {
      const key = randomUUID()
      const answer = await sell(key)
      if (answer.status() === 201) sold++
      else {
        assert.equal(answer.status(), 503)
        assert.equal(answer.header('retry-after'), '5')
        assert.deepEqual(answer.body(), {
          errors: [{ message: 'The database cannot save anything: its disk is full (whoever runs the server must free space); try again once it is put right', code: 'database_unavailable' }],
        })
        refusedKey = key
      }
    }
    assert.isNotEmpty(refusedKey, 'a sale was refused before 200')
    // Nothing of the refused sale: the others, their stock movements, no key
    assert.equal(await countRows('sales', { store_id: fixture.store.id, status: 'completed' }), sold)
    assert.equal(await countRows('stock_movements', { product_id: product.id, reason: 'sale' }), sold)
    assert.equal(await countRows('idempotency_keys', { key: refusedKey }), 0)

    await limitPages('lifted')
    ;(await sell(refusedKey)).assertStatus(201)
    ;(await sell(refusedKey)).assertStatus(201)
    assert.equal(await countRows('sales', { store_id: fixture.store.id, status: 'completed' }), sold + 1)
    const { stock } = await db.from('products').where('id', product.id).select('stock').firstOrFail()
    assert.equal(Number(stock), 1000 - sold - 1)
  })
})
