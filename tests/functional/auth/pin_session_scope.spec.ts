import { test } from '@japa/runner'
import { createStore, joinEveryStore, PASSWORD, PINS, type TestStore } from '#tests/fixtures'
import { signIn, type CookieSession } from '#tests/live_client'

/*
| A PIN opens the till, not the person's whole account (app/staff/sessions.ts). A cashier who had
| seen the admin type their PIN at the counter switched in as the admin (Switch user) and had the
| back office: made an admin account with a password of their own, and with it everything.
*/

const baseUrl = () => `http://${process.env.HOST}:${process.env.PORT}`

function form(session: CookieSession, path: string, fields: Record<string, string>, headers: Record<string, string> = {}) {
  return session.request(path, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams({ _csrf: session.csrf, ...fields }).toString(),
  })
}

/** The cashier signs in with their password, then switches in as `role` with that person's PIN */
async function switchedIn(fixture: TestStore, role: 'admin' | 'manager') {
  const session = await signIn(baseUrl(), fixture.users.cashier.email, PASSWORD)
  const switched = await form(session, '/till/switch', { user_id: String(fixture.users[role].id), pin: PINS[role] }, { 'hx-request': 'true' })
  if (switched.headers.get('hx-redirect') !== '/till') throw new Error(`The switch failed: ${switched.status}`)
  return session
}

test.group('A session opened with a PIN', () => {
  test('switched in as the admin with their PIN: the till works, the back office asks for the password and nothing is made', async ({ assert }) => {
    const fixture = await createStore()
    const session = await switchedIn(fixture, 'admin')
    assert.equal((await session.request('/till')).status, 200)
    assert.equal((await session.request('/')).headers.get('location'), '/till')
    for (const page of ['/backoffice', '/backoffice/users/create', '/backoffice/stores', '/backoffice/exports', '/backoffice/stock']) {
      const answer = await session.request(page)
      assert.equal(answer.status, 302, page)
      assert.equal(answer.headers.get('location'), '/login', page)
    }
    const login = await session.request('/login')
    assert.equal(login.status, 200)
    assert.include(await login.text(), 'a PIN opens the till only')

    const email = `taken.over.${fixture.tag}@test.local`
    const created = await form(session, '/backoffice/users', { name: 'Cashier Again', email, password: 'my-own-pass-123', role: 'admin', active: 'on', pin: '8765' })
    assert.equal(created.status, 302)
    assert.equal(created.headers.get('location'), '/login')
    const { default: User } = await import('#models/user')
    assert.isNull(await User.findBy('email', email))
  })

  test('the password opens the back office again, on the same browser; a manager switched in is held to the till as well', async ({ assert }) => {
    const fixture = await createStore()
    const session = await switchedIn(fixture, 'admin')
    const signedIn = await form(session, '/login', { email: fixture.users.admin.email, password: PASSWORD })
    assert.equal(signedIn.headers.get('location'), '/')
    assert.equal((await session.request('/')).headers.get('location'), '/backoffice')
    assert.equal((await session.request('/backoffice/users')).status, 200)

    const manager = await switchedIn(fixture, 'manager')
    assert.equal((await manager.request('/backoffice/products')).headers.get('location'), '/login')
    const switched = await form(manager, '/stores/switch', { store_id: String(fixture.store.id) })
    assert.equal(switched.headers.get('location'), '/login')
    // The till offers no store switcher to a session a PIN opened (a dead end), though the manager may switch stores
    await createStore()
    await joinEveryStore(fixture.users.manager.id)
    const tillOf = async (session: CookieSession) => {
      await form(session, '/till/register', { register_id: String(fixture.register.id) })
      return (await session.request('/till')).text()
    }
    const byPin = await tillOf(manager)
    assert.include(byPin, 'Scan or search')
    assert.notInclude(byPin, 'action="/stores/switch"')
    assert.include(await tillOf(await signIn(baseUrl(), fixture.users.manager.email, PASSWORD)), 'action="/stores/switch"')
  })
})
