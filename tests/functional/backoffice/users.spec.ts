import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import hash from '@adonisjs/core/services/hash'
import User from '#models/user'
import { apiToken, createStore, PASSWORD, PINS } from '#tests/fixtures'
import { reopen, submit } from '#tests/functional/backoffice/helpers'

const NEW = '/backoffice/users/create'

function userForm(overrides: Record<string, unknown> = {}) {
  return {
    name: 'Dana Till',
    email: `dana.${Math.random().toString(36).slice(2, 10)}@test.local`,
    role: 'cashier',
    password: 'long-enough-pass',
    pin: '',
    active: ['', 'on'],
    ...overrides,
  }
}

async function audits(storeId: number, action: string) {
  return db.from('audit_logs').where({ store_id: storeId, action }).select('user_id', 'subject_id', 'data')
}

test.group('Back office: users', () => {
  test('an admin lists users and creates one with a hashed password and PIN', async ({ client, assert }) => {
    const fixture = await createStore()
    const list = await client.get('/backoffice/users').loginAs(fixture.users.admin)
    list.assertStatus(200)
    assert.include(list.text(), fixture.users.cashier.email)

    const email = `new.${fixture.tag}@test.local`
    const response = await submit(client, fixture.users.admin, 'post', '/backoffice/users', userForm({ email: email.toUpperCase(), pin: '4321' }), NEW)
    response.assertStatus(302)
    response.assertHeader('location', '/backoffice/users')
    const user = await User.findByOrFail('email', email)
    assert.equal(user.storeId, fixture.store.id)
    assert.equal(user.role, 'cashier')
    assert.isTrue(user.active)
    assert.notEqual(user.password, 'long-enough-pass')
    assert.isTrue(await hash.verify(user.password, 'long-enough-pass'))
    assert.notEqual(user.pin, '4321')
    assert.isTrue(await hash.verify(user.pin!, '4321'))

    // the new account signs in
    const login = await client.post('/login').form({ email, password: 'long-enough-pass' }).withCsrfToken().redirects(0)
    login.assertHeader('location', '/')
  })

  test('a taken email, a short password and a bad PIN land on their fields', async ({ client, assert }) => {
    const fixture = await createStore()
    const before = await db.from('users').count('* as n').first()
    const taken = await submit(client, fixture.users.admin, 'post', '/backoffice/users', userForm({ name: 'Copy Cat', email: fixture.users.manager.email }), NEW)
    taken.assertStatus(302)
    taken.assertHeader('location', NEW)
    assert.match(taken.flashMessage('inputErrorsBag').email[0], /already uses this email/)
    const page = await reopen(client, fixture.users.admin, NEW, taken)
    assert.include(page.text(), 'id="field-email-error"')
    assert.include(page.text(), 'value="Copy Cat"')
    assert.notInclude(page.text(), 'long-enough-pass')

    const invalid = await submit(client, fixture.users.admin, 'post', '/backoffice/users', userForm({ password: 'short', pin: '12a', role: 'owner' }), NEW)
    const errors = invalid.flashMessage('inputErrorsBag')
    assert.properties(errors, ['password', 'pin', 'role'])
    const after = await db.from('users').count('* as n').first()
    assert.equal(Number(after.n), Number(before.n))
  })

  test('a PIN someone else in the store has is refused on its field; a person keeps their own', async ({ client, assert }) => {
    const fixture = await createStore()
    const before = await db.from('users').where('store_id', fixture.store.id).count('* as n').first()
    // A cashier given the manager's PIN could approve price changes and refunds as the manager
    const copied = await submit(client, fixture.users.admin, 'post', '/backoffice/users', userForm({ pin: PINS.manager }), NEW)
    copied.assertHeader('location', NEW)
    assert.match(copied.flashMessage('inputErrorsBag').pin[0], /Someone else in this store has this PIN/)
    assert.equal(Number((await db.from('users').where('store_id', fixture.store.id).count('* as n').first()).n), Number(before.n))

    const cashier = fixture.users.cashier
    const form = { name: cashier.name, email: cashier.email, role: 'cashier', password: '', active: ['', 'on'] }
    const stolen = await submit(client, fixture.users.admin, 'put', `/backoffice/users/${cashier.id}`, { ...form, pin: PINS.admin }, `/backoffice/users/${cashier.id}/edit`)
    assert.match(stolen.flashMessage('inputErrorsBag').pin[0], /Someone else in this store has this PIN/)
    assert.isTrue(await hash.verify((await User.findOrFail(cashier.id)).pin!, PINS.cashier))
    const kept = await submit(client, fixture.users.admin, 'put', `/backoffice/users/${cashier.id}`, { ...form, pin: PINS.cashier }, `/backoffice/users/${cashier.id}/edit`)
    kept.assertHeader('location', '/backoffice/users')
    // A deactivated person's PIN too: reactivated, they keep it
    await User.query().where('id', fixture.users.accountant.id).update({ active: false })
    const dormant = await submit(client, fixture.users.admin, 'post', '/backoffice/users', userForm({ pin: PINS.accountant }), NEW)
    assert.match(dormant.flashMessage('inputErrorsBag').pin[0], /Someone else in this store has this PIN/)
    // Another store's PINs are its own
    const other = await createStore()
    const elsewhere = await submit(client, other.users.admin, 'post', '/backoffice/users', userForm({ pin: '5150' }), NEW)
    elsewhere.assertHeader('location', '/backoffice/users')
    const again = await submit(client, fixture.users.admin, 'post', '/backoffice/users', userForm({ pin: '5150' }), NEW)
    again.assertHeader('location', '/backoffice/users')
  })

  test('a PIN set before digests were kept is flagged on the list until it is set again', async ({ client, assert }) => {
    const fixture = await createStore()
    const cashier = fixture.users.cashier
    const fresh = await client.get('/backoffice/users').loginAs(fixture.users.admin)
    assert.notInclude(fresh.text(), 'data-testid="legacy-pins"')
    // As a PIN from before migration 0142 is: its hash, no digest
    await User.query().where('id', cashier.id).update({ pin_digest: null })
    const list = await client.get('/backoffice/users').loginAs(fixture.users.admin)
    assert.include(list.text(), 'data-testid="legacy-pins"')
    const row = new RegExp(`data-user-id="${cashier.id}"[\\s\\S]*?</tr>`).exec(list.text())![0]
    assert.include(row, 'data-testid="pin-set-again"')
    assert.equal(list.text().split('data-testid="pin-set-again"').length, 2)

    const form = { name: cashier.name, email: cashier.email, role: 'cashier', password: '', active: ['', 'on'], pin: PINS.cashier }
    const saved = await submit(client, fixture.users.admin, 'put', `/backoffice/users/${cashier.id}`, form, `/backoffice/users/${cashier.id}/edit`)
    saved.assertHeader('location', '/backoffice/users')
    const after = await client.get('/backoffice/users').loginAs(fixture.users.admin)
    assert.notInclude(after.text(), 'data-testid="pin-set-again"')
    assert.notInclude(after.text(), 'data-testid="legacy-pins"')
  })

  test('editing changes the role (audited), keeps a blank password, and unticking active deactivates', async ({ client, assert }) => {
    const fixture = await createStore()
    const cashier = fixture.users.cashier
    const oldHash = (await User.findOrFail(cashier.id)).password
    const edit = await client.get(`/backoffice/users/${cashier.id}/edit`).loginAs(fixture.users.admin)
    edit.assertStatus(200)
    assert.include(edit.text(), `value="${cashier.email}"`)
    assert.include(edit.text(), `action="/backoffice/users/${cashier.id}?_method=PUT"`)

    const promoted = await submit(client, fixture.users.admin, 'put', `/backoffice/users/${cashier.id}`, userForm({ name: cashier.name, email: cashier.email, role: 'manager', password: '' }))
    promoted.assertStatus(302)
    let user = await User.findOrFail(cashier.id)
    assert.equal(user.role, 'manager')
    assert.equal(user.password, oldHash)
    const roleAudit = await audits(fixture.store.id, 'user_role_changed')
    assert.lengthOf(roleAudit, 1)
    assert.equal(roleAudit[0].user_id, fixture.users.admin.id)
    assert.equal(roleAudit[0].subject_id, cashier.id)
    assert.deepEqual(JSON.parse(roleAudit[0].data), { from: 'cashier', to: 'manager' })

    await submit(client, fixture.users.admin, 'put', `/backoffice/users/${cashier.id}`, { ...userForm({ name: cashier.name, email: cashier.email, role: 'manager', password: 'a-brand-new-pass' }), active: '' })
    user = await User.findOrFail(cashier.id)
    assert.isFalse(user.active)
    assert.isTrue(await hash.verify(user.password, 'a-brand-new-pass'))
    assert.lengthOf(await audits(fixture.store.id, 'user_deactivated'), 1)
  })

  test('delete deactivates (never deletes), is audited, and the user can no longer sign in', async ({ client, assert }) => {
    const fixture = await createStore()
    const accountant = fixture.users.accountant
    const response = await submit(client, fixture.users.admin, 'delete', `/backoffice/users/${accountant.id}`)
    response.assertStatus(302)
    assert.include(response.flashMessage('notice'), 'deactivated')
    const user = await User.find(accountant.id)
    assert.isNotNull(user)
    assert.isFalse(user!.active)
    const entries = await audits(fixture.store.id, 'user_deactivated')
    assert.lengthOf(entries, 1)
    assert.equal(entries[0].subject_id, accountant.id)

    const login = await client.post('/login').form({ email: accountant.email, password: PASSWORD }).withCsrfToken().redirects(0)
    login.assertHeader('location', '/login')
    // A page still open in their browser goes to the sign-in form (it answered a JSON 401), the API says 401
    const page = await client.get('/backoffice/reports').loginAs(accountant).header('accept', 'text/html').redirects(0)
    page.assertStatus(302)
    page.assertHeader('location', '/login')
    const api = await client.get('/api/auth/me').loginAs(accountant).header('accept', 'application/json').redirects(0)
    api.assertStatus(401)
    const list = await client.get('/backoffice/users').loginAs(fixture.users.admin)
    assert.include(list.text(), 'Deactivated')
  })

  test('an admin cannot deactivate themself, nor change their own role', async ({ client, assert }) => {
    const fixture = await createStore()
    const admin = fixture.users.admin
    const response = await submit(client, admin, 'delete', `/backoffice/users/${admin.id}`, {}, '/backoffice/users')
    response.assertStatus(302)
    response.assertHeader('location', '/backoffice/users')
    assert.match(response.flashMessage('inputErrorsBag').form[0], /cannot deactivate your own account/)
    const page = await reopen(client, admin, '/backoffice/users', response)
    // The alert says why (it said "The form could not be saved. Please check the errors below.")
    assert.include(page.text(), 'You cannot deactivate your own account')

    const viaForm = await submit(client, admin, 'put', `/backoffice/users/${admin.id}`, { ...userForm({ name: admin.name, email: admin.email, role: 'admin', password: '' }), active: '' })
    assert.property(viaForm.flashMessage('inputErrorsBag'), 'active')
    const demote = await submit(client, admin, 'put', `/backoffice/users/${admin.id}`, userForm({ name: admin.name, email: admin.email, role: 'cashier', password: '' }))
    assert.property(demote.flashMessage('inputErrorsBag'), 'role')
    const reloaded = await User.findOrFail(admin.id)
    assert.isTrue(reloaded.active)
    assert.equal(reloaded.role, 'admin')
    assert.lengthOf(await audits(fixture.store.id, 'user_deactivated'), 0)
  })

  test('an admin of one store cannot reset, change or deactivate someone who also works in a store they do not; an admin of both stores can', async ({ client, assert }) => {
    const fixture = await createStore()
    const other = await createStore()
    const chainAdmin = fixture.users.manager
    await chainAdmin.merge({ role: 'admin' }).save()
    await db.table('store_users').insert({ store_id: other.store.id, user_id: chainAdmin.id, created_at: new Date() })
    const oldHash = chainAdmin.password
    const form = userForm({ name: chainAdmin.name, email: chainAdmin.email, role: 'admin', password: 'taken-over-123' })

    const reset = await submit(client, fixture.users.admin, 'put', `/backoffice/users/${chainAdmin.id}`, form, `/backoffice/users/${chainAdmin.id}/edit`)
    assert.match(reset.flashMessage('inputErrorsBag').form[0], /also works in stores you do not/)
    const deactivated = await submit(client, fixture.users.admin, 'delete', `/backoffice/users/${chainAdmin.id}`, {}, '/backoffice/users')
    assert.match(deactivated.flashMessage('inputErrorsBag').form[0], /also works in stores you do not/)
    let reloaded = await User.findOrFail(chainAdmin.id)
    assert.equal(reloaded.password, oldHash)
    assert.isTrue(reloaded.active)
    assert.equal((await client.post('/api/auth/login').json({ email: chainAdmin.email, password: 'taken-over-123' })).status(), 401)

    // Someone who works in every store the person does may
    await db.table('store_users').insert({ store_id: other.store.id, user_id: fixture.users.admin.id, created_at: new Date() })
    ;(await submit(client, fixture.users.admin, 'put', `/backoffice/users/${chainAdmin.id}`, form)).assertStatus(302)
    reloaded = await User.findOrFail(chainAdmin.id)
    assert.isTrue(await hash.verify(reloaded.password, 'taken-over-123'))
  })

  test('a password an admin sets ends the person\u2019s API tokens, and is audited', async ({ client, assert }) => {
    const fixture = await createStore()
    const accountant = fixture.users.accountant
    const token = await apiToken(client, accountant)
    ;(await client.get('/api/auth/me').bearerToken(token)).assertStatus(200)
    const kept = await submit(client, fixture.users.admin, 'put', `/backoffice/users/${accountant.id}`, userForm({ name: 'Renamed', email: accountant.email, role: 'accountant', password: '' }))
    kept.assertStatus(302)
    ;(await client.get('/api/auth/me').bearerToken(token)).assertStatus(200)
    const reset = await submit(client, fixture.users.admin, 'put', `/backoffice/users/${accountant.id}`, userForm({ name: 'Renamed', email: accountant.email, role: 'accountant', password: 'a-brand-new-pass' }))
    reset.assertStatus(302)
    ;(await client.get('/api/auth/me').bearerToken(token)).assertStatus(401)
    assert.lengthOf(await audits(fixture.store.id, 'user_password_reset'), 1)
  })

  test('a deactivation ends the person\u2019s sessions: reactivated, a session from before stays signed out', async ({ client, assert }) => {
    const fixture = await createStore()
    const cashier = fixture.users.cashier
    // A session signed in before (loginAs keeps no version: as a cookie from before any ending)
    ;(await client.get('/till').loginAs(cashier).redirects(0)).assertStatus(200)
    ;(await submit(client, fixture.users.admin, 'delete', `/backoffice/users/${cashier.id}`)).assertStatus(302)
    ;(await submit(client, fixture.users.admin, 'put', `/backoffice/users/${cashier.id}`, userForm({ name: cashier.name, email: cashier.email, role: 'cashier', password: '' }))).assertStatus(302)
    assert.isTrue((await User.findOrFail(cashier.id)).active)
    const old = await client.get('/till').loginAs(cashier).redirects(0)
    old.assertStatus(302)
    old.assertHeader('location', '/login')
    // Signing in again works
    const login = await client.post('/login').withCsrfToken().form({ email: cashier.email, password: PASSWORD }).redirects(0)
    login.assertHeader('location', '/')
  })

  test('a manager gets 403 on /backoffice/users and cannot create users; the menu hides the link', async ({ client, assert }) => {
    const fixture = await createStore()
    for (const url of ['/backoffice/users', NEW, `/backoffice/users/${fixture.users.cashier.id}/edit`]) {
      ;(await client.get(url).loginAs(fixture.users.manager)).assertStatus(403)
    }
    const email = `sneaky.${fixture.tag}@test.local`
    const post = await submit(client, fixture.users.manager, 'post', '/backoffice/users', userForm({ email, role: 'admin' }))
    post.assertStatus(403)
    assert.isNull(await User.findBy('email', email))
    const dashboard = await client.get('/backoffice').loginAs(fixture.users.manager)
    dashboard.assertStatus(200)
    assert.notInclude(dashboard.text(), 'href="/backoffice/users"')
    const adminDashboard = await client.get('/backoffice').loginAs(fixture.users.admin)
    assert.include(adminDashboard.text(), 'href="/backoffice/users"')
  })

  test('users of another store are not found', async ({ client }) => {
    const fixture = await createStore()
    const other = await createStore()
    ;(await client.get(`/backoffice/users/${other.users.cashier.id}/edit`).loginAs(fixture.users.admin)).assertStatus(404)
  })
})
