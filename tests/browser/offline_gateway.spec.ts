import { test } from '@japa/runner'
import { createServer, type Server } from 'node:http'
import db from '@adonisjs/lucid/services/db'
import { createProduct, createStore } from '#tests/fixtures'
import { offline, openTill, sellOffline, waiting } from './offline/till_device.js'

/*
| The app gone behind its proxy: nginx in front (docs/deploy.md) answers 502 Bad Gateway for
| every request while the app is down or restarting, so the till reaches "a server", which answers
| an error. The till must take that as the server being out of reach, as it does a refused
| connection: go offline at once, and open offline from a reload.
*/

const PORT = Number(process.env.PORT ?? 3334) + 33

/** What nginx answers while the app behind it is down: 502 to everything */
function badGateway(port: number): Promise<Server> {
  const gateway = createServer((request, response) => {
    request.resume()
    response.writeHead(502, { 'content-type': 'text/html' })
    response.end('<html><body><h1>502 Bad Gateway</h1></body></html>')
  })
  return new Promise((resolve) => gateway.listen(port, '127.0.0.1', () => resolve(gateway)))
}

function backOnline(page: any) {
  return page.waitForFunction(() => {
    const doc = (globalThis as any).document
    return doc.body.dataset.offlineReady === 'yes' && !doc.querySelector('#offline-till:not([hidden])')
  }, null, { timeout: 30_000 })
}

test.group('Offline till behind a proxy whose app is down (502)', () => {
  test('a scan answered 502 turns the till offline at once; a reload while the proxy answers 502 opens the kept till; its sales sync when the app is back', async ({ assert, cleanup }) => {
    const fixture = await createStore()
    await createProduct(fixture, { name: 'Bread', price: 400, barcode: '96385074', stock: 100 })
    const { server, till, page } = await openTill(fixture, PORT, cleanup)
    let gateway: Server | null = null
    cleanup(async () => {
      await new Promise((resolve) => gateway?.close(resolve) ?? resolve(null))
    })

    // Right after a heartbeat (the next one is 10 s away), a scan meets the proxy's 502
    await page.waitForRequest('**/health/till', { timeout: 20_000 })
    const scan = (route: any) => (route.request().method() === 'POST' && !route.request().url().includes('/till/offline/') ? route.fulfill({ status: 502, contentType: 'text/html', body: '<h1>502 Bad Gateway</h1>' }) : route.continue())
    await page.route('**/till/**', scan)
    const input = page.locator('.till-main:not(#offline-till)').getByLabel('Scan or search')
    await input.fill('96385074')
    await input.press('Enter')
    // The server out of reach at once (it waited for the heartbeat, up to 10 s)
    await offline(page).waitFor({ timeout: 4_000 })
    await page.unroute('**/till/**', scan)
    // Nothing waits: the till goes back online by itself
    await backOnline(page)

    // The app goes, its proxy answers 502 to everything: a reload opens the kept till, not the proxy's error page
    await server.kill()
    gateway = await badGateway(PORT)
    await page.reload()
    await offline(page).waitFor({ timeout: 20_000 })
    assert.equal(await sellOffline(page, ['96385074']), 1)
    assert.equal(await sellOffline(page, ['96385074', '96385074']), 2)
    assert.equal(await waiting(page, 2), 2)

    // The app is back: the queue syncs, once each
    await new Promise((resolve) => gateway!.close(resolve))
    gateway = null
    await server.start()
    await backOnline(page)
    const sales = await db.from('sales').where({ register_id: fixture.register.id, status: 'completed' }).orderBy('number').select('number')
    assert.deepEqual(sales.map((s) => Number(s.number)), [1, 2])
    assert.deepEqual(till.violations, [])
  }).timeout(180_000)
})
