import { test } from '@japa/runner'
import { mkdir, writeFile } from 'node:fs/promises'
import { randomUUID } from 'node:crypto'
import db from '@adonisjs/lucid/services/db'
import { dbTimestamp } from '#platform/db_time'
import { createProduct, createStore, ledgerSum, PASSWORD } from '#tests/fixtures'
import { AppProcess, appRootPath, signIn } from './app_process.js'

/*
| A product CSV import whose server is killed with SIGKILL between two batches of rows (POS_FAULT
| after_import_batch: the first batch has committed, its progress not yet saved), as a deploy, a
| crash or running out of memory would. The committed batch changed products and stock: the audit
| log has exactly one entry for it, with its figures, and none for the rows never written. Started
| again, the server takes the import, an hour without progress, for dead and marks it failed.
| Before, the import's one entry was written by its last batch: nothing was audited, and the import
| stayed `running` for good.
*/

const PORT = Number(process.env.PORT ?? 3334) + 15

test.group('A product import whose server is killed part way', (group) => {
  let app: AppProcess | null = null
  group.each.teardown(async () => {
    await app?.stop()
    app = null
  })

  test('killed between two batches: the committed batch is audited once, and the import ends failed', async ({ assert }) => {
    const fixture = await createStore()
    const counted = await createProduct(fixture, { sku: `CNT-${fixture.tag}`, stock: 10 })
    const rows = ['sku,name,price,stock', `CNT-${fixture.tag},Counted,1.00,4`]
    for (let i = 1; i <= 1500; i++) rows.push(`K-${fixture.tag}-${i},Item ${i},1.00,2`)
    const folder = `${appRootPath}tmp/imports`
    await mkdir(folder, { recursive: true })
    const path = `${folder}/${randomUUID()}.csv`
    await writeFile(path, rows.join('\r\n') + '\r\n')
    // A previewed import, as the upload and its check leave it
    const now = dbTimestamp()
    const [inserted] = await db.table('product_imports').insert({ store_id: fixture.store.id, user_id: fixture.users.manager.id, file_name: 'killed.csv', path, status: 'previewed', total_rows: 1501, created_rows: 1500, updated_rows: 1, error_rows: 0, created_at: now, updated_at: now })
    const id = Number(inserted)

    app = await new AppProcess(PORT).start({ POS_FAULT: 'after_import_batch' })
    const jar = await signIn(app, fixture.users.manager.email, PASSWORD)
    const page = await fetch(`${app.url}/backoffice/products/import/${id}`, { headers: { cookie: jar.header() } })
    const csrf = /name=['"]_csrf['"] value=['"]([^'"]+)['"]/.exec(await page.text())![1]
    const run = await fetch(`${app.url}/backoffice/products/import/${id}/run`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded', 'cookie': jar.header() }, body: new URLSearchParams({ _csrf: csrf }) })
    assert.equal(run.status, 302)
    assert.equal(await app.ended(), 'SIGKILL')
    app = null

    // The first batch (rows 2 to 1001) committed: one product updated, 999 created, 1,000 stock changes
    const created = await db.from('products').where('store_id', fixture.store.id).where('sku', 'like', `K-${fixture.tag}-%`).count('* as n').first()
    assert.equal(Number(created.n), 999)
    assert.equal(await ledgerSum(counted.id), 4)
    const movements = await db.from('stock_movements').where({ document_type: 'product_import', document_id: id }).count('* as n').first()
    assert.equal(Number(movements.n), 1000)
    const audited = async () => (await db.from('audit_logs').where({ action: 'products_imported', subject_type: 'product_import', subject_id: id }).orderBy('id').select('data')).map((entry) => JSON.parse(entry.data))
    const entries = await audited()
    assert.deepEqual(entries.map((data) => ({ ...data, stock: data.stock.length })), [{ file: 'killed.csv', part: 1, rows: [2, 1001], created: 999, updated: 1, stockChanges: 1000, stock: 400 }])
    assert.deepEqual(entries[0].stock[0], { sku: `CNT-${fixture.tag}`, from: 10, to: 4 })
    assert.equal((await db.from('product_imports').where('id', id).first()).status, 'running')

    // Started again, an hour later as far as the import's progress goes: its page says it failed
    await db.from('product_imports').where('id', id).update({ updated_at: dbTimestamp(new Date(Date.now() - 61 * 60_000)) })
    app = await new AppProcess(PORT).start()
    const again = await signIn(app, fixture.users.manager.email, PASSWORD)
    const shown = await fetch(`${app.url}/backoffice/products/import/${id}/progress`, { headers: { cookie: again.header() } })
    assert.equal(shown.status, 200)
    assert.include(await shown.text(), 'data-status="failed"')
    assert.equal((await db.from('product_imports').where('id', id).first()).status, 'failed')
    // Nothing more was written, nor audited
    assert.lengthOf(await audited(), 1)
    const after = await db.from('products').where('store_id', fixture.store.id).where('sku', 'like', `K-${fixture.tag}-%`).count('* as n').first()
    assert.equal(Number(after.n), 999)
  }).timeout(120_000)
})
