import { test } from '@japa/runner'
import { apiToken, createStore, PASSWORD } from '#tests/fixtures'
import { createPairingCode } from '#hardware/pairing'

/*
| The API's answers hold sales, customers, money and bearer tokens, and carried no Cache-Control:
| a browser, or a proxy between a store's integration and the server, was free to keep them (the
| auth middleware said no-store to pages only). Every /api answer now says no-store, the sign-in's
| (its token) and the errors' too; a route may still say otherwise (the bridge's event stream).
*/

const baseUrl = () => `http://${process.env.HOST}:${process.env.PORT}`

const json = (body: unknown, token?: string) => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
  body: JSON.stringify(body),
})

test.group('API answers are not kept by a browser or a proxy', () => {
  test('the sign-in (a token), signed-in reads and writes, and refusals say Cache-Control: no-store', async ({ client, assert }) => {
    const fixture = await createStore()
    const login = await fetch(`${baseUrl()}/api/auth/login`, json({ email: fixture.users.manager.email, password: PASSWORD }))
    assert.equal(login.status, 200)
    assert.equal(login.headers.get('cache-control'), 'no-store', 'POST /api/auth/login')
    const { token } = (await login.json()) as { token: string }

    const auth = { headers: { authorization: `Bearer ${token}` } }
    for (const path of ['/api/auth/me', '/api/products', '/api/sales', '/api/customers', '/api/shifts/current']) {
      const response = await fetch(`${baseUrl()}${path}`, auth)
      assert.oneOf(response.status, [200, 404], path)
      assert.equal(response.headers.get('cache-control'), 'no-store', path)
    }
    const created = await fetch(`${baseUrl()}/api/customers`, json({ name: 'Ana Cache', email: `ana-${fixture.tag}@example.com` }, token))
    assert.equal(created.status, 201)
    assert.equal(created.headers.get('cache-control'), 'no-store', 'POST /api/customers')

    const wrongPassword = await fetch(`${baseUrl()}/api/auth/login`, json({ email: fixture.users.manager.email, password: 'not-the-password' }))
    assert.equal(wrongPassword.status, 401)
    assert.equal(wrongPassword.headers.get('cache-control'), 'no-store', 'a refused sign-in')
    const noToken = await fetch(`${baseUrl()}/api/sales`)
    assert.equal(noToken.status, 401)
    assert.equal(noToken.headers.get('cache-control'), 'no-store', 'no token')
    const cashierToken = await apiToken(client, fixture.users.cashier)
    const forbidden = await fetch(`${baseUrl()}/api/stock/adjustments`, json({ reason: 'found', items: [] }, cashierToken))
    assert.equal(forbidden.status, 403)
    assert.equal(forbidden.headers.get('cache-control'), 'no-store', 'a 403')
  })

  test('the hardware bridge\u2019s pairing (its token) says no-store; its event stream keeps its own no-cache', async ({ assert }) => {
    const fixture = await createStore()
    const { code } = await createPairingCode(fixture.store, fixture.register.id, fixture.users.manager)
    const paired = await fetch(`${baseUrl()}/api/bridge/pair`, json({ code, name: 'Counter bridge' }))
    assert.equal(paired.status, 201)
    assert.equal(paired.headers.get('cache-control'), 'no-store')
    const { token } = (await paired.json()) as { token: string }

    const controller = new AbortController()
    try {
      const events = await fetch(`${baseUrl()}/api/bridge/events`, { headers: { authorization: `Bearer ${token}` }, signal: controller.signal })
      assert.equal(events.status, 200)
      assert.equal(events.headers.get('cache-control'), 'no-cache, no-transform')
    } finally {
      controller.abort()
    }
  })
})
