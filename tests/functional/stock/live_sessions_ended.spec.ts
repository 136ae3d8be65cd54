import { test } from '@japa/runner'
import { apiToken, createProduct, createStore, PASSWORD } from '#tests/fixtures'
import { LiveStream, signIn, type CookieSession } from '#tests/live_client'
import { startServer, waitForServer, type ServerProcess } from '../../../commands/_server.js'

/*
| A person's sessions end on a sign-out, a new password or a deactivation (app/staff/sessions.ts),
| and so do their open live-update streams on the server (endStreamsOf, app/platform/
| live_streams.ts). Before, a page in another tab (or on another device) stayed subscribed and
| went on hearing its store's stock and sales until it next asked something. Real SSE clients
| over HTTP (tests/live_client.ts).
*/

const baseUrl = () => `http://${process.env.HOST}:${process.env.PORT}`
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
/** Whether the stream was ended within `ms` */
const endsWithin = (stream: LiveStream, ms = 5000) => Promise.race([stream.ended.then(() => true), sleep(ms).then(() => false)])

async function listening(session: CookieSession, channel: string) {
  const stream = await new LiveStream(session).open()
  const status = await stream.subscribe(channel)
  if (status !== 204) throw new Error(`Subscribing answered ${status}`)
  return stream
}

function form(session: CookieSession, path: string, fields: Record<string, string>) {
  return session.request(path, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _csrf: session.csrf, ...fields }).toString(),
  })
}

