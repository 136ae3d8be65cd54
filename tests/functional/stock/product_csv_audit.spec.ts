import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { createProduct, createStore, ledgerSum, type TestStore } from '#tests/fixtures'

/*
| A product CSV import that sets stock is seen by a manager reviewing shrinkage: each stock change
| is a movement of its own reason (import, or the opening stock of a product it creates) naming the
| import, and each batch of rows writes an audit entry (who, the file, rows created and updated, the
| stock changes) in the transaction of those rows. An import set stock with no audit entry, and its
| changes read as ordinary adjustments.
*/

async function importFile(client: any, fixture: TestStore, content: string, name: string) {
  const upload = await client
    .post('/backoffice/products/import')
    .file('file', Buffer.from(content, 'utf8'), { filename: name, contentType: 'text/csv' })
    .withCsrfToken()
    .loginAs(fixture.users.manager)
    .redirects(0)
  upload.assertStatus(302)
  const id = Number(upload.headers().location.split('/').pop())
  const settled = async () => {
    for (;;) {
      const job = await db.from('product_imports').where('id', id).first()
      if (!['checking', 'running'].includes(job.status)) return job
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
  }
  await settled()
  ;(await client.post(`/backoffice/products/import/${id}/run`).withCsrfToken().loginAs(fixture.users.manager).redirects(0)).assertStatus(302)
  return settled()
}

test.group('Products CSV import: the ledger and the audit log', () => {
  test('stock set by an import: movements of reason import naming it, and one audit entry with the file, the counts and the stock changes', async ({ client, assert }) => {
    const fixture = await createStore()
    const shrunk = await createProduct(fixture, { name: 'Shrunk', sku: 'SHR-1', stock: 10 })
    const same = await createProduct(fixture, { name: 'Same', sku: 'SAM-1', stock: 4 })
    const csv = 'sku,name,price,stock\r\nSHR-1,Shrunk,1.00,7\r\nSAM-1,Same,2.00,4\r\nNEW-1,Fresh,3.00,5\r\nNEW-2,Empty,3.00,\r\n'
    const job = await importFile(client, fixture, csv, 'spring-stock.csv')
    assert.equal(job.status, 'done')

    const movements = await db.from('stock_movements').whereIn('product_id', [shrunk.id, same.id]).where('reason', '<>', 'initial').select('product_id', 'quantity', 'reason', 'document_type', 'document_id', 'user_id')
    assert.deepEqual(movements, [{ product_id: shrunk.id, quantity: -3, reason: 'import', document_type: 'product_import', document_id: job.id, user_id: fixture.users.manager.id }])
    const fresh = await db.from('products').where({ store_id: fixture.store.id, sku: 'NEW-1' }).firstOrFail()
    const opening = await db.from('stock_movements').where('product_id', fresh.id).select('quantity', 'reason', 'document_type', 'document_id')
    assert.deepEqual(opening, [{ quantity: 5, reason: 'initial', document_type: 'product_import', document_id: job.id }])
    assert.equal(await ledgerSum(shrunk.id), 7)

    const entries = await db.from('audit_logs').where({ store_id: fixture.store.id, action: 'products_imported' }).select('user_id', 'subject_type', 'subject_id', 'data')
    assert.lengthOf(entries, 1)
    assert.containsSubset(entries[0], { user_id: fixture.users.manager.id, subject_type: 'product_import', subject_id: job.id })
    assert.deepEqual(JSON.parse(entries[0].data), {
      file: 'spring-stock.csv',
      created: 2,
      updated: 2,
      stockChanges: 2,
      stock: [
        { sku: 'SHR-1', from: 10, to: 7 },
        { sku: 'NEW-1', from: 0, to: 5 },
      ],
    })

    // Where the audit log is shown: the action to filter by, and the entry linking to its import
    const page = await client.get('/backoffice/audit?action=products_imported').loginAs(fixture.users.admin)
    page.assertStatus(200)
    assert.include(page.text(), '<option value="products_imported"')
    assert.include(page.text(), `href="/backoffice/products/import/${job.id}"`)
    assert.include(page.text(), 'spring-stock.csv')
  })

  test('an import that changes no stock is audited too, with no stock change and no movement', async ({ client, assert }) => {
    const fixture = await createStore()
    await createProduct(fixture, { sku: 'KEEP-1', stock: 3 })
    const job = await importFile(client, fixture, 'sku,name,price,stock\r\nKEEP-1,Kept,1.00,3\r\n', 'nothing.csv')
    assert.equal(job.status, 'done')
    const entries = await db.from('audit_logs').where({ store_id: fixture.store.id, action: 'products_imported' }).select('data')
    assert.deepEqual(entries.map((e) => JSON.parse(e.data)), [{ file: 'nothing.csv', created: 0, updated: 1, stockChanges: 0, stock: [] }])
    assert.equal(await db.from('stock_movements').where('reason', 'import').whereIn('product_id', db.from('products').where('store_id', fixture.store.id).select('id')).count('* as n').first().then((r) => Number(r.n)), 0)
  })
})
