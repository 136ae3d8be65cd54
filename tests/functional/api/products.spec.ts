import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { apiToken, createProduct, createStore, countRows, ledgerSum, stockOf, errorFields } from '#tests/fixtures'
import { newBarcode } from '#tests/functional/api/footprints'

/*
| GET/POST /api/products, GET/PUT/DELETE /api/products/:id: the product shape, search,
| pagination and the stock ledger a product write leaves behind. Roles and validation:
| products_input.spec.ts.
*/

const PRODUCT_KEYS = ['id', 'name', 'sku', 'barcode', 'price', 'cost', 'category', 'tax_class', 'stock', 'active']

test.group('API products: create and read', () => {
  test('POST creates a product (201) with the documented shape, an initial stock movement and a readable copy', async ({ client, assert }) => {
    const fixture = await createStore()
    const token = await apiToken(client, fixture.users.manager)
    const barcode = newBarcode()
    const response = await client
      .post('/api/products')
      .bearerToken(token)
      .json({ name: 'Dark Chocolate Bar', sku: `CHOC-${fixture.tag}`, barcode, price: 249, cost: 120, category: 'Sweets', tax_class: 'reduced', stock: 12 })
    response.assertStatus(201)
    const product = response.body()
    assert.containsSubset(product, {
      name: 'Dark Chocolate Bar',
      sku: `CHOC-${fixture.tag}`,
      barcode,
      price: 249,
      cost: 120,
      category: 'Sweets',
      tax_class: 'reduced',
      stock: 12,
      active: true,
    })
    for (const key of PRODUCT_KEYS) assert.property(product, key)
    assert.isNumber(product.id)

    const row = await db.from('products').where('id', product.id).first()
    assert.equal(row.store_id, fixture.store.id)
    assert.equal(Number(row.price), 249)
    const movements = await db.from('stock_movements').where('product_id', product.id)
    assert.lengthOf(movements, 1)
    assert.equal(movements[0].reason, 'initial')
    assert.equal(Number(movements[0].quantity), 12)
    assert.equal(await ledgerSum(product.id), await stockOf(product.id))

    const show = await client.get(`/api/products/${product.id}`).bearerToken(token)
    show.assertStatus(200)
    assert.deepEqual(show.body(), product)
  })

  test('defaults: no barcode, cost 0, standard tax, stock 0 and no movement', async ({ client, assert }) => {
    const fixture = await createStore()
    const token = await apiToken(client, fixture.users.admin)
    const response = await client.post('/api/products').bearerToken(token).json({ name: 'Plain', sku: `PLAIN-${fixture.tag}`, price: 100 })
    response.assertStatus(201)
    assert.containsSubset(response.body(), { barcode: null, cost: 0, tax_class: 'standard', stock: 0, active: true, category: null })
    assert.equal(await countRows('stock_movements', { product_id: response.body().id }), 0)
  })

  test('HTML in a name is stored as typed and returned as a JSON string', async ({ client, assert }) => {
    const fixture = await createStore()
    const token = await apiToken(client, fixture.users.manager)
    const name = '<script>alert("x")</script><b>Bold</b> & "quotes"'
    const response = await client.post('/api/products').bearerToken(token).json({ name, sku: `XSS-${fixture.tag}`, price: 100 })
    response.assertStatus(201)
    assert.match(String(response.header('content-type')), /application\/json/)
    assert.equal(response.body().name, name)
    const row = await db.from('products').where('id', response.body().id).first()
    assert.equal(row.name, name)

    const show = await client.get(`/api/products/${response.body().id}`).bearerToken(token)
    assert.match(String(show.header('content-type')), /application\/json/)
    assert.equal(show.body().name, name)
    // The raw body is JSON with the name as a string, not markup
    assert.equal(JSON.parse(show.text()).name, name)
  })

  test('GET /api/products/:id of another store or of no product is 404 JSON', async ({ client, assert }) => {
    const fixture = await createStore()
    const other = await createStore()
    const foreign = await createProduct(other)
    const token = await apiToken(client, fixture.users.manager)
    for (const id of [foreign.id, 999_999_999, 'abc']) {
      const response = await client.get(`/api/products/${id}`).bearerToken(token)
      response.assertStatus(404)
      assert.equal(response.body().errors[0].code, 'not_found')
    }
  })
})

