import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { createProduct, createStore, ledgerSum } from '#tests/fixtures'
import { importProductsCsv } from './product_csv_import.js'

/*
| A product CSV import that sets stock is seen by a manager reviewing shrinkage: each stock change
| is a movement of its own reason (import, or the opening stock of a product it creates) naming the
| import, and each batch of rows writes, in its transaction, the audit entry of what it wrote (who,
| the file, rows created and updated, the stock changes): a file of one batch is one entry, a longer
| one an entry per part, the last with the whole file's totals. Every committed stock change is in
| exactly one entry, however the import stops (a killed server: tests/functional/faults/import_crash.spec.ts).
| The job's progress is saved in the batch's transaction too: refused, nothing of the batch is written.
| An import set stock with no audit entry; then it wrote one entry with its last batch, so a server
| dying between batches left the batches before it unaudited, and a failure after that batch's
| commit wrote a second entry.
*/

/** The import's audit entries' data, oldest first */
async function auditedParts(importId: number) {
  const entries = await db.from('audit_logs').where({ action: 'products_imported', subject_type: 'product_import', subject_id: importId }).orderBy('id').select('data')
  return entries.map((entry) => JSON.parse(entry.data))
}

test.group('Products CSV import: the ledger and the audit log', () => {
  test('stock set by an import: movements of reason import naming it, and one audit entry with the file, the counts and the stock changes', async ({ client, assert }) => {
    const fixture = await createStore()
    const shrunk = await createProduct(fixture, { name: 'Shrunk', sku: 'SHR-1', stock: 10 })
    const same = await createProduct(fixture, { name: 'Same', sku: 'SAM-1', stock: 4 })
    const csv = 'sku,name,price,stock\r\nSHR-1,Shrunk,1.00,7\r\nSAM-1,Same,2.00,4\r\nNEW-1,Fresh,3.00,5\r\nNEW-2,Empty,3.00,\r\n'
    const job = await importProductsCsv(client, fixture, csv, 'spring-stock.csv')
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

  test('a file of several batches is an audit entry per part, each with its own figures, the last with the whole file\'s', async ({ client, assert }) => {
    const fixture = await createStore()
    await createProduct(fixture, { name: 'Counted', sku: 'CNT-1', stock: 10 })
    // 2,000 valid rows (two full batches: the second waits for a next valid row that never comes), then a bad one
    const rows = ['sku,name,price,stock', 'CNT-1,Counted,1.00,8']
    for (let i = 1; i < 2000; i++) rows.push(`BIG-${i},Item ${i},1.00,${i % 3}`)
    rows.push('BAD-1,Bad,not a price,1')
    const job = await importProductsCsv(client, fixture, rows.join('\r\n') + '\r\n', 'big.csv')
    assert.equal(job.status, 'done')
    assert.equal(job.error_rows, 1)
    const parts = await auditedParts(job.id)
    assert.lengthOf(parts, 2)
    const stocked = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => (from + i) % 3).filter(Boolean).length
    assert.deepEqual({ ...parts[0], stock: parts[0].stock.length }, { file: 'big.csv', part: 1, rows: [2, 1001], created: 999, updated: 1, stockChanges: stocked(1, 999) + 1, stock: 400 })
    assert.deepEqual(parts[0].stock[0], { sku: 'CNT-1', from: 10, to: 8 })
    assert.deepEqual({ ...parts[1], stock: parts[1].stock.length }, {
      file: 'big.csv',
      part: 2,
      rows: [1002, 2001],
      created: 1000,
      updated: 0,
      stockChanges: stocked(1000, 1999),
      stock: 400,
      whole: { parts: 2, created: 1999, updated: 1, stockChanges: stocked(1, 1999) + 1 },
    })
    const movements = await db.from('stock_movements').where({ document_type: 'product_import', document_id: job.id }).count('* as n').first()
    assert.equal(parts[0].stockChanges + parts[1].stockChanges, Number(movements.n))
  }).timeout(120_000)

  test('an import that stops after a batch was written has that batch\'s entry, and none for what was not written', async ({ client, assert }) => {
    const fixture = await createStore()
    const boom = `BOOM-${fixture.tag}`
    const rows = ['sku,name,price,stock']
    for (let i = 1; i <= 1000; i++) rows.push(`OK-${fixture.tag}-${i},Item ${i},1.00,1`)
    rows.push(`${boom},Refused,1.00,1`)
    // The database refuses the second batch's product: a failure past the checks, as a lost connection would be
    const mysql = db.connection().dialect.name === 'mysql'
    await db.rawQuery(
      mysql
        ? `CREATE TRIGGER refuse_${fixture.tag} BEFORE INSERT ON products FOR EACH ROW BEGIN IF NEW.sku = '${boom}' THEN SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'refused'; END IF; END`
        : `CREATE TRIGGER refuse_${fixture.tag} BEFORE INSERT ON products WHEN NEW.sku = '${boom}' BEGIN SELECT RAISE(ABORT, 'refused'); END`
    )
    let job: any
    try {
      job = await importProductsCsv(client, fixture, rows.join('\r\n') + '\r\n', 'stopped.csv')
      assert.equal(job.status, 'failed')
    } finally {
      await db.rawQuery(`DROP TRIGGER refuse_${fixture.tag}`)
    }
    const parts = await auditedParts(job.id)
    assert.deepEqual(parts.map((data) => ({ ...data, stock: data.stock.length })), [{ file: 'stopped.csv', part: 1, rows: [2, 1001], created: 1000, updated: 0, stockChanges: 1000, stock: 400 }])
  }).timeout(120_000)

  test('the job\'s progress refused: its batch is not written either, nor audited, and the import fails', async ({ client, assert }) => {
    const fixture = await createStore()
    const kept = await createProduct(fixture, { sku: `KEPT-${fixture.tag}`, stock: 2 })
    // The database refuses the batch's progress (processed_rows set), not the job's other updates.
    // Saved after the batch's commit, the rows stayed written and the job said none were
    const mysql = db.connection().dialect.name === 'mysql'
    const trigger = `refuse_progress_${fixture.tag}`
    await db.rawQuery(
      mysql
        ? `CREATE TRIGGER ${trigger} BEFORE UPDATE ON product_imports FOR EACH ROW BEGIN IF NEW.store_id = ${fixture.store.id} AND NEW.processed_rows > 0 THEN SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'refused'; END IF; END`
        : `CREATE TRIGGER ${trigger} BEFORE UPDATE ON product_imports WHEN NEW.store_id = ${fixture.store.id} AND NEW.processed_rows > 0 BEGIN SELECT RAISE(ABORT, 'refused'); END`
    )
    let job: any
    try {
      job = await importProductsCsv(client, fixture, `sku,name,price,stock\r\nKEPT-${fixture.tag},Kept,1.00,5\r\nNEW-${fixture.tag},New,1.00,3\r\n`, 'unsaved.csv')
      assert.equal(job.status, 'failed')
    } finally {
      await db.rawQuery(`DROP TRIGGER ${trigger}`)
    }
    assert.equal(Number(job.processed_rows), 0)
    assert.equal(await ledgerSum(kept.id), 2)
    assert.isNull(await db.from('products').where({ store_id: fixture.store.id, sku: `NEW-${fixture.tag}` }).first())
    assert.deepEqual(await auditedParts(job.id), [])
  })

  test('an import that changes no stock is audited too, with no stock change and no movement', async ({ client, assert }) => {
    const fixture = await createStore()
    await createProduct(fixture, { sku: 'KEEP-1', stock: 3 })
    const job = await importProductsCsv(client, fixture, 'sku,name,price,stock\r\nKEEP-1,Kept,1.00,3\r\n', 'nothing.csv')
    assert.equal(job.status, 'done')
    const entries = await db.from('audit_logs').where({ store_id: fixture.store.id, action: 'products_imported' }).select('data')
    assert.deepEqual(entries.map((e) => JSON.parse(e.data)), [{ file: 'nothing.csv', created: 0, updated: 1, stockChanges: 0, stock: [] }])
    assert.equal(await db.from('stock_movements').where('reason', 'import').whereIn('product_id', db.from('products').where('store_id', fixture.store.id).select('id')).count('* as n').first().then((r) => Number(r.n)), 0)
  })
})
