import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { createStore, ledgerSum, type TestStore } from '#tests/fixtures'
import { mysqlRoundTrips } from '#platform/mysql_pipelining'
import { dbTimestamp } from '#platform/db_time'
import { noProgress, writeBatch } from '#inventory/product_csv_batch'
import type { ImportRow } from '#inventory/product_csv_format'

/*
| One batch of a product CSV import (app/inventory/product_csv_batch.ts): on MariaDB a batch of
| 1,000 rows that updates its products is a handful of round trips. Its thousand UPDATEs went one
| round trip each (a 100,000-row re-import took over a minute on MariaDB against 18 s on SQLite). What it writes is checked on
| both databases: the products, their ledger, and the search words of a renamed product (a
| product whose name the row keeps keeps its words, which are the name's already).
*/

const isMysql = () => db.connection().dialect.name === 'mysql'

async function runningImport(fixture: TestStore) {
  const now = dbTimestamp()
  const [id] = await db.table('product_imports').insert({ store_id: fixture.store.id, user_id: fixture.users.manager.id, file_name: 'batch.csv', path: '/nonexistent', status: 'running', created_at: now, updated_at: now })
  return { id: Number(id), fileName: 'batch.csv' }
}

function rows(count: number, stockOf: (i: number) => number, nameOf = (i: number) => `Batch product ${i}`): ImportRow[] {
  return Array.from({ length: count }, (_, index) => {
    const i = index + 1
    return { row: i + 1, sku: `BW-${i}`, name: nameOf(i), barcodes: null, category: null, price: 100 + i, cost: null, taxClass: null, stock: stockOf(i), lowStockThreshold: null, active: null }
  })
}

async function wordsOf(productId: number) {
  return (await db.from('product_words').where('product_id', productId).orderBy('word').select('word')).map((w) => w.word)
}

test.group('Products CSV import: a batch of rows', () => {
  test('1,000 rows created, then updated with new stock and one renamed: the update a few round trips on MariaDB, the ledger and the words right', async ({ assert }) => {
    const fixture = await createStore()
    const job = await runningImport(fixture)
    const { store } = fixture
    const manager = fixture.users.manager
    const taxClasses = new Set(['standard', 'reduced', 'zero'])

    let before = mysqlRoundTrips()
    const first = await writeBatch(store, manager, job, rows(1000, (i) => i % 5), taxClasses, noProgress(), { number: 1, last: false })
    const createTrips = mysqlRoundTrips() - before
    assert.equal(first.progress.created, 1000)

    before = mysqlRoundTrips()
    const second = await writeBatch(store, manager, job, rows(1000, (i) => (i % 5) + 2, (i) => (i === 7 ? 'Renamed tea' : `Batch product ${i}`)), taxClasses, first.progress, { number: 2, last: true })
    const updateTrips = mysqlRoundTrips() - before
    assert.equal(second.progress.updated, 1000)
    assert.equal(second.progress.stockChanges, first.progress.stockChanges + 1000)

    const products = await db.from('products').where('store_id', store.id).orderBy('id').select('id', 'sku', 'name', 'stock', 'price')
    assert.lengthOf(products, 1000)
    for (const product of [products[0], products[6], products[999]]) {
      const i = Number(product.sku.slice(3))
      assert.equal(Number(product.stock), (i % 5) + 2)
      assert.equal(await ledgerSum(product.id), (i % 5) + 2)
    }
    assert.equal(products[6].name, 'Renamed tea')
    assert.deepEqual(await wordsOf(products[6].id), ['renamed', 'tea'])
    assert.deepEqual(await wordsOf(products[0].id), ['1', 'batch', 'product'])
    const ended = await db.from('product_imports').where('id', job.id).first()
    assert.equal(ended.status, 'done')

    if (isMysql()) {
      // Its UPDATEs sent one by one, the updating batch took over 1,000 round trips; the creating
      // one takes 20 (its multi-row INSERTs: sending them together saved no measurable time)
      assert.isAtMost(createTrips, 20, `create: ${createTrips} round trips`)
      assert.isAtMost(updateTrips, 20, `update: ${updateTrips} round trips`)
    }
  }).timeout(120_000)
})
