import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { apiToken, createProduct, createStore, type TestStore, countRows, ledgerSum, stockOf } from '#tests/fixtures'
import { ean13 } from '#core/barcode'

/*
| GET/POST /api/products, GET/PUT/DELETE /api/products/:id: the product shape, search,
| pagination, roles, validation and the stock ledger a product write leaves behind.
*/

const PRODUCT_KEYS = ['id', 'name', 'sku', 'barcode', 'price', 'cost', 'category', 'tax_class', 'stock', 'active']

/** Everything a product write could leave behind in a store */
async function footprint(fixture: TestStore) {
  return {
    products: await countRows('products', { store_id: fixture.store.id }),
    barcodes: await countRows('product_barcodes', { store_id: fixture.store.id }),
    movements: await countRows('stock_movements', { store_id: fixture.store.id }),
    categories: await countRows('categories', { store_id: fixture.store.id }),
  }
}

function fields(response: any): string[] {
  return (response.body().errors ?? []).map((e: any) => e.field)
}

let counter = Math.floor(Math.random() * 1_000_000)
function newBarcode() {
  counter++
  return ean13(`21${String(counter).padStart(10, '0')}`)
}

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
    for (const key of PRODUCT_KEYS) assert.property(all.body().data[0], key)

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
      assert.include(fields(response), field)
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

test.group('API products: roles', () => {
  test('cashier and accountant may read products', async ({ client }) => {
    const fixture = await createStore()
    const product = await createProduct(fixture)
    for (const role of ['cashier', 'accountant'] as const) {
      const token = await apiToken(client, fixture.users[role])
      ;(await client.get('/api/products').bearerToken(token)).assertStatus(200)
      ;(await client.get(`/api/products/${product.id}`).bearerToken(token)).assertStatus(200)
    }
  })

  test('{$self} may not POST, PUT or DELETE products (403) and nothing changes')
    .with(['cashier', 'accountant'] as const)
    .run(async ({ client, assert }, role) => {
      const fixture = await createStore()
      const product = await createProduct(fixture, { name: 'Untouched', price: 100 })
      const token = await apiToken(client, fixture.users[role])
      const before = await footprint(fixture)

      const created = await client.post('/api/products').bearerToken(token).json({ name: 'Nope', sku: `NOPE-${fixture.tag}`, price: 1, stock: 3 })
      created.assertStatus(403)
      assert.equal(created.body().errors[0].code, 'forbidden')
      ;(await client.put(`/api/products/${product.id}`).bearerToken(token).json({ name: 'Changed', price: 1, stock: 0 })).assertStatus(403)
      ;(await client.delete(`/api/products/${product.id}`).bearerToken(token)).assertStatus(403)

      assert.deepEqual(await footprint(fixture), before)
      const row = await db.from('products').where('id', product.id).first()
      assert.equal(row.name, 'Untouched')
      assert.equal(Number(row.price), 100)
    })

  test('{$self} may write products')
    .with(['manager', 'admin'] as const)
    .run(async ({ client }, role) => {
      const fixture = await createStore()
      const token = await apiToken(client, fixture.users[role])
      const created = await client.post('/api/products').bearerToken(token).json({ name: 'Yes', sku: `YES-${fixture.tag}`, price: 1 })
      created.assertStatus(201)
      ;(await client.put(`/api/products/${created.body().id}`).bearerToken(token).json({ price: 2 })).assertStatus(200)
      ;(await client.delete(`/api/products/${created.body().id}`).bearerToken(token)).assertStatus(204)
    })
})

