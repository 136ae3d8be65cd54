import { test } from '@japa/runner'
import { apiToken, createProduct, createStore, PASSWORD } from '#tests/fixtures'
import { TcpProxy } from '#tests/functional/faults/tcp_proxy'
import { resyncConnectedPages } from '#platform/live_updates_service'
import db from '@adonisjs/lucid/services/db'
import { dbTimestamp } from '#platform/db_time'

/*
| A live page's subscriptions (public/js/live.js): the first ones, and those after its stream came
| back. A change made before the page's channels are subscribed reaches no page by message, so the
| page reads once they all are; a subscription that fails is asked again (Transmit's client drops
| it silently); one refused for a stale CSRF token stops the page as signed out; one refused because
| the page's store was switched in another tab stops it with a notice. And a server's
| `resync` spreads its pages' reads. The browser reaches the test's server through a proxy the
| test cuts (tests/functional/faults/tcp_proxy.ts).
*/

const base = Number(process.env.PORT ?? 3334)
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const shown = (page: any, id: number) => page.evaluate((at: number) => (globalThis as any).document.querySelector(`[data-stock-of="${at}"]`)?.textContent.trim(), id)
const showsStock = (page: any, id: number, stock: string, timeout = 10_000) =>
  page.waitForFunction(([at, value]: [number, string]) => (globalThis as any).document.querySelector(`[data-stock-of="${at}"]`)?.textContent.trim() === value, [id, stock], { timeout })

async function signedIn(visit: any, url: string, email: string) {
  const page = await visit(`${url}/login`)
  await page.getByLabel('Email').fill(email)
  await page.getByLabel('Password').fill(PASSWORD)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await page.waitForURL((at: URL) => !at.pathname.startsWith('/login'))
  return page
}