test.group('Live updates: a person\u2019s streams end with their sessions', (group) => {
  const streams: LiveStream[] = []
  group.each.teardown(() => {
    for (const stream of streams.splice(0)) stream.close()
  })

  test('signing out ends the person\u2019s streams (another tab, another device); other people\u2019s go on', async ({ client, assert }) => {
    const fixture = await createStore()
    const product = await createProduct(fixture, { stock: 10 })
    const stock = `stores/${fixture.store.id}/stock`
    const browser = await signIn(baseUrl(), fixture.users.cashier.email, PASSWORD)
    const otherDevice = await signIn(baseUrl(), fixture.users.cashier.email, PASSWORD)
    const tab = await listening(browser, stock)
    const device = await listening(otherDevice, stock)
    const colleague = await listening(await signIn(baseUrl(), fixture.users.manager.email, PASSWORD), stock)
    streams.push(tab, device, colleague)

    // Signed out in the browser's other tab
    assert.equal((await form(browser, '/logout', {})).status, 302)
    assert.isTrue(await endsWithin(tab), 'the other tab\u2019s stream ended')
    assert.isTrue(await endsWithin(device), 'the other device\u2019s stream ended')
    assert.isFalse(await endsWithin(colleague, 200), 'a colleague\u2019s stream goes on')

    // The colleague hears the store; the ended streams heard nothing more
    const token = await apiToken(client, fixture.users.manager)
    const adjusted = await client.post('/api/stock/adjustments').bearerToken(token).json({ reason: 'found', items: [{ product_id: product.id, quantity: 2 }] })
    adjusted.assertStatus(201)
    await colleague.waitFor((m) => m.channel === stock && m.payload.reason === 'adjustment')
    assert.isEmpty([...tab.messages, ...device.messages].filter((m) => m.payload.reason === 'adjustment'))
    // Opened again, as the page's browser does, the stream is refused: the page learns it is signed out
    await assert.rejects(() => new LiveStream(otherDevice).open(), /answered 30[23]|answered 401/)
  })

  test('a new password set by an admin, and a deactivation, end the person\u2019s streams', async ({ assert }) => {
    const fixture = await createStore()
    const stock = `stores/${fixture.store.id}/stock`
    const admin = await signIn(baseUrl(), fixture.users.admin.email, PASSWORD)
    const cashier = await listening(await signIn(baseUrl(), fixture.users.cashier.email, PASSWORD), stock)
    const manager = await listening(await signIn(baseUrl(), fixture.users.manager.email, PASSWORD), stock)
    const own = await listening(admin, stock)
    streams.push(cashier, manager, own)

    const { cashier: person } = fixture.users
    const saved = await form(admin, `/backoffice/users/${person.id}?_method=PUT`, { name: person.name, email: person.email, role: person.role, password: 'a-new-cashier-pass', pin: '', active: 'on' })
    assert.equal(saved.status, 302)
    assert.isTrue(await endsWithin(cashier), 'the cashier\u2019s stream ended with their new password')
    assert.isFalse(await endsWithin(manager, 200))

    assert.equal((await form(admin, `/backoffice/users/${fixture.users.manager.id}?_method=DELETE`, {})).status, 302)
    assert.isTrue(await endsWithin(manager), 'the deactivated manager\u2019s stream ended')
    assert.isFalse(await endsWithin(own, 200), 'the admin\u2019s own stream goes on')
  })

  test('a role change ends the person\u2019s streams; their session goes on with the new role\u2019s rights only, at once', async ({ client, assert }) => {
    const fixture = await createStore()
    const stock = `stores/${fixture.store.id}/stock`
    const admin = await signIn(baseUrl(), fixture.users.admin.email, PASSWORD)
    const managerSession = await signIn(baseUrl(), fixture.users.manager.email, PASSWORD)
    const manager = await listening(managerSession, stock)
    const cashier = await listening(await signIn(baseUrl(), fixture.users.cashier.email, PASSWORD), stock)
    streams.push(manager, cashier)
    const token = await apiToken(client, fixture.users.manager)
    const adjust = () => client.post('/api/stock/adjustments').bearerToken(token).json({ reason: 'found', items: [{ product_id: 0, quantity: 1 }] })
    assert.equal((await managerSession.request('/backoffice/stock')).status, 200)
    assert.notEqual((await adjust()).status(), 403)

    const { manager: person } = fixture.users
    const demoted = await form(admin, `/backoffice/users/${person.id}?_method=PUT`, { name: person.name, email: person.email, role: 'cashier', password: '', pin: '', active: 'on' })
    assert.equal(demoted.status, 302)
    assert.isTrue(await endsWithin(manager), 'the demoted manager\u2019s stream ended: the page subscribes again with the new role\u2019s rights')
    assert.isFalse(await endsWithin(cashier, 200), 'a colleague\u2019s stream goes on')
    // Within AUTH_CACHE_TTL of their last request: the role is the new one already
    assert.equal((await managerSession.request('/backoffice/stock')).status, 403)
    ;(await adjust()).assertStatus(403)
    // Not signed out: the same session and token go on as a cashier's
    assert.equal((await managerSession.request('/till')).status, 200)
    const me = await client.get('/api/auth/me').bearerToken(token)
    me.assertStatus(200)
    assert.equal(me.body().user.role, 'cashier')
    const again = new LiveStream(managerSession)
    again.uid = manager.uid
    streams.push(await again.open())
    assert.equal(await again.subscribe(stock), 204)
  })

  test('an admin setting their own password keeps this session: the page\u2019s stream ends and opens again', async ({ assert }) => {
    const fixture = await createStore()
    const stock = `stores/${fixture.store.id}/stock`
    const admin = await signIn(baseUrl(), fixture.users.admin.email, PASSWORD)
    const own = await listening(admin, stock)
    streams.push(own)
    const { admin: person } = fixture.users
    const saved = await form(admin, `/backoffice/users/${person.id}?_method=PUT`, { name: person.name, email: person.email, role: 'admin', password: 'a-new-admin-pass', pin: '', active: 'on' })
    assert.equal(saved.status, 302)
    assert.isTrue(await endsWithin(own))
    const again = new LiveStream(admin)
    again.uid = own.uid
    streams.push(await again.open())
    assert.equal(await again.subscribe(stock), 204)
  })

  test('with two app servers, a deactivation made on one ends the person\u2019s stream held by the other (through Redis)', async ({ assert }) => {
    const fixture = await createStore()
    const stock = `stores/${fixture.store.id}/stock`
    const ports = [Number(process.env.PORT) + 16, Number(process.env.PORT) + 20]
    // Signed-cookie sessions (the test runner's own are in memory), so either server reads them
    const env = (port: number) => ({ PORT: String(port), HOST: '127.0.0.1', NODE_ENV: 'development', LOG_LEVEL: 'warn', SESSION_DRIVER: 'cookie', REDIS_HOST: process.env.REDIS_HOST })
    const servers: ServerProcess[] = ports.map((port) => startServer(new URL('../../../', import.meta.url), env(port)))
    try {
      await Promise.all(servers.map((server, i) => waitForServer(server, ports[i], 90_000)))
      const [one, two] = ports.map((port) => `http://127.0.0.1:${port}`)
      const cashier = await listening(await signIn(two, fixture.users.cashier.email, PASSWORD), stock)
      const colleague = await listening(await signIn(two, fixture.users.manager.email, PASSWORD), stock)
      streams.push(cashier, colleague)
      const admin = await signIn(one, fixture.users.admin.email, PASSWORD)
      assert.equal((await form(admin, `/backoffice/users/${fixture.users.cashier.id}?_method=DELETE`, {})).status, 302)
      assert.isTrue(await endsWithin(cashier), 'the deactivated cashier\u2019s stream on the other server ended')
      assert.isFalse(await endsWithin(colleague, 200), 'a colleague\u2019s stream there goes on')
    } finally {
      await Promise.all(servers.map((server) => server.stop()))
    }
  })
    .skip(!process.env.REDIS_HOST, 'REDIS_HOST is not set: two servers need Redis to share what they do')
    .timeout(180_000)

  test('with two app servers, a manager demoted on one loses the manager\u2019s rights on the other at once, whatever its AUTH_CACHE_TTL', async ({ client, assert }) => {
    const fixture = await createStore()
    const stock = `stores/${fixture.store.id}/stock`
    const ports = [Number(process.env.PORT) + 24, Number(process.env.PORT) + 28]
    // A TTL far longer than the test: only the message through Redis makes the other server forget
    const env = (port: number) => ({ PORT: String(port), HOST: '127.0.0.1', NODE_ENV: 'development', LOG_LEVEL: 'warn', SESSION_DRIVER: 'cookie', REDIS_HOST: process.env.REDIS_HOST, AUTH_CACHE_TTL: '600000' })
    const servers: ServerProcess[] = ports.map((port) => startServer(new URL('../../../', import.meta.url), env(port)))
    try {
      await Promise.all(servers.map((server, i) => waitForServer(server, ports[i], 90_000)))
      const [one, two] = ports.map((port) => `http://127.0.0.1:${port}`)
      const session = await signIn(two, fixture.users.manager.email, PASSWORD)
      const manager = await listening(session, stock)
      streams.push(manager)
      const token = await apiToken(client, fixture.users.manager)
      const adjust = () => fetch(`${two}/api/stock/adjustments`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ reason: 'found', items: [{ product_id: 0, quantity: 1 }] }) })
      // Read on two, and kept there for the TTL
      assert.equal((await session.request('/backoffice/stock')).status, 200)
      assert.notEqual((await adjust()).status, 403)

      const admin = await signIn(one, fixture.users.admin.email, PASSWORD)
      const { manager: person } = fixture.users
      assert.equal((await form(admin, `/backoffice/users/${person.id}?_method=PUT`, { name: person.name, email: person.email, role: 'cashier', password: '', pin: '', active: 'on' })).status, 302)
      assert.isTrue(await endsWithin(manager), 'the stream the other server held ended')
      // Redis delivers within milliseconds: a second is plenty
      let page = 200
      for (let i = 0; i < 20 && page !== 403; i++) {
        await new Promise((resolve) => setTimeout(resolve, 50))
        page = (await session.request('/backoffice/stock')).status
      }
      assert.equal(page, 403)
      assert.equal((await adjust()).status, 403)
      assert.equal((await session.request('/till')).status, 200)
    } finally {
      await Promise.all(servers.map((server) => server.stop()))
    }
  })
    .skip(!process.env.REDIS_HOST, 'REDIS_HOST is not set: two servers need Redis to share what they do')
    .timeout(180_000)
})