test.group('API products: list, search, pagination', () => {
  test('lists only the store’s products with {data, meta} and paginates', async ({ client, assert }) => {
    const fixture = await createStore()
    const other = await createStore()
    await createProduct(other, { name: 'Foreign thing' })
    for (let i = 1; i <= 5; i++) await createProduct(fixture, { name: `Item ${i}` })
    const token = await apiToken(client, fixture.users.cashier)

    const all = await client.get('/api/products').bearerToken(token)
    all.assertStatus(200)
    assert.lengthOf(all.body().data, 5)
    assert.deepEqual(all.body().meta, { total: 5, per_page: 25, current_page: 1, last_page: 1 })
    // A cashier reads every field but the cost (products_cost.spec.ts)
    for (const key of PRODUCT_KEYS.filter((k) => k !== 'cost')) assert.property(all.body().data[0], key)
    assert.notProperty(all.body().data[0], 'cost')

    const page2 = await client.get('/api/products').qs({ page: 2, per_page: 2 }).bearerToken(token)
    page2.assertStatus(200)
    assert.deepEqual(page2.body().meta, { total: 5, per_page: 2, current_page: 2, last_page: 3 })
    assert.deepEqual(page2.body().data.map((p: any) => p.name), ['Item 3', 'Item 4'])

    const page3 = await client.get('/api/products').qs({ page: 3, per_page: 2 }).bearerToken(token)
    assert.deepEqual(page3.body().data.map((p: any) => p.name), ['Item 5'])
  })

  test('search matches word prefixes of the name, every word', async ({ client, assert }) => {
    const fixture = await createStore()
    const other = await createStore()
    await createProduct(fixture, { name: 'Dark Chocolate Bar' })
    await createProduct(fixture, { name: 'Chocolate Milk' })
    await createProduct(fixture, { name: 'Soap bar' })
    await createProduct(fixture, { name: 'Barcelona Choice Tea' })
    await createProduct(other, { name: 'Dark Chocolate Bar' })
    const token = await apiToken(client, fixture.users.cashier)

    const names = async (search: string) => {
      const response = await client.get('/api/products').qs({ search }).bearerToken(token)
      response.assertStatus(200)
      return response.body().data.map((p: any) => p.name).sort()
    }
    assert.deepEqual(await names('cho bar'), ['Barcelona Choice Tea', 'Dark Chocolate Bar'])
    assert.deepEqual(await names('CHOCOLATE'), ['Chocolate Milk', 'Dark Chocolate Bar'])
    assert.deepEqual(await names('dark choc'), ['Dark Chocolate Bar'])
    assert.deepEqual(await names('  bar   dark '), ['Dark Chocolate Bar'])
    // prefixes, not infixes
    assert.deepEqual(await names('ocolate'), [])
    assert.deepEqual(await names('zzz'), [])
  })

  test('?barcode= finds the product with that exact barcode', async ({ client, assert }) => {
    const fixture = await createStore()
    const wanted = await createProduct(fixture, { name: 'Scanned' })
    await createProduct(fixture, { name: 'Other' })
    const code = (await db.from('product_barcodes').where('product_id', wanted.id).first()).code
    const token = await apiToken(client, fixture.users.cashier)
    const response = await client.get('/api/products').qs({ barcode: code }).bearerToken(token)
    response.assertStatus(200)
    assert.deepEqual(response.body().data.map((p: any) => p.id), [wanted.id])
    assert.equal(response.body().data[0].barcode, code)

    const none = await client.get('/api/products').qs({ barcode: newBarcode() }).bearerToken(token)
    assert.lengthOf(none.body().data, 0)
    assert.equal(none.body().meta.total, 0)
  })

  test('bad paging parameters are a 422 naming the parameter', async ({ client, assert }) => {
    const fixture = await createStore()
    const token = await apiToken(client, fixture.users.cashier)
    for (const [qs, field] of [
      [{ page: 0 }, 'page'],
      [{ page: 'x' }, 'page'],
      [{ per_page: 1000 }, 'per_page'],
      [{ per_page: 1.5 }, 'per_page'],
    ] as const) {
      const response = await client.get('/api/products').qs(qs).bearerToken(token)
      response.assertStatus(422)
      assert.include(errorFields(response), field)
    }
  })
})

