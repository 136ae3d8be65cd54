import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { apiToken, createProduct, createStore, errorFields, stockOf } from '#tests/fixtures'
import { newBarcode, productFootprint } from '#tests/functional/api/footprints'

/*
| /api/products: who may write products, and bad input refused on its field with nothing written.
*/

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
      const before = await productFootprint(fixture)

      const created = await client.post('/api/products').bearerToken(token).json({ name: 'Nope', sku: `NOPE-${fixture.tag}`, price: 1, stock: 3 })
      created.assertStatus(403)
      assert.equal(created.body().errors[0].code, 'forbidden')
      ;(await client.put(`/api/products/${product.id}`).bearerToken(token).json({ name: 'Changed', price: 1, stock: 0 })).assertStatus(403)
      ;(await client.delete(`/api/products/${product.id}`).bearerToken(token)).assertStatus(403)

      assert.deepEqual(await productFootprint(fixture), before)
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
    const before = await productFootprint(fixture)

    const created = await client.post('/api/products').bearerToken(token).json({ name: 'Twin', sku: existing.sku, price: 100, stock: 4 })
    created.assertStatus(422)
    assert.deepEqual(errorFields(created), ['sku'])
    assert.isString(created.body().errors[0].message)

    const updated = await client.put(`/api/products/${second.id}`).bearerToken(token).json({ sku: existing.sku })
    updated.assertStatus(422)
    assert.deepEqual(errorFields(updated), ['sku'])

    assert.deepEqual(await productFootprint(fixture), before)
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
    const before = await productFootprint(fixture)

    const response = await client.post('/api/products').bearerToken(token).json({ name: 'Bad code', sku: `BAD-${fixture.tag}`, barcode: bad, price: 100, stock: 2 })
    response.assertStatus(422)
    assert.deepEqual(errorFields(response), ['barcode'])
    assert.deepEqual(await productFootprint(fixture), before)

    const product = await createProduct(fixture)
    const update = await client.put(`/api/products/${product.id}`).bearerToken(token).json({ barcode: bad })
    update.assertStatus(422)
    assert.deepEqual(errorFields(update), ['barcode'])

    // Sent as a list, the bad one is named by its place; both ways at once are refused (barcode was dropped)
    const listed = await client.put(`/api/products/${product.id}`).bearerToken(token).json({ barcodes: [newBarcode(), bad] })
    listed.assertStatus(422)
    assert.deepEqual(errorFields(listed), ['barcodes.1'])
    const both = await client.put(`/api/products/${product.id}`).bearerToken(token).json({ barcode: good, barcodes: [newBarcode()] })
    both.assertStatus(422)
    assert.deepEqual(errorFields(both), ['barcode'])
  })

  test('a barcode already used by another product is 422 on field barcode', async ({ client, assert }) => {
    const fixture = await createStore()
    const existing = await createProduct(fixture)
    const code = (await db.from('product_barcodes').where('product_id', existing.id).first()).code
    const token = await apiToken(client, fixture.users.manager)
    const before = await productFootprint(fixture)
    const response = await client.post('/api/products').bearerToken(token).json({ name: 'Clash', sku: `CLASH-${fixture.tag}`, barcode: code, price: 100 })
    response.assertStatus(422)
    assert.deepEqual(errorFields(response), ['barcode'])
    assert.deepEqual(await productFootprint(fixture), before)
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
      const before = await productFootprint(fixture)
      const response = await client.post('/api/products').bearerToken(token).json(body)
      response.assertStatus(422)
      assert.include(errorFields(response), field)
      assert.deepEqual(await productFootprint(fixture), before)
    })

  test('PUT with a bad price or stock is 422 and changes nothing', async ({ client, assert }) => {
    const fixture = await createStore()
    const product = await createProduct(fixture, { price: 300, stock: 4 })
    const token = await apiToken(client, fixture.users.manager)
    const before = await productFootprint(fixture)
    for (const [body, field] of [
      [{ price: -1 }, 'price'],
      [{ price: 1.25 }, 'price'],
      [{ stock: 2.5 }, 'stock'],
      [{ name: '' }, 'name'],
      [{ name: null }, 'name'],
      [{ sku: '' }, 'sku'],
      [{ price: null }, 'price'],
      // A count typed in; below zero is only what selling does (it was set to -5)
      [{ stock: -5 }, 'stock'],
    ] as const) {
      const response = await client.put(`/api/products/${product.id}`).bearerToken(token).json(body)
      assert.equal(response.status(), 422, `PUT ${JSON.stringify(body)}`)
      assert.include(errorFields(response), field)
    }
    assert.deepEqual(await productFootprint(fixture), before)
    assert.equal(await stockOf(product.id), 4)
  })

  test('a malformed JSON body is a 400 JSON error and writes nothing', async ({ client, assert }) => {
    const fixture = await createStore()
    const token = await apiToken(client, fixture.users.manager)
    const before = await productFootprint(fixture)
    const response = await client
      .post('/api/products')
      .bearerToken(token)
      .header('content-type', 'application/json')
      .unsafeJson(`{"name": "Broken", "sku": "BRK-${fixture.tag}", "price": 100,`)
    response.assertStatus(400)
    assert.match(String(response.header('content-type')), /application\/json/)
    assert.isArray(response.body().errors)
    assert.deepEqual(await productFootprint(fixture), before)
  })
})
