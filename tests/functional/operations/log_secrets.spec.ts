import { test } from '@japa/runner'
import { randomUUID } from 'node:crypto'
import { createProduct, createStore, PASSWORD } from '#tests/fixtures'
import { signIn } from '#tests/live_client'
import { startCapturedServer } from './server_child.js'

/*
| The production logs of a real server process: JSON lines, a request_id on every line logged
| while a request runs (from ctx.logger and from services alike), and no secret anywhere: a
| password, a PIN, a bearer token, a session cookie, an Authorization header or the body sent
| with an Idempotency-Key. The whole captured output is searched for each of them.
*/
test.group('Logs', () => {
  test('JSON lines with request ids, and no password, PIN, token, cookie or idempotent body', async ({ assert }) => {
    const fixture = await createStore()
    const mug = await createProduct(fixture, { stock: 50 })
    const pin = '739146'
    fixture.users.manager.pin = pin
    await fixture.users.manager.save()
    const wrongPassword = `Wrong-${randomUUID()}`

    const server = await startCapturedServer(Number(process.env.PORT) + 11, { NODE_ENV: 'production', LOG_LEVEL: 'trace', SESSION_DRIVER: 'cookie' })
    const secrets: Record<string, string> = { password: PASSWORD, wrongPassword }
    try {
      // A browser: password sign-in, the register, a PIN at the till (a wrong one, then the right one)
      const session = await signIn(server.url, fixture.users.cashier.email, PASSWORD)
      const failed = await fetch(`${server.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: fixture.users.cashier.email, password: wrongPassword }) })
      assert.equal(failed.status, 401)
      const form = { 'content-type': 'application/x-www-form-urlencoded', 'x-csrf-token': session.csrf, 'hx-request': 'true' }
      assert.equal((await session.request('/till/register', { method: 'POST', headers: form, body: new URLSearchParams({ register_id: String(fixture.register.id) }).toString() })).status, 302)
      const wrongPin = await session.request('/till/switch', { method: 'POST', headers: form, body: new URLSearchParams({ user_id: String(fixture.users.manager.id), pin: '000000' }).toString() })
      assert.isAtLeast(wrongPin.status, 400)
      const rightPin = await session.request('/till/switch', { method: 'POST', headers: form, body: new URLSearchParams({ user_id: String(fixture.users.manager.id), pin }).toString() })
      assert.oneOf(rightPin.status, [200, 204])
      assert.equal(rightPin.headers.get('hx-redirect'), '/till')
      assert.equal((await session.request('/till')).status, 200)
      for (const [name, value] of session.cookies) secrets[`cookie ${name}`] = value

      // The API: a bearer token, a sale with an Idempotency-Key, then errors: a conflict and a 404
      const login = await fetch(`${server.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: fixture.users.cashier.email, password: PASSWORD }) })
      const token: string = ((await login.json()) as any).token
      secrets.token = token
      const key = randomUUID()
      const body = JSON.stringify({ items: [{ product_id: mug.id, quantity: 3 }], payment_method: 'cash', tendered: 7_654_321 })
      secrets.idempotentBody = body
      const api = { 'authorization': `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': key }
      assert.equal((await fetch(`${server.url}/api/sales`, { method: 'POST', headers: api, body })).status, 201)
      const otherBody = JSON.stringify({ items: [{ product_id: mug.id, quantity: 4 }], payment_method: 'cash', tendered: 7_654_322 })
      secrets.conflictingBody = otherBody
      assert.equal((await fetch(`${server.url}/api/sales`, { method: 'POST', headers: api, body: otherBody })).status, 409)
      assert.equal((await fetch(`${server.url}/api/sales/999999999`, { headers: api })).status, 404)
      assert.equal((await fetch(`${server.url}/api/auth/me`, { headers: { authorization: 'Bearer not-a-real-token-4711' } })).status, 401)
      // A price the core refuses (a discount larger than the line) is the user's 422, not an error to log
      const refused = await fetch(`${server.url}/api/sales`, { method: 'POST', headers: { 'authorization': `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ items: [{ product_id: mug.id, quantity: 1, discount: 999_999 }] }) })
      assert.equal(refused.status, 422)
    } finally {
      assert.equal(await server.stop(), 0)
    }

    const output = server.output()
    for (const [name, value] of Object.entries(secrets)) {
      assert.isFalse(new RegExp(`(?<![0-9A-Za-z])${escape(value)}(?![0-9A-Za-z])`).test(output), `the log holds the ${name}`)
    }
    assert.notMatch(output, /(?<!\d)739146(?!\d)/, 'the log holds the PIN')
    assert.notInclude(output, 'not-a-real-token-4711')

    const lines = output.split('\n').filter((line) => line.trim())
    const entries = lines.map((line) => {
      try {
        return JSON.parse(line)
      } catch {
        assert.fail(`Not a JSON line: ${line}`)
      }
    })
    // Lines from a service (auth_service logs failed sign-ins through the app's logger) and from
    // the error reporter (ctx.logger) carry the request's id
    const failedLogin = entries.filter((e) => e.msg === 'failed login')
    assert.isNotEmpty(failedLogin, output)
    for (const entry of failedLogin) assert.match(entry.request_id, /\S+/)
    // Nothing here was the server's fault: no line at level error (50) or above
    assert.deepEqual(entries.filter((e) => e.level >= 50).map((e) => e.msg), [])
    const reported = entries.filter((e) => e.level >= 40 && /Idempotency-Key|not found|Cannot find/i.test(e.msg ?? ''))
    assert.isNotEmpty(reported, output)
    for (const entry of reported) assert.match(entry.request_id, /\S+/)
  }).timeout(120_000)
})

