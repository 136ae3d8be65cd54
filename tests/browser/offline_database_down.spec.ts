import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { createProduct, createStore } from '#tests/fixtures'
import { TcpProxy } from '../functional/faults/tcp_proxy.js'
import { offline, openTill, sellOffline, waiting } from './offline/till_device.js'

/*
| The app server up, its database gone: the till's server is a real child whose DB_PORT is a TCP
| proxy in front of MariaDB, cut (refused) or frozen (nothing answers). /health/live still answers
| "ok" then, and the till stayed online, every request failing. It must go offline (the heartbeat
| asks /health/till, the database included; a request answered 503 turns it offline at once),
| sell offline, and sync each sale once when the database is back. Only on MariaDB, but for a request
| never answered at all (a server that hangs), on either database.
*/

const PORT = Number(process.env.PORT ?? 3334) + 37
const PROXY_PORT = Number(process.env.PORT ?? 3334) + 38
const onMariaDb = process.env.DB_CONNECTION === 'mysql'

function backOnline(page: any) {
  return page.waitForFunction(() => {
    const doc = (globalThis as any).document
    return doc.body.dataset.offlineReady === 'yes' && !doc.querySelector('#offline-till:not([hidden])')
  }, null, { timeout: 40_000 })
}

test.group('Offline till: the database gone, the app server up', (group) => {
  let proxy: TcpProxy | null = null
  group.each.teardown(async () => {
    await proxy?.cut()
    proxy = null
  })

  async function open(cleanup: any) {
    const fixture = await createStore()
    await createProduct(fixture, { name: 'Bread', price: 400, barcode: '96385074', stock: 100 })
    proxy = await new TcpProxy(PROXY_PORT, { host: process.env.DB_HOST ?? '127.0.0.1', port: Number(process.env.DB_PORT ?? 3306) }).start()
    const { till, page } = await openTill(fixture, PORT, cleanup, { DB_PORT: String(PROXY_PORT) })
    return { fixture, till, page }
  }

  async function completed(registerId: number) {
    const sales = await db.from('sales').where({ register_id: registerId, status: 'completed' }).orderBy('number').select('number')
    return sales.map((s) => Number(s.number))
  }

  test('an idle till goes offline by its heartbeat when the database is cut, sells, and syncs once it is back', async ({ assert, cleanup }) => {
    const { fixture, till, page } = await open(cleanup)
    await proxy!.cut()
    // No request of its own: the heartbeat (every 10 s) finds the database gone
    await offline(page).waitFor({ timeout: 20_000 })
    assert.equal(await sellOffline(page, ['96385074']), 1)
    assert.equal(await waiting(page, 1), 1)

    await proxy!.start()
    await backOnline(page)
    assert.deepEqual(await completed(fixture.register.id), [1])
    assert.deepEqual(till.violations, [])
  })
    .skip(!onMariaDb, 'MariaDB only (DB_CONNECTION=mysql)')
    .timeout(180_000)

  test('a scan while the database hangs is answered 503 within seconds: the till goes offline at once, sells, and syncs once it is back', async ({ assert, cleanup }) => {
    const { fixture, till, page } = await open(cleanup)
    // Right after a heartbeat (the next one is 10 s away), the database stops answering
    await page.waitForRequest('**/health/till', { timeout: 20_000 })
    await page.waitForTimeout(500)
    proxy!.freeze()
    const started = Date.now()
    const input = page.locator('.till-main:not(#offline-till)').getByLabel('Scan or search')
    await input.fill('96385074')
    await input.press('Enter')
    // Before the next heartbeat could have told it: the scan's own answer did
    await offline(page).waitFor({ timeout: 8_000 })
    assert.isBelow(Date.now() - started, 9_000)
    assert.equal(await sellOffline(page, ['96385074', '96385074']), 1)
    assert.equal(await sellOffline(page, ['96385074']), 2)
    assert.equal(await waiting(page, 2), 2)

    await proxy!.restore()
    await backOnline(page)
    assert.deepEqual(await completed(fixture.register.id), [1, 2])
    assert.deepEqual(till.violations, [])
  })
    .skip(!onMariaDb, 'MariaDB only (DB_CONNECTION=mysql)')
    .timeout(180_000)

  test('a till request the server never answers turns the till offline after 15 s (htmx waited forever)', async ({ cleanup }) => {
    const fixture = await createStore()
    await createProduct(fixture, { name: 'Bread', price: 400, barcode: '96385074', stock: 100 })
    const { page } = await openTill(fixture, PORT, cleanup)
    // Right after a heartbeat; the scan never gets an answer, the heartbeats still do
    await page.waitForRequest('**/health/till', { timeout: 20_000 })
    await page.route('**/till/scan', () => {})
    // Noted the moment the offline screen shows: the heartbeats still answer, so the till may go
    // back online within its next retry (3 s), and a check of the screen alone could miss that
    await page.evaluate(() => {
      const doc = (globalThis as any).document
      const screen = doc.getElementById('offline-till')
      new (globalThis as any).MutationObserver(() => {
        if (!screen.hidden) (globalThis as any).wentOffline = true
      }).observe(screen, { attributes: true, attributeFilter: ['hidden'] })
    })
    const input = page.locator('.till-main:not(#offline-till)').getByLabel('Scan or search')
    await input.fill('96385074')
    await input.press('Enter')
    await page.waitForFunction(() => (globalThis as any).wentOffline === true, null, { timeout: 30_000 })
  }).timeout(120_000)
})
