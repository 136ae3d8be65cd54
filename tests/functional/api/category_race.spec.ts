import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { apiToken, createStore } from '#tests/fixtures'
import { submit } from '#tests/functional/backoffice/helpers'
import CategoryService, { categoryIdNamed } from '#catalog/category_service'
import { inTransaction } from '#platform/db_transaction'
import { dbTimestamp } from '#platform/db_time'
import { mergeDuplicateCategories } from '#database/migrations/0125_category_name_unique'

/*
| One category per name in a store, whatever its case, on both databases: a unique key (MariaDB's
| on (store_id, name) compares by its _ci collation; SQLite's index of migration 0125 by NOCASE),
| and a create that loses the race to it answers with the category the winner made. Two requests
| naming a new category at once made two of one name, or a 500.
*/

const named = (storeId: number, name: string) => db.from('categories').where('store_id', storeId).whereRaw('LOWER(name) = ?', [name.toLowerCase()]).select('id', 'name')

test.group('Categories: one per name', () => {
  test('concurrent creates of one name (API products, the form, the service in any case) make one category and no 500', async ({ client, assert }) => {
    const fixture = await createStore()
    const token = await apiToken(client, fixture.users.manager)
    const api = Array.from({ length: 6 }, (_, i) => client.post('/api/products').bearerToken(token).json({ name: `Basil ${i}`, sku: `BAS-${fixture.tag}-${i}`, price: 100, category: i % 2 ? 'Fresh Herbs' : 'FRESH HERBS' }))
    const direct = Array.from({ length: 6 }, () => inTransaction((trx) => categoryIdNamed(trx, fixture.store.id, 'fresh herbs')))
    const [responses, ids] = await Promise.all([Promise.all(api), Promise.all(direct)])
    for (const response of responses) assert.equal(response.status(), 201, JSON.stringify(response.body()))
    const rows = await named(fixture.store.id, 'Fresh Herbs')
    assert.lengthOf(rows, 1)
    assert.deepEqual([...new Set(ids)], [Number(rows[0].id)])
    assert.deepEqual([...new Set(responses.map((r) => r.body().category_id))], [Number(rows[0].id)])
  })

  test('the category form: concurrent creates of one name make one, the others are told it exists (no 500)', async ({ client, assert }) => {
    const fixture = await createStore()
    const posts = await Promise.all(Array.from({ length: 5 }, (_, i) => submit(client, fixture.users.manager, 'post', '/backoffice/categories', { name: i % 2 ? 'Spices' : 'SPICES' }, '/backoffice/categories/create')))
    for (const response of posts) assert.equal(response.status(), 302)
    assert.lengthOf(await named(fixture.store.id, 'spices'), 1)
    const service = await Promise.allSettled(Array.from({ length: 4 }, () => new CategoryService().create(fixture.store, { name: 'Teas' })))
    assert.lengthOf(service.filter((s) => s.status === 'fulfilled'), 1)
    for (const s of service) if (s.status === 'rejected') assert.equal(s.reason.code, 'duplicate_category')
  })

  test('a name with a letter SQLite does not fold (É) is found again, not created twice (it was a 500)', async ({ client, assert }) => {
    const fixture = await createStore()
    const token = await apiToken(client, fixture.users.manager)
    for (const i of [1, 2]) {
      const response = await client.post('/api/products').bearerToken(token).json({ name: `Pâté ${i}`, sku: `PAT-${fixture.tag}-${i}`, price: 100, category: 'Épicerie' })
      assert.equal(response.status(), 201, JSON.stringify(response.body()))
    }
    assert.equal(Number((await db.from('categories').where({ store_id: fixture.store.id, name: 'Épicerie' }).count('* as n').first()).n), 1)
  })

  test('the database refuses a second of one name in another case', async ({ assert }) => {
    const fixture = await createStore()
    const now = dbTimestamp()
    await assert.rejects(() => db.table('categories').insert({ store_id: fixture.store.id, name: 'GENERAL', position: 0, created_at: now, updated_at: now }))
  })

  test('the migration merges a store\'s categories of one name into the oldest, its products and stocktakes moved', async ({ assert }) => {
    const fixture = await createStore()
    const mysql = db.connection().dialect.name === 'mysql'
    const index = mysql ? 'categories_store_id_name_unique' : 'categories_store_name_nocase'
    // On MariaDB the key also serves the store's foreign key: a plain index stands in meanwhile
    await db.rawQuery(mysql ? `ALTER TABLE categories ADD INDEX categories_store_tmp (store_id), DROP INDEX ${index}` : `DROP INDEX ${index}`)
    try {
      const now = dbTimestamp()
      const [second] = await db.table('categories').insert({ store_id: fixture.store.id, name: 'general', position: 0, created_at: now, updated_at: now })
      const [third] = await db.table('categories').insert({ store_id: fixture.store.id, name: 'GENERAL', position: 0, created_at: now, updated_at: now })
      const [product] = await db.table('products').insert({ store_id: fixture.store.id, name: 'Moved', sku: `MV-${fixture.tag}`, price: 1, cost: 0, category_id: Number(third), tax_class: 'standard', stock: 0, low_stock_threshold: 5, active: true, created_at: now, updated_at: now })
      await mergeDuplicateCategories(db.connection())
      assert.deepEqual((await named(fixture.store.id, 'general')).map((c) => Number(c.id)), [fixture.category.id])
      assert.equal(Number((await db.from('products').where('id', Number(product)).first()).category_id), fixture.category.id)
      const audit = await db.from('audit_logs').where({ store_id: fixture.store.id, action: 'categories_merged' }).first()
      assert.deepEqual(JSON.parse(audit.data), { kept: { id: fixture.category.id, name: 'General' }, merged: [{ id: Number(second), name: 'general' }, { id: Number(third), name: 'GENERAL' }], products: 1 })
    } finally {
      await db.rawQuery(mysql ? `ALTER TABLE categories ADD UNIQUE INDEX ${index} (store_id, name), DROP INDEX categories_store_tmp` : `CREATE UNIQUE INDEX ${index} ON categories (store_id, name COLLATE NOCASE)`)
    }
  })
})
