import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { apiToken, createStore } from '#tests/fixtures'
import { submit } from '#tests/functional/backoffice/helpers'
import CategoryService, { categoryIdNamed } from '#catalog/category_service'
import { inTransaction } from '#platform/db_transaction'
import { dbTimestamp } from '#platform/db_time'
import { keyCategoryNames } from '#database/migrations/0144_category_name_key'
import { nameKey } from '#core/name_key'

/*
| One category per name in a store, whatever its case (and accents), the same on both databases: a
| unique key of (store_id, name_key), the key written by the app (app/core/name_key.ts, migration
| 0144), and a create that loses the race to it answers with the category the winner made. Two
| requests naming a new category at once made two of one name, or a 500; "Épicerie" and
| "épicerie" were two categories on SQLite (NOCASE folds A to Z only) and one on MariaDB.
*/

const named = (storeId: number, name: string) => db.from('categories').where('store_id', storeId).where('name_key', nameKey(name)).select('id', 'name')

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

  test('"Épicerie" and "épicerie" are one category on both databases: the API finds it, the form and a rename are told at the field', async ({ client, assert }) => {
    const fixture = await createStore()
    const token = await apiToken(client, fixture.users.manager)
    const first = await client.post('/api/products').bearerToken(token).json({ name: 'Pâté', sku: `PAT-${fixture.tag}-1`, price: 100, category: 'Épicerie' })
    first.assertStatus(201)
    const second = await client.post('/api/products').bearerToken(token).json({ name: 'Rillettes', sku: `PAT-${fixture.tag}-2`, price: 100, category: 'épicerie' })
    second.assertStatus(201)
    assert.equal(second.body().category_id, first.body().category_id)
    const created = await submit(client, fixture.users.manager, 'post', '/backoffice/categories', { name: 'ÉPICERIE' }, '/backoffice/categories/create')
    assert.equal(created.status(), 302)
    assert.include(JSON.stringify(created.flashMessages().inputErrorsBag ?? {}), 'already exists')
    const spices = await new CategoryService().create(fixture.store, { name: 'Spices' })
    const rename = await submit(client, fixture.users.manager, 'put', `/backoffice/categories/${spices.id}`, { name: 'EPICERIE' }, `/backoffice/categories/${spices.id}/edit`)
    assert.equal(rename.status(), 302)
    assert.include(JSON.stringify(rename.flashMessages().inputErrorsBag ?? {}), 'already exists')
    assert.deepEqual((await named(fixture.store.id, 'épicerie')).map((c) => c.name), ['Épicerie'])
    assert.equal((await db.from('categories').where('id', spices.id).first()).name, 'Spices')
  })

  test('the database refuses a second of one name in another case or accent', async ({ assert }) => {
    const fixture = await createStore()
    const now = dbTimestamp()
    await assert.rejects(() => db.table('categories').insert({ store_id: fixture.store.id, name: 'GENERAL', name_key: nameKey('GENERAL'), position: 0, created_at: now, updated_at: now }))
    await db.table('categories').insert({ store_id: fixture.store.id, name: 'Épicerie', name_key: nameKey('Épicerie'), position: 0, created_at: now, updated_at: now })
    await assert.rejects(() => db.table('categories').insert({ store_id: fixture.store.id, name: 'épicerie', name_key: nameKey('épicerie'), position: 0, created_at: now, updated_at: now }))
  })

  test('the migration keys every category and merges a store\'s categories of one name into the oldest, its products moved', async ({ assert }) => {
    const fixture = await createStore()
    const now = dbTimestamp()
    // Rows without a key, as an older backup's load: the unique key lets them in
    const row = (name: string) => ({ store_id: fixture.store.id, name, position: 0, created_at: now, updated_at: now })
    await db.from('categories').where('id', fixture.category.id).update({ name_key: null })
    const [second] = await db.table('categories').insert(row('general'))
    const [third] = await db.table('categories').insert(row('GENERAL'))
    const [food] = await db.table('categories').insert(row('Épicerie'))
    const [food2] = await db.table('categories').insert(row('épicerie'))
    const [product] = await db.table('products').insert({ store_id: fixture.store.id, name: 'Moved', sku: `MV-${fixture.tag}`, price: 1, cost: 0, category_id: Number(third), tax_class: 'standard', stock: 0, low_stock_threshold: 5, active: true, created_at: now, updated_at: now })
    const [pate] = await db.table('products').insert({ store_id: fixture.store.id, name: 'Pâté', sku: `PT-${fixture.tag}`, price: 1, cost: 0, category_id: Number(food2), tax_class: 'standard', stock: 0, low_stock_threshold: 5, active: true, created_at: now, updated_at: now })
    await keyCategoryNames(db.connection())
    const left = await db.from('categories').where('store_id', fixture.store.id).orderBy('id').select('id', 'name', 'name_key')
    assert.deepEqual(left.map((c) => [Number(c.id), c.name, c.name_key]), [[fixture.category.id, 'General', 'general'], [Number(food), 'Épicerie', 'epicerie']])
    assert.equal(Number((await db.from('products').where('id', Number(product)).first()).category_id), fixture.category.id)
    assert.equal(Number((await db.from('products').where('id', Number(pate)).first()).category_id), Number(food))
    const audits = await db.from('audit_logs').where({ store_id: fixture.store.id, action: 'categories_merged' }).orderBy('id')
    assert.deepEqual(audits.map((a) => JSON.parse(a.data)), [
      { kept: { id: fixture.category.id, name: 'General' }, merged: [{ id: Number(second), name: 'general' }, { id: Number(third), name: 'GENERAL' }], products: 1 },
      { kept: { id: Number(food), name: 'Épicerie' }, merged: [{ id: Number(food2), name: 'épicerie' }], products: 1 },
    ])
  })
})
