import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import Category from '#models/category'
import { PRODUCT_REFERENCES } from '#catalog/catalog_service'
import StocktakeService from '#inventory/stocktake_service'
import { apiToken, countRows, createProduct, createStore } from '#tests/fixtures'
import { submit } from '#tests/functional/backoffice/helpers'

/*
| Deleting a product that some row names (a refund, a transfer, a stocktake...) archives it, as
| one that was sold is: the delete failed on the foreign key and answered 500.
*/

/** The columns that name products.id by a foreign key, read from the database itself */
async function foreignKeysOntoProducts(): Promise<string[]> {
  if (db.connection().dialect.name === 'mysql') {
    const rows = await db
      .from('information_schema.KEY_COLUMN_USAGE')
      .whereRaw('TABLE_SCHEMA = DATABASE()')
      .where({ REFERENCED_TABLE_NAME: 'products', REFERENCED_COLUMN_NAME: 'id' })
      .select('TABLE_NAME as table', 'COLUMN_NAME as column')
    return rows.map((r) => `${r.table}.${r.column}`)
  }
  const tables = await db.from('sqlite_master').where('type', 'table').select('name')
  const found: string[] = []
  for (const { name } of tables) {
    const keys = (await db.rawQuery(`PRAGMA foreign_key_list("${name}")`)) as { table: string; from: string }[]
    for (const key of keys) if (key.table === 'products') found.push(`${name}.${key.from}`)
  }
  return found
}

test.group('Deleting a product that rows refer to', () => {
  test('a product named by a refund, a transfer in transit or a stocktake is archived (200), not a 500; one named by nothing is deleted', async ({ client, assert }) => {
    const fixture = await createStore()
    const other = await createStore()
    const refunded = await createProduct(fixture, { name: 'Refunded only', stock: 0 })
    const counted = await createProduct(fixture, { name: 'Counted only' })
    const untouched = await createProduct(fixture, { name: 'Untouched' })
    const incoming = await createProduct(fixture, { name: 'Incoming', sku: `IN-${fixture.tag}`, stock: 0 })
    const sent = await createProduct(other, { sku: `IN-${fixture.tag}`, stock: 5 })
    const manager = await apiToken(client, fixture.users.manager)

    // A refund without a receipt, not put back on the shelf: no stock movement names the product
    ;(await client.post('/api/refunds').bearerToken(manager).json({ items: [{ product_id: refunded.id, quantity: 1, restock: false }], reason: 'x', method: 'card_external' })).assertStatus(201)
    // This store is only the receiving side of a transfer not received yet
    const transfer = await client.post('/api/stock/transfers').bearerToken(await apiToken(client, other.users.manager)).json({ to_store_id: fixture.store.id, items: [{ product_id: sent.id, quantity: 2 }] })
    transfer.assertStatus(201)
    // A count sheet of a category holding only this product
    const shelf = await Category.create({ storeId: fixture.store.id, name: 'Shelf', position: 1 })
    await db.from('products').where('id', counted.id).update({ category_id: shelf.id })
    await new StocktakeService().createStocktake({ user: fixture.users.manager, store: fixture.store }, shelf.id)
    // Nothing but those rows names them: no sale, no stock movement past the opening stock
    const moved = await db.from('stock_movements').whereIn('product_id', [refunded.id, incoming.id, counted.id]).whereNot('reason', 'initial').count('* as n').first()
    assert.equal(Number(moved.n), 0)

    for (const product of [refunded, incoming, counted]) {
      const response = await client.delete(`/api/products/${product.id}`).bearerToken(manager)
      response.assertStatus(200)
      assert.equal(response.body().archived, true, product.name)
      assert.equal(response.body().active, false)
      const row = await db.from('products').where('id', product.id).first()
      assert.isNotNull(row.archived_at, product.name)
      assert.equal(await countRows('audit_logs', { action: 'product_archived', subject_id: product.id }), 1)
    }
    ;(await client.delete(`/api/products/${untouched.id}`).bearerToken(manager)).assertStatus(204)
    assert.equal(await countRows('products', { id: untouched.id }), 0)

    // The transfer's line still names the archived product; its stock is not received into it
    // (nobody could sell it) until the product is restored (transfer_archived.spec.ts)
    assert.equal(await countRows('stock_transfer_lines', { to_product_id: incoming.id }), 1)
    const refused = await client.post(`/api/stock/transfers/${transfer.body().id}/receive`).bearerToken(manager).json({})
    refused.assertStatus(422)
    assert.equal(refused.body().errors[0].code, 'archived_product')
    // Restored as the back office does it (Products -> Restore)
    await db.from('products').where('id', incoming.id).update({ archived_at: null, active: true })
    const received = await client.post(`/api/stock/transfers/${transfer.body().id}/receive`).bearerToken(manager).json({})
    received.assertStatus(200)
  })

  test('the back office archives such a product too', async ({ client, assert }) => {
    const fixture = await createStore()
    const refunded = await createProduct(fixture, { name: 'Refunded only', stock: 0 })
    const manager = await apiToken(client, fixture.users.manager)
    ;(await client.post('/api/refunds').bearerToken(manager).json({ items: [{ product_id: refunded.id, quantity: 1, restock: false }], reason: 'x', method: 'card_external' })).assertStatus(201)

    const response = await submit(client, fixture.users.manager, 'delete', `/backoffice/products/${refunded.id}`)
    response.assertStatus(302)
    assert.include(response.flashMessage('notice'), 'archived')
    const row = await db.from('products').where('id', refunded.id).first()
    assert.isNotNull(row.archived_at)
  })

  test('the catalog knows every foreign key onto products (a new one must be added to PRODUCT_REFERENCES)', async ({ assert }) => {
    // A product's own barcodes and search words go with it (ON DELETE CASCADE); its movements are checked apart (its opening stock's go with it)
    const known = [...PRODUCT_REFERENCES.map(([table, column]) => `${table}.${column}`), 'stock_movements.product_id', 'product_barcodes.product_id', 'product_words.product_id']
    assert.sameMembers(await foreignKeysOntoProducts(), known)
  })
})
