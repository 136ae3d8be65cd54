import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { apiToken, createProduct, createStore, errorFields } from '#tests/fixtures'
import { newBarcode, productFootprint } from '#tests/functional/api/footprints'

/*
| A product's category sent by name (`category`) or by id (`category_id`): a name is the store's
| category of that name whatever its case, or a new one, made in the product's own transaction,
| so a refused product leaves no category behind.
*/

async function categoriesNamed(storeId: number, name: string) {
  return db.from('categories').where('store_id', storeId).whereRaw('LOWER(name) = ?', [name.toLowerCase()]).select('id', 'name')
}

test.group('API products: the category', () => {
  test('a refused POST or PUT creates no category', async ({ client, assert }) => {
    const fixture = await createStore()
    const existing = await createProduct(fixture)
    const product = await createProduct(fixture)
    const token = await apiToken(client, fixture.users.manager)
    const before = await productFootprint(fixture)

    for (const [body, field] of [
      [{ name: 'T', sku: existing.sku, price: 1, category: 'Ghost B' }, 'sku'],
      [{ name: 'T', sku: `T-${fixture.tag}`, price: 1, category: 'Ghost B', tax_class: 'luxury' }, 'tax_class'],
      [{ name: 'T', sku: `T-${fixture.tag}`, price: 1, category: 'Ghost B', barcode: newBarcode(), barcodes: [newBarcode()] }, 'barcode'],
      [{ name: 'T', sku: `T-${fixture.tag}`, price: 1, category: 'Ghost B', barcode: '4006381333932' }, 'barcode'],
    ] as const) {
      const response = await client.post('/api/products').bearerToken(token).json(body)
      assert.equal(response.status(), 422, JSON.stringify(body))
      assert.deepEqual(errorFields(response), [field])
    }
    const update = await client.put(`/api/products/${product.id}`).bearerToken(token).json({ sku: existing.sku, category: 'Ghost B' })
    update.assertStatus(422)
    assert.deepEqual(errorFields(update), ['sku'])

    assert.deepEqual(await productFootprint(fixture), before)
    assert.lengthOf(await categoriesNamed(fixture.store.id, 'Ghost B'), 0)
    assert.equal((await db.from('products').where('id', product.id).first()).category_id, fixture.category.id)
  })

  test('a name is matched whatever its case; a new one is created once', async ({ client, assert }) => {
    const fixture = await createStore()
    const token = await apiToken(client, fixture.users.manager)
    // The fixture's store has "General"
    const created = await client.post('/api/products').bearerToken(token).json({ name: 'A', sku: `A-${fixture.tag}`, price: 1, category: 'general' })
    created.assertStatus(201)
    assert.equal(created.body().category, 'General')
    assert.equal(created.body().category_id, fixture.category.id)

    const fresh = await client.post('/api/products').bearerToken(token).json({ name: 'B', sku: `B-${fixture.tag}`, price: 1, category: 'Household' })
    fresh.assertStatus(201)
    const updated = await client.put(`/api/products/${created.body().id}`).bearerToken(token).json({ category: 'HOUSEHOLD' })
    updated.assertStatus(200)
    assert.equal(updated.body().category, 'Household')
    assert.equal(updated.body().category_id, fresh.body().category_id)
    assert.lengthOf(await categoriesNamed(fixture.store.id, 'household'), 1)
    assert.lengthOf(await categoriesNamed(fixture.store.id, 'general'), 1)
  })

  test('category and category_id together are refused on the field, not one of them dropped', async ({ client, assert }) => {
    const fixture = await createStore()
    const product = await createProduct(fixture)
    const token = await apiToken(client, fixture.users.manager)
    const before = await productFootprint(fixture)

    const created = await client.post('/api/products').bearerToken(token).json({ name: 'C', sku: `C-${fixture.tag}`, price: 1, category: 'Drinks', category_id: fixture.category.id })
    created.assertStatus(422)
    assert.deepEqual(errorFields(created), ['category'])
    const updated = await client.put(`/api/products/${product.id}`).bearerToken(token).json({ category: null, category_id: fixture.category.id })
    updated.assertStatus(422)
    assert.deepEqual(errorFields(updated), ['category'])

    assert.deepEqual(await productFootprint(fixture), before)
    assert.equal((await db.from('products').where('id', product.id).first()).category_id, fixture.category.id)
  })
})
