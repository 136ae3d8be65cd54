import { test } from '@japa/runner'
import { mkdir, writeFile } from 'node:fs/promises'
import { randomUUID } from 'node:crypto'
import db from '@adonisjs/lucid/services/db'
import { dbTimestamp } from '#platform/db_time'
import { createStore, PASSWORD } from '#tests/fixtures'
import { appRootPath, appsBehindProxy, signIn } from './app_process.js'

/*
| A product CSV import whose database goes away part way, its server alive: the batch being
| written fails, and marking the import failed failed too (the same database). The import then
| said "Importing: 2000 of 20000 rows" for an hour, until failDeadImports took it for dead, though
| its server knew it had stopped. Now the server marks it failed once the database is back, with
| a message saying what happened. A real child server behind a TCP proxy, cut. MariaDB only.
*/

const PORT = Number(process.env.PORT ?? 3334) + 8
const PROXY_PORT = Number(process.env.PORT ?? 3334) + 9
const onMariaDb = process.env.DB_CONNECTION === 'mysql'

test.group('A product import whose database goes away part way', (group) => {
  const startBehindProxy = appsBehindProxy(group, PORT, PROXY_PORT)

  test('the import is marked failed, saying why, once the database is back: not "Importing" for an hour', async ({ assert }) => {
    const fixture = await createStore()
    const rows = ['sku,name,price,stock']
    for (let i = 1; i <= 20_000; i++) rows.push(`D-${fixture.tag}-${i},Item ${i},1.00,2`)
    await mkdir(`${appRootPath}tmp/imports`, { recursive: true })
    const path = `${appRootPath}tmp/imports/${randomUUID()}.csv`
    await writeFile(path, rows.join('\r\n') + '\r\n')
    const now = dbTimestamp()
    const [id] = await db.table('product_imports').insert({ store_id: fixture.store.id, user_id: fixture.users.manager.id, file_name: 'gone.csv', path, status: 'previewed', total_rows: 20_000, created_rows: 20_000, updated_rows: 0, error_rows: 0, created_at: now, updated_at: now })

    const { app, proxy } = await startBehindProxy()
    const jar = await signIn(app, fixture.users.manager.email, PASSWORD)
    const page = await fetch(`${app.url}/backoffice/products/import/${id}`, { headers: { cookie: jar.header() } })
    const csrf = /name=['"]_csrf['"] value=['"]([^'"]+)['"]/.exec(await page.text())![1]
    const run = await fetch(`${app.url}/backoffice/products/import/${id}/run`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded', 'cookie': jar.header() }, body: new URLSearchParams({ _csrf: csrf }) })
    assert.equal(run.status, 302)

    // Once its first batch committed (read here, not through the proxy), the database goes away
    const job = () => db.from('product_imports').where('id', id).first()
    for (let tries = 0; Number((await job()).processed_rows) < 1000; tries++) {
      assert.isBelow(tries, 3000, 'the first batch never committed')
      await new Promise((resolve) => setTimeout(resolve, 10))
    }
    await proxy.cut()
    await new Promise((resolve) => setTimeout(resolve, 3000))
    assert.equal((await job()).status, 'running', 'nothing can be marked while the database is away')
    await proxy.start()

    // Back: within seconds the import is failed, its figures those of the batches that committed
    let ended = await job()
    for (let tries = 0; ended.status === 'running' && tries < 60; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 250))
      ended = await job()
    }
    assert.equal(ended.status, 'failed')
    assert.isBelow(Number(ended.processed_rows), 20_000)
    const created = await db.from('products').where('store_id', fixture.store.id).where('sku', 'like', `D-${fixture.tag}-%`).count('* as n').first()
    assert.equal(Number(ended.created_rows), Number(created.n))

    // Its page says it stopped, and why
    const shown = await fetch(`${app.url}/backoffice/products/import/${id}/progress`, { headers: { cookie: jar.header() } })
    const html = await shown.text()
    assert.include(html, 'data-status="failed"')
    assert.include(html, 'the database was out of reach')
  })
    .skip(!onMariaDb, 'MariaDB only (DB_CONNECTION=mysql)')
    .timeout(120_000)
})
