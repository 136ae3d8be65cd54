import { test } from '@japa/runner'
import { Redis } from 'ioredis'
import { createServer, type Socket } from 'node:net'
import db from '@adonisjs/lucid/services/db'
import { apiToken, createProduct, createStore, PASSWORD } from '#tests/fixtures'
import { TcpProxy } from '#tests/functional/faults/tcp_proxy'
import { AppProcess } from '#tests/functional/faults/app_process'
import { signInAtTill } from '#tests/browser/till_page'

/*
| Live pages after a gap in their updates: a page must show the current figures once the gap is
| over, even though the broadcasts sent during it never reached it: the app server's own Redis
| subscription cut while another server published; the browser's event stream cut (and answered
| 502 by a balancer) while the server broadcast; a stream back but not yet subscribed again.
| Each gap is a TCP proxy cut (tests/functional/faults/tcp_proxy.ts).
*/

const base = Number(process.env.PORT ?? 3334)
const REDIS_HOST = process.env.REDIS_HOST || '127.0.0.1'
const REDIS_PORT = Number(process.env.REDIS_PORT ?? 6379)
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const shownStock = (id: number) => (globalThis as any).document.querySelector(`[data-stock-of="${id}"]`)?.textContent.trim()

test.group('Live pages after a gap', (group) => {
  const cleanups: (() => Promise<unknown>)[] = []
  group.each.teardown(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {})
  })

  test('a stock change published while the server\u2019s Redis subscription was down shows once it is back, with no further update', async ({ visit, client, assert }) => {
    const fixture = await createStore()
    const product = await createProduct(fixture, { name: 'Gap Cola', stock: 10 })

    // The app server under test reaches Redis through a proxy the test cuts
    const proxy = await new TcpProxy(base + 31, { host: REDIS_HOST, port: REDIS_PORT }).start()
    cleanups.push(() => proxy.cut())
    const app = new AppProcess(base + 32, { SESSION_DRIVER: 'cookie', REDIS_HOST: '127.0.0.1', REDIS_PORT: String(base + 31) })
    cleanups.push(() => app.stop())
    await app.start()

    const page = await visit(`${app.url}/login`)
    await page.getByLabel('Email').fill(fixture.users.manager.email)
    await page.getByLabel('Password').fill(PASSWORD)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.waitForURL((url: URL) => !url.pathname.startsWith('/login'))
    await page.goto(`${app.url}/backoffice/products?search=${encodeURIComponent('Gap Cola')}`)
    await page.waitForSelector('body[data-live-subscribed="true"]')
    assert.equal(await page.evaluate(shownStock, product.id), '10')
    // The dashboard of the same server: its low-stock list is a fragment read again on updates
    const dashboard = await page.context().newPage()
    await dashboard.goto(`${app.url}/backoffice`)
    await dashboard.waitForSelector('body[data-live-subscribed="true"]')
    assert.notInclude(await dashboard.locator('#low-stock').textContent(), 'Gap Cola')

    // Another app server's broadcast reaches the page while the subscription is up
    const otherServer = new Redis({ host: REDIS_HOST, port: REDIS_PORT, lazyConnect: true })
    cleanups.push(() => otherServer.quit())
    const bus = `pos::transmit::${process.env.DB_CONNECTION === 'mysql' ? process.env.DB_DATABASE : process.env.SQLITE_PATH ?? 'sqlite'}`
    const publish = (stock: number) =>
      otherServer.publish(
        bus,
        JSON.stringify({ busId: 'another-server', payload: { type: 1, channel: `stores/${fixture.store.id}/stock`, payload: { reason: 'adjustment', products: [{ id: product.id, stock, low: false }], at: Date.now() } } })
      )
    await db.from('products').where('id', product.id).update({ stock: 9 })
    await publish(9)
    await page.waitForFunction((id) => (globalThis as any).document.querySelector(`[data-stock-of="${id}"]`)?.textContent.trim() === '9', product.id)

    // The gap: the server's connections to Redis are cut; meanwhile another server writes 5 off
    // (down to the low-stock threshold, 5)
    await proxy.cut()
    await sleep(300)
    const token = await apiToken(client, fixture.users.manager)
    const adjusted = await client.post('/api/stock/adjustments').bearerToken(token).json({ reason: 'damaged', items: [{ product_id: product.id, quantity: -5 }] })
    adjusted.assertStatus(201)
    await publish(4)
    await sleep(300)
    assert.equal(await page.evaluate(shownStock, product.id), '9', 'the broadcast of the gap is lost')

    // Redis is reachable again: both pages show the stock of now, though nothing changed since
    await proxy.start()
    await page.waitForFunction((id) => (globalThis as any).document.querySelector(`[data-stock-of="${id}"]`)?.textContent.trim() === '4', product.id, { timeout: 15_000 })
    await dashboard.locator('#low-stock', { hasText: 'Gap Cola' }).waitFor({ timeout: 5_000 })
  }).timeout(120_000)

  test('a till whose stream was answered 502 while its server restarted opens it again and shows the stock changed meanwhile, keeping its cart and typed text', async ({ visit, client, assert }) => {
    const fixture = await createStore()
    const cola = await createProduct(fixture, { name: 'Stream Cola', price: 1000, barcode: '5000112637922', stock: 10 })

    // The browser reaches the test's server through a proxy, as through a load balancer
    const proxy = await new TcpProxy(base + 33, { host: '127.0.0.1', port: base }).start()
    cleanups.push(() => proxy.cut())
    const till = await signInAtTill(visit, fixture.users.cashier.email, { origin: `http://127.0.0.1:${base + 33}`, liveSubscribed: true })
    await till.locator(`#grid [data-stock-of="${cola.id}"]`).waitFor()
    const input = till.getByLabel('Scan or search')
    await input.fill('5000112637922')
    await input.press('Enter')
    await till.locator('.cart-line', { hasText: 'Stream Cola' }).waitFor()
    await input.fill('half-typed')
    await sleep(500)

    // The gap: the server restarts; meanwhile the balancer answers 502 (a browser then gives its
    // event stream up for good) and a manager writes 4 off (the till holds its register)
    await proxy.cut()
    const badGateway = await answer502(base + 33)
    cleanups.push(() => badGateway.close())
    await till.waitForSelector('body[data-live="disconnected"]')
    const token = await apiToken(client, fixture.users.manager)
    const adjusted = await client.post('/api/stock/adjustments').bearerToken(token).json({ reason: 'damaged', items: [{ product_id: cola.id, quantity: -4 }] })
    adjusted.assertStatus(201)
    while (badGateway.answered < 1) await sleep(100)
    await sleep(500)
    assert.equal(await till.evaluate(shownStock, cola.id), '10', 'the broadcast of the gap is lost')

    // The server is back: the till listens again and shows the stock of now; the cart and the
    // typed text stay (no reload)
    await badGateway.close()
    await proxy.start()
    await till.waitForFunction((id: number) => (globalThis as any).document.querySelector(`#grid [data-stock-of="${id}"]`)?.textContent.trim() === '6', cola.id, { timeout: 20_000 })
    await till.locator('.cart-line', { hasText: 'Stream Cola' }).waitFor()
    assert.equal(await input.inputValue(), 'half-typed')
    // And it hears what comes next
    await client.post('/api/stock/adjustments').bearerToken(token).json({ reason: 'damaged', items: [{ product_id: cola.id, quantity: -1 }] })
    await till.waitForFunction((id: number) => (globalThis as any).document.querySelector(`#grid [data-stock-of="${id}"]`)?.textContent.trim() === '5', cola.id)
  }).timeout(90_000)

  test('a page whose stream came back reads its figures once it listens again: a change made before its channels are subscribed again shows', async ({ visit, client }) => {
    const fixture = await createStore()
    const tea = await createProduct(fixture, { name: 'Resubscribe Tea', stock: 10 })
    const proxy = await new TcpProxy(base + 34, { host: '127.0.0.1', port: base }).start()
    cleanups.push(() => proxy.cut())
    const url = `http://127.0.0.1:${base + 34}`
    const page = await visit(`${url}/login`)
    await page.getByLabel('Email').fill(fixture.users.manager.email)
    await page.getByLabel('Password').fill(PASSWORD)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.waitForURL((at: URL) => !at.pathname.startsWith('/login'))
    await page.goto(`${url}/backoffice/products?search=${encodeURIComponent('Resubscribe Tea')}`)
    await page.waitForSelector('body[data-live-subscribed="true"]')

    // The stream drops; when it is back, its subscriptions are held on their way for a moment
    const held: any[] = []
    await page.route('**/__transmit/subscribe', (route: any) => held.push(route))
    await proxy.cut()
    await page.waitForSelector('body[data-live="disconnected"]')
    await proxy.start()
    await page.waitForSelector('body[data-live="connected"]')
    while (held.length < 2) await sleep(50)
    await sleep(500)
    // Connected, not yet subscribed: this change's broadcast reaches no page
    const token = await apiToken(client, fixture.users.manager)
    const adjusted = await client.post('/api/stock/adjustments').bearerToken(token).json({ reason: 'found', items: [{ product_id: tea.id, quantity: 5 }] })
    adjusted.assertStatus(201)
    await sleep(300)
    for (const route of held) await route.continue()
    await page.unroute('**/__transmit/subscribe')
    await page.waitForFunction((id: number) => (globalThis as any).document.querySelector(`[data-stock-of="${id}"]`)?.textContent.trim() === '15', tea.id, { timeout: 10_000 })
  }).timeout(60_000)
})

/** A load balancer whose server is away: every request is answered 502 */
async function answer502(port: number) {
  const sockets = new Set<Socket>()
  const state = { answered: 0, close: () => new Promise<void>((resolve) => { for (const socket of sockets) socket.destroy(); server.close(() => resolve()) }) }
  const server = createServer((socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    socket.on('error', () => {})
    socket.once('data', () => {
      state.answered++
      socket.end('HTTP/1.1 502 Bad Gateway\r\ncontent-type: text/plain\r\ncontent-length: 11\r\nconnection: close\r\n\r\nBad Gateway')
    })
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, '127.0.0.1', () => resolve())
  })
  return state
}