test.group('API products: bad input writes nothing', () => {
  test('a duplicate SKU is 422 on field sku (create and update)', async ({ client, assert }) => {
    const fixture = await createStore()
    const existing = await createProduct(fixture, { sku: `DUP-${fixture.tag}` })
    const second = await createProduct(fixture)
    const token = await apiToken(client, fixture.users.manager)
    const before = await footprint(fixture)

    const created = await client.post('/api/products').bearerToken(token).json({ name: 'Twin', sku: existing.sku, price: 100, stock: 4 })
    created.assertStatus(422)
    assert.deepEqual(fields(created), ['sku'])
    assert.isString(created.body().errors[0].message)

    const updated = await client.put(`/api/products/${second.id}`).bearerToken(token).json({ sku: existing.sku })
    updated.assertStatus(422)
    assert.deepEqual(fields(updated), ['sku'])

    assert.deepEqual(await footprint(fixture), before)
    assert.equal((await db.from('products').where('id', second.id).first()).sku, second.sku)
  })

  test('the same SKU in another store is fine', async ({ client }) => {
    const fixture = await createStore()
    const other = await createStore()
    const theirs = await createProduct(other)
    const token = await apiToken(client, fixture.users.manager)
    ;(await client.post('/api/products').bearerToken(token).json({ name: 'Same sku', sku: theirs.sku, price: 100 })).assertStatus(201)
  })

  test('a barcode with a wrong EAN-13 check digit is 422 on field barcode', async ({ client, assert }) => {
    const fixture = await createStore()
    const token = await apiToken(client, fixture.users.manager)
    const good = newBarcode()
    const wrongDigit = String((Number(good.at(-1)) + 1) % 10)
    const bad = good.slice(0, 12) + wrongDigit
    const before = await footprint(fixture)

    const response = await client.post('/api/products').bearerToken(token).json({ name: 'Bad code', sku: `BAD-${fixture.tag}`, barcode: bad, price: 100, stock: 2 })
    response.assertStatus(422)
    assert.deepEqual(fields(response), ['barcode'])
    assert.deepEqual(await footprint(fixture), before)

    const product = await createProduct(fixture)
    const update = await client.put(`/api/products/${product.id}`).bearerToken(token).json({ barcode: bad })
    update.assertStatus(422)
    assert.deepEqual(fields(update), ['barcode'])
  })

  test('a barcode already used by another product is 422 on field barcode', async ({ client, assert }) => {
    const fixture = await createStore()
    const existing = await createProduct(fixture)
    const code = (await db.from('product_barcodes').where('product_id', existing.id).first()).code
    const token = await apiToken(client, fixture.users.manager)
    const before = await footprint(fixture)
    const response = await client.post('/api/products').bearerToken(token).json({ name: 'Clash', sku: `CLASH-${fixture.tag}`, barcode: code, price: 100 })
    response.assertStatus(422)
    assert.deepEqual(fields(response), ['barcode'])
    assert.deepEqual(await footprint(fixture), before)
  })

  const badBodies: [string, Record<string, unknown>, string][] = [
    ['missing name', { sku: 'S1', price: 100 }, 'name'],
    ['blank name', { name: '   ', sku: 'S1', price: 100 }, 'name'],
    ['missing sku', { name: 'X', price: 100 }, 'sku'],
    ['sku with spaces', { name: 'X', sku: 'A B', price: 100 }, 'sku'],
    ['missing price', { name: 'X', sku: 'S1' }, 'price'],
    ['negative price', { name: 'X', sku: 'S1', price: -1 }, 'price'],
    ['fractional price', { name: 'X', sku: 'S1', price: 12.5 }, 'price'],
    ['absurd price', { name: 'X', sku: 'S1', price: 1e9 }, 'price'],
    ['price as text', { name: 'X', sku: 'S1', price: 'ten' }, 'price'],
    ['negative cost', { name: 'X', sku: 'S1', price: 100, cost: -5 }, 'cost'],
    ['fractional stock', { name: 'X', sku: 'S1', price: 100, stock: 1.5 }, 'stock'],
    ['absurd stock', { name: 'X', sku: 'S1', price: 100, stock: 1e9 }, 'stock'],
    ['unknown tax class', { name: 'X', sku: 'S1', price: 100, tax_class: 'luxury' }, 'tax_class'],
    ['name too long', { name: 'x'.repeat(201), sku: 'S1', price: 100 }, 'name'],
  ]

  test('POST with {0} is 422 on field {2} and writes nothing')
    .with(badBodies)
    .run(async ({ client, assert }, [, body, field]) => {
      const fixture = await createStore()
      const token = await apiToken(client, fixture.users.manager)
      const before = await footprint(fixture)
      const response = await client.post('/api/products').bearerToken(token).json(body)
      response.assertStatus(422)
      assert.include(fields(response), field)
      assert.deepEqual(await footprint(fixture), before)
    })

  test('PUT with a bad price or stock is 422 and changes nothing', async ({ client, assert }) => {
    const fixture = await createStore()
    const product = await createProduct(fixture, { price: 300, stock: 4 })
    const token = await apiToken(client, fixture.users.manager)
    const before = await footprint(fixture)
    for (const [body, field] of [
      [{ price: -1 }, 'price'],
      [{ price: 1.25 }, 'price'],
      [{ stock: 2.5 }, 'stock'],
      [{ name: '' }, 'name'],
      [{ name: null }, 'name'],
      [{ sku: '' }, 'sku'],
      [{ price: null }, 'price'],
    ] as const) {
      const response = await client.put(`/api/products/${product.id}`).bearerToken(token).json(body)
      assert.equal(response.status(), 422, `PUT ${JSON.stringify(body)}`)
      assert.include(fields(response), field)
    }
    assert.deepEqual(await footprint(fixture), before)
    assert.equal(await stockOf(product.id), 4)
  })

  test('a malformed JSON body is a 400 JSON error and writes nothing', async ({ client, assert }) => {
    const fixture = await createStore()
    const token = await apiToken(client, fixture.users.manager)
    const before = await footprint(fixture)
    const response = await client
      .post('/api/products')
      .bearerToken(token)
      .header('content-type', 'application/json')
      .unsafeJson(`{"name": "Broken", "sku": "BRK-${fixture.tag}", "price": 100,`)
    response.assertStatus(400)
    assert.match(String(response.header('content-type')), /application\/json/)
    assert.isArray(response.body().errors)
    assert.deepEqual(await footprint(fixture), before)
  })
})