test.group('Live pages subscribing', (group) => {
  const cleanups: (() => Promise<unknown>)[] = []
  group.each.teardown(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {})
  })

  test('a change made between the page\u2019s rendering and its first subscriptions shows once they are taken', async ({ visit, client }) => {
    const fixture = await createStore()
    const tea = await createProduct(fixture, { name: 'First Gap Tea', stock: 10 })
    const page = await signedIn(visit, `http://127.0.0.1:${base}`, fixture.users.manager.email)
    // The products page's subscriptions wait until released; the page signed in on (still
    // subscribing, perhaps) is let through, and none asked after the release waits
    let held = 0
    let release = () => {}
    const released = new Promise<void>((resolve) => (release = resolve))
    await page.route('**/__transmit/subscribe', async (route: any) => {
      if (route.request().frame().url().includes('/backoffice/products')) {
        held++
        await released
      }
      await route.continue().catch(() => {})
    })
    await page.goto(`http://127.0.0.1:${base}/backoffice/products?search=${encodeURIComponent('First Gap Tea')}`)
    while (held < 2) await sleep(50)
    // Rendered with 10, not yet subscribed: this change's broadcast reaches no page
    const token = await apiToken(client, fixture.users.manager)
    const adjusted = await client.post('/api/stock/adjustments').bearerToken(token).json({ reason: 'found', items: [{ product_id: tea.id, quantity: 5 }] })
    adjusted.assertStatus(201)
    await sleep(300)
    release()
    await showsStock(page, tea.id, '15')
  }).timeout(60_000)

  test('a page that shows no live figures makes no request once subscribed', async ({ visit, assert }) => {
    const fixture = await createStore()
    const page = await signedIn(visit, `http://127.0.0.1:${base}`, fixture.users.manager.email)
    const requests: string[] = []
    page.on('request', (request: any) => requests.push(new URL(request.url()).pathname))
    await page.goto(`http://127.0.0.1:${base}/backoffice/customers`)
    await page.waitForSelector('body[data-live-subscribed="true"]')
    const subscribed = requests.length
    await sleep(1000)
    assert.deepEqual(requests.slice(subscribed), [])
    assert.notInclude(requests, '/live/stock')
  }).timeout(60_000)

  test('a page whose subscriptions fail when its stream is back (refused on the way, a 502, never answered) asks again, then reads and hears', async ({ visit, client, assert }) => {
    const fixture = await createStore()
    const tea = await createProduct(fixture, { name: 'Retry Tea', stock: 10 })
    const proxy = await new TcpProxy(base + 38, { host: '127.0.0.1', port: base }).start()
    cleanups.push(() => proxy.cut())
    const url = `http://127.0.0.1:${base + 38}`
    const page = await signedIn(visit, url, fixture.users.manager.email)
    await page.goto(`${url}/backoffice/products?search=${encodeURIComponent('Retry Tea')}`)
    await page.waitForSelector('body[data-live-subscribed="true"]')

    // The stream drops and comes back; its subscriptions then fail, one way and the other
    let failed = 0
    const failures = [(route: any) => route.fulfill({ status: 502, body: 'Bad Gateway' }), (route: any) => route.abort('failed'), () => new Promise(() => {})]
    let failing = true
    await page.route('**/__transmit/subscribe', (route: any) => (failing ? failures[failed++ % 3](route) : route.continue()))
    await proxy.cut()
    await page.waitForSelector('body[data-live="disconnected"]')
    await proxy.start()
    await page.waitForSelector('body[data-live="connected"]')
    while (failed < 3) await sleep(50)
    // Connected but subscribed to nothing: this change's broadcast reaches no page
    const token = await apiToken(client, fixture.users.manager)
    const adjusted = await client.post('/api/stock/adjustments').bearerToken(token).json({ reason: 'found', items: [{ product_id: tea.id, quantity: 5 }] })
    adjusted.assertStatus(201)
    await sleep(300)
    assert.equal(await shown(page, tea.id), '10', 'the broadcast of the gap is lost')

    // The subscriptions go through again (the one never answered is given up after 8 s): the page
    // reads once both are taken, and hears the next change
    failing = false
    await showsStock(page, tea.id, '15', 20_000)
    await client.post('/api/stock/adjustments').bearerToken(token).json({ reason: 'damaged', items: [{ product_id: tea.id, quantity: -1 }] })
    await showsStock(page, tea.id, '14')
  }).timeout(60_000)

  test('a page whose subscription is refused for a stale CSRF token (signed out and in again elsewhere) stops as signed out', async ({ visit, assert }) => {
    const fixture = await createStore()
    const proxy = await new TcpProxy(base + 39, { host: '127.0.0.1', port: base }).start()
    cleanups.push(() => proxy.cut())
    const url = `http://127.0.0.1:${base + 39}`
    const page = await signedIn(visit, url, fixture.users.manager.email)
    await page.goto(`${url}/backoffice/products`)
    await page.waitForSelector('body[data-live-subscribed="true"]')
    let subscribes = 0
    page.on('request', (request: any) => {
      if (request.url().includes('/__transmit/subscribe')) subscribes++
    })

    // Another tab: a new session (a new CSRF secret) for the same user
    await page.context().clearCookies()
    const other = await page.context().newPage()
    await other.goto(`${url}/login`)
    await other.getByLabel('Email').fill(fixture.users.manager.email)
    await other.getByLabel('Password').fill(PASSWORD)
    await other.getByRole('button', { name: 'Sign in' }).click()
    await other.waitForURL((at: URL) => !at.pathname.startsWith('/login'))
    await other.close()

    // The stream drops and comes back (the session is on); its subscriptions are refused 403
    await proxy.cut()
    await proxy.start()
    await page.waitForSelector('body[data-live="signed-out"]', { timeout: 20_000 })
    const seen = subscribes
    assert.isAtLeast(seen, 1)
    await sleep(3000)
    assert.equal(subscribes, seen, 'no subscription asked again')
  }).timeout(60_000)

  test('a page whose store was switched in another tab stops with a notice when its channels are refused, and asks no more', async ({ visit, assert }) => {
    const a = await createStore()
    const b = await createStore()
    await db.table('store_users').insert({ store_id: b.store.id, user_id: a.users.manager.id, created_at: dbTimestamp() })
    const proxy = await new TcpProxy(base + 25, { host: '127.0.0.1', port: base }).start()
    cleanups.push(() => proxy.cut())
    const url = `http://127.0.0.1:${base + 25}`
    const page = await signedIn(visit, url, a.users.manager.email)
    await page.goto(`${url}/backoffice/products`)
    await page.waitForSelector('body[data-live-subscribed="true"]')
    let subscribes = 0
    page.on('request', (request: any) => {
      if (request.url().includes('/__transmit/subscribe')) subscribes++
    })

    // Another tab switches the session to store B
    const other = await page.context().newPage()
    await other.goto(`${url}/backoffice/products`)
    await other.selectOption('#store-switch', String(b.store.id))
    await other.waitForURL((at: URL) => at.pathname === '/backoffice')
    await other.close()

    // The stream drops and comes back; store A's channels are refused: said once, not asked again
    await proxy.cut()
    await proxy.start()
    await page.waitForSelector('body[data-live="store-changed"]', { timeout: 20_000 })
    const notice = page.locator('#live-store-changed')
    assert.include(await notice.textContent(), 'You switched to another store in another tab')
    assert.lengthOf(await page.locator('#live-store-changed').all(), 1)
    const seen = subscribes
    await sleep(4500)
    assert.equal(subscribes, seen, 'no subscription asked again')
    // Its link reloads the page, now of store B, which listens again
    await notice.getByRole('link', { name: 'Reload' }).click()
    await page.waitForSelector(`body[data-live-store="${b.store.id}"][data-live-subscribed="true"]`)
  }).timeout(60_000)

  test('a server\u2019s resync spreads its pages\u2019 reads over up to 3 s, one read for both channels', async ({ visit, assert }) => {
    const fixture = await createStore()
    const tea = await createProduct(fixture, { name: 'Spread Tea', stock: 10 })
    const url = `http://127.0.0.1:${base}`
    const first = await signedIn(visit, url, fixture.users.manager.email)
    const second = await first.context().newPage()
    // The random wait each page draws: the least, and nearly the most
    await first.addInitScript(() => (Math.random = () => 0))
    await second.addInitScript(() => (Math.random = () => 0.99))
    const reads: { page: string; at: number }[] = []
    for (const [name, page] of [['first', first], ['second', second]] as const) {
      await page.goto(`${url}/backoffice/products?search=${encodeURIComponent('Spread Tea')}`)
      await page.waitForSelector('body[data-live-subscribed="true"]')
      await showsStock(page, tea.id, '10')
      await sleep(500)
      page.on('request', (request: any) => {
        if (new URL(request.url()).pathname === '/live/stock') reads.push({ page: name, at: Date.now() })
      })
    }
    const told = Date.now()
    resyncConnectedPages()
    await sleep(4000)
    const after = (name: string) => reads.filter((read) => read.page === name).map((read) => read.at - told)
    assert.lengthOf(after('first'), 1)
    assert.lengthOf(after('second'), 1)
    assert.isBelow(after('first')[0], 1000)
    assert.isAbove(after('second')[0], 2500)
    assert.isBelow(after('second')[0], 3800)
  }).timeout(60_000)
})