test.group('API products: update and delete', () => {
  test('PUT changes the given fields only; a stock change is an adjustment in the ledger', async ({ client, assert }) => {
    const fixture = await createStore()
    const product = await createProduct(fixture, { name: 'Old name', price: 500, stock: 10 })
    const token = await apiToken(client, fixture.users.manager)
    const response = await client.put(`/api/products/${product.id}`).bearerToken(token).json({ name: 'New name', price: 650, stock: 7 })
    response.assertStatus(200)
    assert.containsSubset(response.body(), { id: product.id, name: 'New name', price: 650, stock: 7, sku: product.sku, cost: 400, tax_class: 'standard' })

    const movements = await db.from('stock_movements').where('product_id', product.id).orderBy('id')
    assert.deepEqual(movements.map((m) => [m.reason, Number(m.quantity)]), [['initial', 10], ['adjustment', -3]])
    assert.equal(await ledgerSum(product.id), 7)
    assert.equal(await stockOf(product.id), 7)

    // The new name is searchable, the old one is not
    const found = await client.get('/api/products').qs({ search: 'new' }).bearerToken(token)
    assert.deepEqual(found.body().data.map((p: any) => p.id), [product.id])
    const gone = await client.get('/api/products').qs({ search: 'old' }).bearerToken(token)
    assert.lengthOf(gone.body().data, 0)
  })

  test('PUT of a barcode and a category; null clears them', async ({ client, assert }) => {
    const fixture = await createStore()
    const product = await createProduct(fixture)
    const token = await apiToken(client, fixture.users.manager)
    const code = newBarcode()
    const set = await client.put(`/api/products/${product.id}`).bearerToken(token).json({ barcode: code, category: 'Drinks' })
    set.assertStatus(200)
    assert.equal(set.body().barcode, code)
    assert.equal(set.body().category, 'Drinks')

    const cleared = await client.put(`/api/products/${product.id}`).bearerToken(token).json({ barcode: null, category: null })
    cleared.assertStatus(200)
    assert.isNull(cleared.body().barcode)
    assert.isNull(cleared.body().category)
  })

  test('PUT of another store’s product is 404 and changes nothing', async ({ client, assert }) => {
    const fixture = await createStore()
    const other = await createStore()
    const foreign = await createProduct(other, { name: 'Theirs', price: 100 })
    const token = await apiToken(client, fixture.users.admin)
    const response = await client.put(`/api/products/${foreign.id}`).bearerToken(token).json({ name: 'Mine now', price: 1 })
    response.assertStatus(404)
    const row = await db.from('products').where('id', foreign.id).first()
    assert.equal(row.name, 'Theirs')
    assert.equal(Number(row.price), 100)
  })

  test('DELETE of a product never sold removes it (204)', async ({ client, assert }) => {
    const fixture = await createStore()
    const product = await createProduct(fixture, { stock: 5 })
    const token = await apiToken(client, fixture.users.manager)
    const response = await client.delete(`/api/products/${product.id}`).bearerToken(token)
    response.assertStatus(204)
    assert.equal(await countRows('products', { id: product.id }), 0)
    assert.equal(await countRows('product_barcodes', { product_id: product.id }), 0)
    assert.equal(await countRows('stock_movements', { product_id: product.id }), 0)
    ;(await client.get(`/api/products/${product.id}`).bearerToken(token)).assertStatus(404)
  })

  test('DELETE of a product with sales archives it (200, archived true): hidden from the list, history kept', async ({ client, assert }) => {
    const fixture = await createStore()
    const product = await createProduct(fixture, { name: 'Sold once', stock: 5 })
    const manager = await apiToken(client, fixture.users.manager)
    const sale = await client.post('/api/sales').bearerToken(manager).json({ items: [{ product_id: product.id, quantity: 1 }], payment_method: 'card_external' })
    sale.assertStatus(201)

    const response = await client.delete(`/api/products/${product.id}`).bearerToken(manager)
    response.assertStatus(200)
    assert.equal(response.body().archived, true)
    assert.equal(response.body().active, false)
    assert.equal(response.body().id, product.id)
    assert.equal(await countRows('products', { id: product.id }), 1)
    assert.equal(await countRows('sale_items', { product_id: product.id }), 1)

    const list = await client.get('/api/products').bearerToken(manager)
    assert.notInclude(list.body().data.map((p: any) => p.id), product.id)
    // It can no longer be sold
    const again = await client.post('/api/sales').bearerToken(manager).json({ items: [{ product_id: product.id, quantity: 1 }] })
    again.assertStatus(422)
  })

  test('DELETE of another store’s product is 404 and leaves it', async ({ client, assert }) => {
    const fixture = await createStore()
    const other = await createStore()
    const foreign = await createProduct(other)
    const token = await apiToken(client, fixture.users.admin)
    ;(await client.delete(`/api/products/${foreign.id}`).bearerToken(token)).assertStatus(404)
    assert.equal(await countRows('products', { id: foreign.id }), 1)
  })
})
