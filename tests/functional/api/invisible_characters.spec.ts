import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { apiToken, countRows, createStore, errorFields } from '#tests/fixtures'
import { submit } from '#tests/functional/backoffice/helpers'
import { keyCategoryNames } from '#database/migrations/0144_category_name_key'
import { dbTimestamp } from '#platform/db_time'
import { SKU_TEXT_MESSAGE } from '#validators/fields'

/*
| Invisible format characters (app/core/visible_text.ts). "Tea" + U+200B, U+FEFF, U+200D or U+00AD
| were four categories beside "Tea", each shown as "Tea"; "ZW-1" + U+200B or U+00AD were products
| beside "ZW-1", shown as it and never scanned; "EPICERIE  FINE" was a category beside "épicerie
| fine" (HTML shows one space). A name loses them (a category's too, so it is the category it reads
| as), a SKU refuses them at its field, the category key drops them and runs of white space, and
| migration 0145 keys the categories again, merging the look-alikes kept from before.
*/

const INVISIBLE = ['\u200B', '\uFEFF', '\u200D', '\u00AD']
/** Names that read as they are written: accents, Greek, a ZWJ emoji, Persian with its ZWNJ */
const LEGIT = ['Crème brûlée', 'Ελληνικά', '👩‍🍳 Chef', 'می‌خواهم']

const categoryNames = async (storeId: number) => (await db.from('categories').where('store_id', storeId).orderBy('id').select('name')).map((c) => c.name)

/** The key as 0144 wrote it: what a store's rows hold until 0145 keys them again */
const keyOf0144 = (name: string) => name.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLocaleUpperCase('und').toLocaleLowerCase('und').normalize('NFC').trim()

