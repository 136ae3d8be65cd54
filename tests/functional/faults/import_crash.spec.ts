import { test } from '@japa/runner'
import { mkdir, rm, writeFile } from 'node:fs/promises'
import { randomUUID } from 'node:crypto'
import db from '@adonisjs/lucid/services/db'
import { dbTimestamp } from '#platform/db_time'
import { createProduct, createStore, ledgerSum, PASSWORD, type TestStore } from '#tests/fixtures'
import { AppProcess, appRootPath, signIn } from './app_process.js'

/*
| A product CSV import whose server is killed with SIGKILL right after a batch of rows committed
| (POS_FAULT after_import_batch), as a deploy, a crash or running out of memory would. The batch's
| transaction also saved the import's progress: the job row counts exactly the committed rows.
| Killed between two batches, the audit log has exactly one entry for the committed batch, with its
| figures, and none for the rows never written; started again, the server takes the import, an hour
| without progress, for dead and marks it failed. Killed after its last batch, the import is done.
| Before, the progress was saved after the commit: killed there it lagged a batch, and an import
| whose every row was written stayed `running` and an hour later was marked failed.
*/

const PORT = Number(process.env.PORT ?? 3334) + 15

/** The server the test started, stopped after each test */
let app: AppProcess | null = null

/** A previewed import of these CSV lines (the header first), as the upload and its check leave it */
async function previewed(fixture: TestStore, fileName: string, lines: string[], figures: { total_rows: number; created_rows: number; updated_rows: number; error_rows: number }) {
  const folder = `${appRootPath}tmp/imports`
  await mkdir(folder, { recursive: true })
  const path = `${folder}/${randomUUID()}.csv`
  await writeFile(path, lines.join('\r\n') + '\r\n')
  const now = dbTimestamp()
  const [inserted] = await db.table('product_imports').insert({ store_id: fixture.store.id, user_id: fixture.users.manager.id, file_name: fileName, path, status: 'previewed', ...figures, created_at: now, updated_at: now })
  return Number(inserted)
}

/** Runs the import on a server that kills itself after its first batch commits */
async function runKilled(fixture: TestStore, id: number) {
  app = await new AppProcess(PORT).start({ POS_FAULT: 'after_import_batch' })
  const jar = await signIn(app, fixture.users.manager.email, PASSWORD)
  const page = await fetch(`${app.url}/backoffice/products/import/${id}`, { headers: { cookie: jar.header() } })
  const csrf = /name=['"]_csrf['"] value=['"]([^'"]+)['"]/.exec(await page.text())![1]
  const run = await fetch(`${app.url}/backoffice/products/import/${id}/run`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded', 'cookie': jar.header() }, body: new URLSearchParams({ _csrf: csrf }) })
  const ended = await app.ended()
  app = null
  return { run, ended }
}

/** The import's page on a server started again, an hour later as far as the import's progress goes */
async function shownAnHourLater(fixture: TestStore, id: number) {
  await db.from('product_imports').where('id', id).update({ updated_at: dbTimestamp(new Date(Date.now() - 61 * 60_000)) })
  app = await new AppProcess(PORT).start()
  const jar = await signIn(app, fixture.users.manager.email, PASSWORD)
  const shown = await fetch(`${app.url}/backoffice/products/import/${id}/progress`, { headers: { cookie: jar.header() } })
  return { status: shown.status, html: await shown.text() }
}

/** The job row's progress */
async function progressOf(id: number) {
  const job = await db.from('product_imports').where('id', id).first()
  return { status: job.status, processed: Number(job.processed_rows), created: Number(job.created_rows), updated: Number(job.updated_rows), errorRows: Number(job.error_rows) }
}

test.group('A product import whose server is killed part way', (group) => {
  group.each.teardown(async () => {
    await app?.stop()
    app = null
  })

  test('killed between two batches: the committed batch is audited once, and the import ends failed', async ({ assert }) => {
    const fixture = await createStore()
    const counted = await createProduct(fixture, { sku: `CNT-${fixture.tag}`, stock: 10 })
    const rows = ['sku,name,price,stock', `CNT-${fixture.tag},Counted,1.00,4`]
    for (let i = 1; i <= 1500; i++) rows.push(`K-${fixture.tag}-${i},Item ${i},1.00,2`)
    const id = await previewed(fixture, 'killed.csv', rows, { total_rows: 1501, created_rows: 1500, updated_rows: 1, error_rows: 0 })

    const { run, ended } = await runKilled(fixture, id)
    assert.equal(run.status, 302)
    assert.equal(ended, 'SIGKILL')

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
    // Its progress is the committed batch's, not a batch behind
    assert.deepEqual(await progressOf(id), { status: 'running', processed: 1000, created: 999, updated: 1, errorRows: 0 })

    // Started again, an hour later as far as the import's progress goes: its page says it failed
    const shown = await shownAnHourLater(fixture, id)
    assert.equal(shown.status, 200)
    assert.include(shown.html, 'data-status="failed"')
    assert.deepEqual(await progressOf(id), { status: 'failed', processed: 1000, created: 999, updated: 1, errorRows: 0 })
    // Nothing more was written, nor audited
    assert.lengthOf(await audited(), 1)
    const after = await db.from('products').where('store_id', fixture.store.id).where('sku', 'like', `K-${fixture.tag}-%`).count('* as n').first()
    assert.equal(Number(after.n), 999)
  }).timeout(120_000)

  test('killed after its last batch: the import is done, with its figures, and an hour later still done', async ({ assert }) => {
    const fixture = await createStore()
    const counted = await createProduct(fixture, { sku: `CNT-${fixture.tag}`, stock: 10 })
    // One batch, so the first is the last; row 3 is left out (no price)
    const id = await previewed(fixture, 'last.csv', ['sku,name,price,stock', `CNT-${fixture.tag},Counted,1.00,4`, `BAD-${fixture.tag},Bad,,1`, `L-${fixture.tag},Last,1.00,2`], { total_rows: 3, created_rows: 1, updated_rows: 1, error_rows: 1 })

    const { run, ended } = await runKilled(fixture, id)
    assert.equal(run.status, 302)
    assert.equal(ended, 'SIGKILL')

    assert.equal(await ledgerSum(counted.id), 4)
    assert.deepEqual(await progressOf(id), { status: 'done', processed: 3, created: 1, updated: 1, errorRows: 1 })
    const job = await db.from('product_imports').where('id', id).first()
    assert.deepEqual(JSON.parse(job.errors).map((error: any) => [error.row, error.column]), [[3, 'price']])

    const shown = await shownAnHourLater(fixture, id)
    assert.equal(shown.status, 200)
    assert.include(shown.html, 'data-status="done"')
    assert.include(shown.html, 'Imported: 1 created, 1 updated, 1 rows left out.')
    assert.equal((await progressOf(id)).status, 'done')
    const entries = await db.from('audit_logs').where({ action: 'products_imported', subject_type: 'product_import', subject_id: id }).count('* as n').first()
    assert.equal(Number(entries.n), 1)
    // Killed before it removed its uploaded file: nothing removes a done import's file (left alone here)
    await rm(job.path, { force: true })
  }).timeout(120_000)
})
