import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { createStore } from '#tests/fixtures'
import { productsBySku, productsBySkuSql } from '#catalog/sku'
import { dbTimestamp } from '#platform/db_time'

/*
| Finding a file's (or a transfer's) SKUs among a store's products (app/catalog/sku.ts) on SQLite:
| each SKU asked is looked up through the store's NOCASE index of SKUs. The planner, left to
| choose, walked every product of the store once for each SKU asked: a 100,000-row import took 2.5
| minutes, each of its 500-SKU lookups blocking the server's one thread for up to 2 s. The plan is
| checked, not the time: it is the same on any machine.
*/

test.group('Products by SKU on SQLite', () => {
  test('each SKU asked is looked up through the NOCASE index, never by walking the store\u2019s products', async ({ assert }) => {
    const fixture = await createStore()
    const now = dbTimestamp()
    for (let i = 0; i < 25; i++) {
      const rows = Array.from({ length: 200 }, (_, j) => ({ store_id: fixture.store.id, name: `Plan ${i}-${j}`, sku: `PLAN-${fixture.tag}-${i * 200 + j}`, price: 100, cost: 0, created_at: now, updated_at: now }))
      await db.table('products').multiInsert(rows)
    }
    const skus = Array.from({ length: 500 }, (_, i) => (i % 2 ? `plan-${fixture.tag}-${i * 7}` : `PLAN-${fixture.tag}-${i * 7}`))
    const plan = (await db.rawQuery(`EXPLAIN QUERY PLAN ${productsBySkuSql(skus.length, ['stock'], { sqlite: true })}`, [...skus, fixture.store.id])).map((step: any) => String(step.detail))
    assert.include(plan, 'SEARCH p USING INDEX products_store_sku_nocase (store_id=? AND sku=?)')
    assert.isFalse(plan.some((step: string) => /^(SCAN|SEARCH) p USING INDEX products_store_id_\w+ \(store_id=\?\)$/.test(step)), plan.join('\n'))

    // And what it finds: each SKU whatever its case
    const found = await productsBySku(db.connection(), fixture.store.id, skus, ['stock'])
    assert.equal(found.size, 500)
    assert.equal(found.get(`plan-${fixture.tag}-7`)?.sku, `PLAN-${fixture.tag}-7`)
  }).skip(process.env.DB_CONNECTION === 'mysql', 'SQLite only: MariaDB compares SKUs through its collation')
})