function escape(text: string) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

test.group('Logs / redaction', () => {
  test('the logger configuration redacts secret fields and adds the request id', async ({ assert }) => {
    const { default: pino } = await import('pino')
    const { default: loggerConfig } = await import('#config/logger')
    const { requestContext } = await import('#platform/request_context')
    const { formatters, mixin } = loggerConfig.loggers.app as any
    let written = ''
    const logger = pino({ formatters, mixin }, { write: (line: string) => (written += line) })
    requestContext.run({ requestId: 'req-42' }, () => {
      logger.warn({ password: 'pw-1', user: { pin: '918273', token: 'tk-1' }, req: { headers: { authorization: 'Bearer ab-1', cookie: 'pos-session=cv-1' } }, body: 'bd-1' }, 'x')
    })
    const entry = JSON.parse(written)
    assert.equal(entry.request_id, 'req-42')
    for (const secret of ['pw-1', '918273', 'tk-1', 'ab-1', 'cv-1', 'bd-1']) assert.notInclude(written, secret)
    assert.equal(entry.user.pin, '[redacted]')
  })

  test('an error, a list and a CSRF header are redacted too; the logged object is left as it was', async ({ assert }) => {
    const { default: pino } = await import('pino')
    const { default: loggerConfig } = await import('#config/logger')
    const { formatters } = loggerConfig.loggers.app as any
    let written = ''
    const logger = pino({ formatters }, { write: (line: string) => (written += line) })
    const error = Object.assign(new Error('boom'), { token: 'tk-2' })
    const logged = { err: error, users: [{ password: 'pw-2' }], req: { headers: { 'x-csrf-token': 'cs-2', 'accept': 'text/html' } } }
    logger.error(logged, 'y')
    for (const secret of ['tk-2', 'pw-2', 'cs-2']) assert.notInclude(written, secret)
    const entry = JSON.parse(written)
    assert.equal(entry.err.message, 'boom')
    assert.equal(entry.err.type, 'Error')
    assert.equal(entry.req.headers.accept, 'text/html')
    // The caller's objects keep their values
    assert.equal(error.token, 'tk-2')
    assert.equal(logged.users[0].password, 'pw-2')
    assert.equal(logged.req.headers['x-csrf-token'], 'cs-2')
  })
})
