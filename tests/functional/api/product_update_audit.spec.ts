import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { apiToken, countRows, createProduct, createStore, ledgerSum, stockOf } from '#tests/fixtures'
import { submit } from '#tests/functional/backoffice/helpers'

/*
| Editing a product (PUT /api/products/:id, the back office's form) audits what changed (every
| field: product_update_fields.spec.ts); a new stock figure is an adjustment (reason correction) of the
| stock ledger, audited as POST /api/stock/adjustments is. Such edits left no audit entry.
*/

async function auditOf(storeId: number, action: string) {
  const rows = await db.from('audit_logs').where({ store_id: storeId, action }).orderBy('id').select('user_id', 'subject_type', 'subject_id', 'data')
  return rows.map((row) => ({ ...row, data: typeof row.data === 'string' ? JSON.parse(row.data) : row.data }))
}

test.group('Editing a product is audited', () => {
  test('PUT of price, cost, tax class and stock: one entry with old and new, and the stock change is a correction in the ledger', async ({ client, assert }) => {
    const fixture = await createStore()
    const product = await createProduct(fixture, { price: 500, cost: 400, stock: 10 })
    const token = await apiToken(client, fixture.users.manager)

    const response = await client.put(`/api/products/${product.id}`).bearerToken(token).json({ price: 650, cost: 300, tax_class: 'reduced', stock: 7, name: 'Renamed' })
    response.assertStatus(200)
    assert.containsSubset(response.body(), { price: 650, cost: 300, tax_class: 'reduced', stock: 7, name: 'Renamed' })

    assert.deepEqual(await auditOf(fixture.store.id, 'product_updated'), [{
      user_id: fixture.users.manager.id,
      subject_type: 'product',
      subject_id: product.id,
      data: { name: { from: product.name, to: 'Renamed' }, price: { from: 500, to: 650 }, cost: { from: 400, to: 300 }, tax_class: { from: 'standard', to: 'reduced' }, stock: { from: 10, to: 7 } },
    }])
    const adjustment = await db.from('stock_adjustments').where('store_id', fixture.store.id).firstOrFail()
    assert.equal(adjustment.reason, 'correction')
    const movement = await db.from('stock_movements').where({ product_id: product.id, reason: 'adjustment' }).firstOrFail()
    assert.containsSubset(movement, { quantity: -3, document_type: 'adjustment', document_id: adjustment.id, user_id: fixture.users.manager.id })
    assert.deepEqual((await auditOf(fixture.store.id, 'stock_adjusted')).map((e) => [e.subject_id, e.data]), [[adjustment.id, { reason: 'correction', lines: [[product.id, -3]] }]])
    assert.equal(await stockOf(product.id), 7)
    assert.equal(await ledgerSum(product.id), 7)

    // Nothing changed: no entry; only the stock: the stock alone
    ;(await client.put(`/api/products/${product.id}`).bearerToken(token).json({ price: 650, name: 'Renamed' })).assertStatus(200)
    ;(await client.put(`/api/products/${product.id}`).bearerToken(token).json({ stock: 9 })).assertStatus(200)
    const entries = await auditOf(fixture.store.id, 'product_updated')
    assert.lengthOf(entries, 2)
    assert.deepEqual(entries[1].data, { stock: { from: 7, to: 9 } })
    assert.equal(await countRows('stock_adjustments', { store_id: fixture.store.id }), 2)
    assert.equal(await ledgerSum(product.id), 9)
  })

  test('a refused PUT writes no adjustment and no audit entry', async ({ client, assert }) => {
    const fixture = await createStore()
    const taken = await createProduct(fixture)
    const product = await createProduct(fixture, { price: 500, stock: 10 })
    const token = await apiToken(client, fixture.users.manager)
    for (const body of [{ sku: taken.sku, price: 700, stock: 3 }, { price: 700, stock: -1 }]) {
      const response = await client.put(`/api/products/${product.id}`).bearerToken(token).json(body)
      response.assertStatus(422)
    }
    assert.lengthOf(await auditOf(fixture.store.id, 'product_updated'), 0)
    assert.lengthOf(await auditOf(fixture.store.id, 'stock_adjusted'), 0)
    assert.equal(await countRows('stock_adjustments', { store_id: fixture.store.id }), 0)
    assert.equal(await stockOf(product.id), 10)
  })

  test('the back office form is audited the same way', async ({ client, assert }) => {
    const fixture = await createStore()
    const product = await createProduct(fixture, { name: 'Kettle', price: 2500, cost: 1000, stock: 10, barcode: '4006381333931' })
    const response = await submit(client, fixture.users.manager, 'put', `/backoffice/products/${product.id}`, {
      name: 'Kettle', sku: product.sku, barcodes: '4006381333931', category_id: String(fixture.category.id), price: '27.50', cost: '10.00', tax_class: 'standard', stock: '4', stock_was: '10', active: ['', 'on'],
    })
    response.assertStatus(302)
    assert.deepEqual((await auditOf(fixture.store.id, 'product_updated')).map((e) => e.data), [{ price: { from: 2500, to: 2750 }, stock: { from: 10, to: 4 } }])
    assert.lengthOf(await auditOf(fixture.store.id, 'stock_adjusted'), 1)
    assert.equal((await db.from('stock_adjustments').where('store_id', fixture.store.id).firstOrFail()).reason, 'correction')
    assert.equal(await ledgerSum(product.id), 4)
  })
})