test.group('Invisible characters in names and SKUs', () => {
  test('the category form: "Tea" with an invisible character, or "EPICERIE  FINE", is the category it reads as; legit names are kept as typed', async ({ client, assert }) => {
    const fixture = await createStore()
    const manager = fixture.users.manager
    const form = '/backoffice/categories/create'
    for (const name of ['Tea', 'épicerie fine']) assert.equal((await submit(client, manager, 'post', '/backoffice/categories', { name }, form)).status(), 302)
    for (const name of [...INVISIBLE.map((c) => `Tea${c}`), `\u200BT\u00ADea`, 'EPICERIE  FINE', ' Épicerie \u00A0 Fine ']) {
      const response = await submit(client, manager, 'post', '/backoffice/categories', { name }, form)
      assert.equal(response.status(), 302)
      assert.include(JSON.stringify(response.flashMessages().inputErrorsBag ?? {}), 'already exists', JSON.stringify(name))
    }
    // A new name is kept without them, and a name made only of them is no name
    await submit(client, manager, 'post', '/backoffice/categories', { name: 'Herbal\u00AD Tea\u200B' }, form)
    const empty = await submit(client, manager, 'post', '/backoffice/categories', { name: '\u200B\uFEFF' }, form)
    assert.deepEqual(Object.keys(empty.flashMessages().inputErrorsBag ?? {}), ['name'])
    for (const name of LEGIT) await submit(client, manager, 'post', '/backoffice/categories', { name }, form)
    assert.deepEqual(await categoryNames(fixture.store.id), ['General', 'Tea', 'épicerie fine', 'Herbal Tea', ...LEGIT])
    // The overrides are still refused, not stripped
    const override = await submit(client, manager, 'post', '/backoffice/categories', { name: 'Tea\u202E' }, form)
    assert.include(JSON.stringify(override.flashMessages().inputErrorsBag ?? {}), 'text-direction overrides')
  })

  test('the API: a product name and its category lose them, a SKU or a barcode holding one is refused at its field, nothing written', async ({ client, assert }) => {
    const fixture = await createStore()
    const token = await apiToken(client, fixture.users.manager)
    const first = await client.post('/api/products').bearerToken(token).json({ name: 'Z1', sku: 'ZW-1', price: 100, category: 'Tea' })
    first.assertStatus(201)
    const before = await countRows('products', { store_id: fixture.store.id })
    for (const sku of ['ZW-1\u200b', 'ZW-1\u00ad', 'ZW\u200d-2', 'ZW-2\u2060', 'Z\uFEFFW-3']) {
      const response = await client.post('/api/products').bearerToken(token).json({ name: 'Z2', sku, price: 100 })
      response.assertStatus(422)
      assert.deepEqual(errorFields(response), ['sku'], JSON.stringify(sku))
      assert.equal(response.body().errors[0].message, SKU_TEXT_MESSAGE)
    }
    const barcode = await client.post('/api/products').bearerToken(token).json({ name: 'Z3', sku: 'ZW-3', price: 100, barcode: '4006381\u200B333931' })
    barcode.assertStatus(422)
    assert.deepEqual(errorFields(barcode), ['barcode'])
    const rename = await client.put(`/api/products/${first.body().id}`).bearerToken(token).json({ sku: 'ZW-1\u200b' })
    rename.assertStatus(422)
    assert.equal(await countRows('products', { store_id: fixture.store.id }), before)

    for (const c of INVISIBLE) {
      const response = await client.post('/api/products').bearerToken(token).json({ name: `Green${c} tea`, sku: `GT-${c.codePointAt(0)}`, price: 100, category: `Tea${c}` })
      response.assertStatus(201)
      assert.equal(response.body().name, 'Green tea')
      assert.equal(response.body().category_id, first.body().category_id)
    }
    const spaced = await client.post('/api/products').bearerToken(token).json({ name: 'Rillettes', sku: 'RIL-1', price: 100, category: 'EPICERIE  FINE' })
    const plain = await client.post('/api/products').bearerToken(token).json({ name: 'Pâté', sku: 'PAT-1', price: 100, category: 'épicerie fine' })
    assert.equal(plain.body().category_id, spaced.body().category_id)
    for (const [i, name] of LEGIT.entries()) {
      const response = await client.post('/api/products').bearerToken(token).json({ name, sku: `LEGIT-${i}`, price: 100, category: name })
      response.assertStatus(201)
      assert.equal(response.body().name, name)
    }
    assert.deepEqual(await categoryNames(fixture.store.id), ['General', 'Tea', 'EPICERIE  FINE', ...LEGIT])
  })

  test('a product whose SKU holds one, kept from before, is listed, edited without its SKU, exported, and refused only where its SKU is typed again', async ({ client, assert }) => {
    const fixture = await createStore()
    const token = await apiToken(client, fixture.users.manager)
    const now = dbTimestamp()
    const [id] = await db.table('products').insert({ store_id: fixture.store.id, name: 'Z2', sku: 'ZW-1\u200b', price: 100, cost: 0, category_id: fixture.category.id, tax_class: 'standard', stock: 0, low_stock_threshold: 5, active: true, created_at: now, updated_at: now })
    const list = await client.get('/api/products').qs({ search: 'ZW' }).bearerToken(token)
    list.assertStatus(200)
    assert.include(list.body().data.map((p: any) => p.sku), 'ZW-1\u200b')
    const priced = await client.put(`/api/products/${id}`).bearerToken(token).json({ price: 250 })
    priced.assertStatus(200)
    assert.equal(priced.body().sku, 'ZW-1\u200b')
    const csv = await client.get('/backoffice/products/export.csv').loginAs(fixture.users.manager)
    csv.assertStatus(200)
    assert.include(csv.text(), 'ZW-1\u200b,Z2')
    const form = await submit(client, fixture.users.manager, 'put', `/backoffice/products/${id}`, { name: 'Z2', sku: 'ZW-1\u200b', price: '3.00', tax_class: 'standard' }, `/backoffice/products/${id}/edit`)
    form.assertStatus(302)
    assert.deepEqual(Object.keys(form.flashMessages().inputErrorsBag ?? {}), ['sku'])
    assert.equal(Number((await db.from('products').where('id', Number(id)).first()).price), 250)
  })

  test('migration 0145 keys the categories again and merges the look-alikes kept from before into the oldest, products moved, audited', async ({ assert }) => {
    const fixture = await createStore()
    const now = dbTimestamp()
    // Rows as the store holds them before 0145: each keyed by 0144's rule, so the unique key let them in
    const insert = async (name: string) => Number((await db.table('categories').insert({ store_id: fixture.store.id, name, name_key: keyOf0144(name), position: 0, created_at: now, updated_at: now }))[0])
    const tea = await insert('Tea')
    const looks: number[] = []
    // Inside the name: 0144's trim took a trailing U+FEFF off already
    for (const c of INVISIBLE) looks.push(await insert(`T${c}ea`))
    // The oldest of a group holds the character: it is kept, taking the key "Chai" held
    const chai = await insert('Chai\u200B')
    const chai2 = await insert('Chai')
    const fine = await insert('épicerie fine')
    const fine2 = await insert('EPICERIE  FINE')
    const legit: number[] = []
    for (const name of LEGIT) legit.push(await insert(name))
    const product = (sku: string, categoryId: number) => ({ store_id: fixture.store.id, name: sku, sku, price: 1, cost: 0, category_id: categoryId, tax_class: 'standard', stock: 0, low_stock_threshold: 5, active: true, created_at: now, updated_at: now })
    const [p1] = await db.table('products').insert(product(`MV1-${fixture.tag}`, looks[2]))
    const [p2] = await db.table('products').insert(product(`MV2-${fixture.tag}`, chai2))
    const [p3] = await db.table('products').insert(product(`MV3-${fixture.tag}`, fine2))

    await keyCategoryNames(db.connection())

    const left = await db.from('categories').where('store_id', fixture.store.id).orderBy('id').select('id', 'name', 'name_key')
    assert.deepEqual(left.map((c) => [Number(c.id), c.name, c.name_key]), [
      [fixture.category.id, 'General', 'general'],
      [tea, 'Tea', 'tea'],
      [chai, 'Chai\u200B', 'chai'],
      [fine, 'épicerie fine', 'epicerie fine'],
      ...LEGIT.map((name, i) => [legit[i], name, keyOf0144(name).replace(/\p{Cf}/gu, '')]),
    ])
    const categoryOf = async (id: unknown) => Number((await db.from('products').where('id', Number(id)).first()).category_id)
    assert.deepEqual([await categoryOf(p1), await categoryOf(p2), await categoryOf(p3)], [tea, chai, fine])
    const audits = await db.from('audit_logs').where({ store_id: fixture.store.id, action: 'categories_merged' }).orderBy('id')
    assert.deepEqual(audits.map((a) => JSON.parse(a.data)), [
      { kept: { id: tea, name: 'Tea' }, merged: INVISIBLE.map((c, i) => ({ id: looks[i], name: `T${c}ea` })), products: 1 },
      { kept: { id: chai, name: 'Chai\u200B' }, merged: [{ id: chai2, name: 'Chai' }], products: 1 },
      { kept: { id: fine, name: 'épicerie fine' }, merged: [{ id: fine2, name: 'EPICERIE  FINE' }], products: 1 },
    ])
  })
})
