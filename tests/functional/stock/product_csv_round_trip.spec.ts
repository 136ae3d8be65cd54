import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import Category from '#models/category'
import { neutralise, unneutralise } from '#platform/csv_writer'
import { countRows, createProduct, createStore } from '#tests/fixtures'
import { importProductsCsv } from './product_csv_import.js'

/*
| Export, edit, import: the products CSV comes back as it went out. The export puts a ' before a
| cell a spreadsheet would run as a formula (= + - @ tab CR, csv_writer.ts); the import takes that
| quote off again, in every column, so "@Home Candle" stays "@Home Candle" and "=SKU-1" still names
| its product. A name that really starts with ' stays as it is.
*/

const NAMES = ['@Home Candle', '=Half price', '+Plus size', '-Minus deal', "'Quoted from the start", "'=Quote, then equals", "''@Two quotes", "'-12.50", '-12.50', 'Plain Tea']

test.group('Products CSV: export, edit, import', () => {
  test('the writer and the reader: every text comes back as it was written', ({ assert }) => {
    for (const text of [...NAMES, '\tTab', '\rCR', "'\tTab", "'", "''", '', '=', '-5', "'-5"]) assert.equal(unneutralise(neutralise(text)), text, JSON.stringify(text))
    assert.equal(neutralise("'=x"), "''=x", 'a quote before a formula is quoted again, so the import can tell it from the guard')
    assert.equal(neutralise("'plain"), "'plain")
  })

  test('exported, a price edited, imported: names, SKUs and categories unchanged, no product added', async ({ client, assert }) => {
    const fixture = await createStore()
    const outdoor = await Category.create({ storeId: fixture.store.id, name: '@Outdoor', position: 1 })
    const products = []
    for (const [i, name] of NAMES.entries()) {
      const product = await createProduct(fixture, { name, sku: `${i % 2 ? '=' : '+'}SKU-${fixture.tag}-${i}`, price: 1000 + i })
      await product.merge({ categoryId: outdoor.id }).save()
      products.push(product)
    }
    const before = await countRows('products', { store_id: fixture.store.id })

    const exported = await client.get('/backoffice/products/export.csv').loginAs(fixture.users.manager)
    exported.assertStatus(200)
    assert.include(exported.text(), "'@Home Candle", 'the export still guards the cell')
    // Edited in a spreadsheet: the first product's price
    const edited = exported.text().replace(/(,'@Home Candle,[^,]*,'@Outdoor,)10\.00,/, '$122.50,')
    assert.notEqual(edited, exported.text())

    const done = await importProductsCsv(client, fixture, edited)
    assert.equal(done.status, 'done', JSON.stringify(done.errors))
    assert.deepInclude(done, { created_rows: 0, updated_rows: NAMES.length, error_rows: 0 })
    assert.equal(await countRows('products', { store_id: fixture.store.id }), before)
    assert.equal(await countRows('categories', { store_id: fixture.store.id, name: "'@Outdoor" }), 0)
    for (const product of products) {
      const row = await db.from('products').where('id', product.id).first()
      assert.deepEqual({ name: row.name, sku: row.sku, category: Number(row.category_id) }, { name: product.name, sku: product.sku, category: outdoor.id })
    }
    assert.equal(Number((await db.from('products').where('id', products[0].id).first()).price), 2250)

    // And once more: the second export is the first, but for the edited price
    const again = await client.get('/backoffice/products/export.csv').loginAs(fixture.users.manager)
    assert.equal(again.text(), edited)
  })
})
