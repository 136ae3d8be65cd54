import { test } from '@japa/runner'
import { createServer, type Socket } from 'node:net'
import { apiToken, createProduct, createStore } from '#tests/fixtures'
import { TcpProxy } from '#tests/functional/faults/tcp_proxy'
import { signInAtTill } from '#tests/browser/till_page'

/*
| A page's event stream answered with an error: after a load balancer's 5xx (a server restarting)
| it is opened again; after the session's end (signed out in another tab, expired) it is not: it
| was tried every 30 s for as long as the page stayed open, each try a 401. The browser reaches the
| test's server through a proxy the test cuts (tests/functional/faults/tcp_proxy.ts). A sign-out
| ends the person's streams on the server (app/platform/live_streams.ts endStreamsOf): the page
| meets the ended session at once.
*/

const base = Number(process.env.PORT ?? 3334)
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

test.group('Live pages whose stream is answered with an error', (group) => {
  const cleanups: (() => Promise<unknown>)[] = []
  group.each.teardown(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {})
  })

  test('a till signed out in another tab hears it at once: the server ends its stream, and it shows Sign in', async ({ visit, assert }) => {
    const fixture = await createStore()
    const till = await signInAtTill(visit, fixture.users.cashier.email, { liveSubscribed: true })
    const other = await till.context().newPage()
    await other.goto(new URL('/till', till.url()).href)
    await other.getByRole('button', { name: 'Sign out' }).click()
    await other.waitForURL((at: URL) => at.pathname.startsWith('/login'))
    // Nothing dropped the stream but the sign-out (it stayed open until the page next asked something)
    await till.waitForSelector('body[data-live="signed-out"]', { timeout: 15_000 })
    await till.locator('#offline-status', { hasText: 'Signed out: sign in again' }).waitFor()
    assert.isTrue(await till.locator('#offline-sign-in').isVisible())
    // Readable on the status's yellow: the top bar's buttons are white text, which it all but hid
    const contrast = await till.evaluate(() => {
      const w = globalThis as any
      const rgb = (css: string) => css.match(/\d+(\.\d+)?/g)!.slice(0, 3).map(Number)
      const luminance = (css: string) => {
        const [r, g, b] = rgb(css).map((c) => (c / 255 <= 0.03928 ? c / 255 / 12.92 : ((c / 255 + 0.055) / 1.055) ** 2.4))
        return 0.2126 * r + 0.7152 * g + 0.0722 * b
      }
      const text = luminance(w.getComputedStyle(w.document.getElementById('offline-sign-in')).color)
      const ground = luminance(w.getComputedStyle(w.document.getElementById('offline-status')).backgroundColor)
      return (Math.max(text, ground) + 0.05) / (Math.min(text, ground) + 0.05)
    })
    assert.isAtLeast(contrast, 4.5)
  }).timeout(60_000)

  test('a till signed out in another tab stops opening its stream once it drops, and shows Sign in', async ({ visit, assert }) => {
    const fixture = await createStore()
    const proxy = await new TcpProxy(base + 36, { host: '127.0.0.1', port: base }).start()
    cleanups.push(() => proxy.cut())
    const url = `http://127.0.0.1:${base + 36}`
    const till = await signInAtTill(visit, fixture.users.cashier.email, { origin: url, liveSubscribed: true })
    let streams = 0
    till.on('request', (request: any) => {
      if (request.url().includes('/__transmit/events')) streams++
    })

    // Signed out in another tab: this page's stream is still open, nothing tells it yet
    const other = await till.context().newPage()
    await other.goto(`${url}/till`)
    await other.getByRole('button', { name: 'Sign out' }).click()
    await other.waitForURL((at: URL) => at.pathname.startsWith('/login'))
    await other.close()

    // The stream drops (a restart, a network blip); the browser opens it again and meets a 401
    await proxy.cut()
    await proxy.start()
    await till.waitForSelector('body[data-live="signed-out"]', { timeout: 20_000 })
    await till.locator('#offline-status', { hasText: 'Signed out: sign in again' }).waitFor()
    assert.isTrue(await till.locator('#offline-sign-in').isVisible())
    assert.isAtLeast(streams, 1)

    // And it stays stopped: no more stream requests (they came after 1 s, 2 s, 4 s... up to every 30 s)
    const seen = streams
    await sleep(4000)
    assert.equal(streams, seen)
  }).timeout(60_000)

  test('a till whose balancer answers 503 while its server restarts keeps trying and listens again', async ({ visit, client }) => {
    const fixture = await createStore()
    const tea = await createProduct(fixture, { name: 'Unavailable Tea', stock: 10 })
    const proxy = await new TcpProxy(base + 37, { host: '127.0.0.1', port: base }).start()
    cleanups.push(() => proxy.cut())
    const till = await signInAtTill(visit, fixture.users.cashier.email, { origin: `http://127.0.0.1:${base + 37}`, liveSubscribed: true })
    await till.locator(`#grid [data-stock-of="${tea.id}"]`).waitFor()

    await proxy.cut()
    const unavailable = await answerStatus(base + 37, '503 Service Unavailable')
    cleanups.push(() => unavailable.close())
    await till.waitForSelector('body[data-live="disconnected"]')
    // Several answers: the stream given up and tried again (and asked whether the session is on)
    while (unavailable.answered < 3) await sleep(100)
    await unavailable.close()
    await proxy.start()
    await till.waitForSelector('body[data-live="connected"]', { timeout: 20_000 })
    const token = await apiToken(client, fixture.users.manager)
    const adjusted = await client.post('/api/stock/adjustments').bearerToken(token).json({ reason: 'damaged', items: [{ product_id: tea.id, quantity: -3 }] })
    adjusted.assertStatus(201)
    await till.waitForFunction((id: number) => (globalThis as any).document.querySelector(`#grid [data-stock-of="${id}"]`)?.textContent.trim() === '7', tea.id, { timeout: 10_000 })
  }).timeout(60_000)
})

/** A load balancer whose server is away: every request is answered with this status */
async function answerStatus(port: number, status: string) {
  const sockets = new Set<Socket>()
  const state = { answered: 0, close: () => new Promise<void>((resolve) => { for (const socket of sockets) socket.destroy(); server.close(() => resolve()) }) }
  const server = createServer((socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    socket.on('error', () => {})
    socket.once('data', () => {
      state.answered++
      socket.end(`HTTP/1.1 ${status}\r\ncontent-type: text/plain\r\ncontent-length: 4\r\nconnection: close\r\n\r\nDown`)
    })
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, '127.0.0.1', () => resolve())
  })
  return state
}
