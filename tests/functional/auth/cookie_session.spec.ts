import { test } from '@japa/runner'
import { createStore, PASSWORD } from '#tests/fixtures'
import { CookieSession, signIn } from '#tests/live_client'
import { startServer, waitForServer, type ServerProcess } from '../../../commands/_server.js'

/*
| Sessions in an encrypted cookie (SESSION_DRIVER=cookie, the production default; the test runner's
| own sessions are in memory, so this runs a server process of its own). The data cookie is
| written when the session changes, and not encrypted again on every request while it does not;
| its decrypted data is kept by the session id and the cookie's exact text, so it is not
| decrypted again either.
*/
test.group('Cookie sessions', () => {
  test('signing in writes the session cookie; unchanged pages after it do not write it again; signing out ends it, a copy of it and the person\u2019s other sessions', async ({ assert }) => {
    const fixture = await createStore()
    const port = Number(process.env.PORT) + 6
    const server: ServerProcess = startServer(new URL('../../../', import.meta.url), {
      PORT: String(port),
      HOST: '127.0.0.1',
      NODE_ENV: 'development',
      LOG_LEVEL: 'warn',
      SESSION_DRIVER: 'cookie',
    })
    try {
      await waitForServer(server, port, 90_000)
      const url = `http://127.0.0.1:${port}`
      const session = await signIn(url, fixture.users.manager.email, PASSWORD)
      const otherDevice = await signIn(url, fixture.users.manager.email, PASSWORD)
      // The data cookie is named after the session id, which the pos-session cookie holds
      const dataCookies = () => [...session.cookies.keys()].filter((name) => name !== 'pos-session' && name !== 'pos_register')
      assert.lengthOf(dataCookies(), 1, [...session.cookies.keys()].join(', '))
      const dataCookie = dataCookies()[0]

      for (const path of ['/backoffice/products', '/backoffice/sales']) {
        const page = await session.request(path)
        assert.equal(page.status, 200, path)
        assert.include(await page.text(), fixture.users.manager.name)
        const written = page.headers.getSetCookie().map((line) => line.split('=')[0])
        assert.notInclude(written, dataCookie, `${path} wrote the unchanged session again`)
      }

      // Decrypted data is kept by the cookie's exact text (and id): an altered cookie is still refused,
      // after its genuine text was read (and kept) many times
      const signedIn = new Map(session.cookies)
      const genuine = signedIn.get(dataCookie)!
      const middle = Math.floor(genuine.length / 2)
      session.cookies.set(dataCookie, genuine.slice(0, middle) + (genuine[middle] === 'A' ? 'B' : 'A') + genuine.slice(middle + 1))
      const altered = await session.request('/backoffice/products')
      assert.equal(altered.status, 302)
      assert.include(altered.headers.get('location') ?? '', '/login')
      session.cookies = new Map(signedIn)
      assert.equal((await session.request('/backoffice/products')).status, 200)

      // The kept data is found by the session id too: the manager's data cookie sent under
      // another session's id (signed, a cashier's) does not sign that session in as the manager
      const cashier = await signIn(url, fixture.users.cashier.email, PASSWORD)
      const cashierData = [...cashier.cookies.keys()].find((name) => name !== 'pos-session' && name !== 'pos_register')!
      const mixed = new CookieSession(url)
      mixed.cookies = new Map([['pos-session', cashier.cookies.get('pos-session')!], [cashierData, genuine]])
      const borrowed = await mixed.request('/backoffice/products')
      assert.equal(borrowed.status, 302)
      assert.include(borrowed.headers.get('location') ?? '', '/login')

      const form = await (await session.request('/backoffice/products')).text()
      const csrf = form.match(/"x-csrf-token": "([^"]+)"/)?.[1] ?? ''
      const out = await session.request('/logout', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ _csrf: csrf }).toString(),
      })
      assert.equal(out.status, 302)
      assert.include(out.headers.getSetCookie().map((line) => line.split('=')[0]), dataCookie)
      assert.equal((await session.request('/backoffice/products')).status, 302)

      // A copy of the cookies kept from before the sign-out (a shared till, a stolen cookie), and
      // the manager's session on another device, end with it; signing in again works
      session.cookies = new Map(signedIn)
      const copy = await session.request('/backoffice/products')
      assert.equal(copy.status, 302)
      assert.include(copy.headers.get('location') ?? '', '/login')
      assert.equal((await otherDevice.request('/backoffice/products')).status, 302)
      assert.equal((await (await signIn(url, fixture.users.manager.email, PASSWORD)).request('/backoffice/products')).status, 200)
      // Another person's session goes on
      assert.equal((await cashier.request('/till')).status, 200)

      // An admin who sets their own password stays signed in on this device; their session
      // elsewhere ends
      const admin = await signIn(url, fixture.users.admin.email, PASSWORD)
      const adminElsewhere = await signIn(url, fixture.users.admin.email, PASSWORD)
      const saved = await admin.request(`/backoffice/users/${fixture.users.admin.id}?_method=PUT`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ _csrf: admin.csrf, name: fixture.users.admin.name, email: fixture.users.admin.email, role: 'admin', password: 'a-new-admin-pass', pin: '', active: 'on' }).toString(),
      })
      assert.equal(saved.status, 302)
      assert.include(saved.headers.get('location') ?? '', '/backoffice/users')
      assert.equal((await admin.request('/backoffice/users')).status, 200)
      assert.equal((await adminElsewhere.request('/backoffice/users')).status, 302)
    } finally {
      await server.stop()
    }
  }).timeout(120_000)
})
