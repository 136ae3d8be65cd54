import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import Store from '#models/store'
import { apiToken, countRows, createProduct, createStore, PINS, type TestStore } from '#tests/fixtures'
import StaffService from '#staff/staff_service'
import hash from '@adonisjs/core/services/hash'
import { submit } from '#tests/functional/backoffice/helpers'
import { sellFor } from '#tests/functional/backoffice/helpers'
import { REGISTER_COOKIE } from '#sales/till_screen_service'
import { dbTimestamp } from '#platform/db_time'
import type User from '#models/user'

async function addToStore(user: User, fixture: TestStore) {
  await db.table('store_users').insert({ store_id: fixture.store.id, user_id: user.id, created_at: dbTimestamp() })
}

function storeForm(overrides: Record<string, unknown> = {}) {
  return {
    name: 'Harbour Branch',
    address: '2 Quay Road',
    currency: 'EUR',
    time_zone: 'Europe/Dublin',
    cash_rounding: '5',
    allow_negative_stock: ['', 'on'],
    prices_include_tax: ['', 'on'],
    receipt_footer: 'Slán go fóill',
    ...overrides,
  }
}

test.group('Several stores: who works where', () => {
  test('a cashier of store A cannot see or sell in store B, over the API or on the till', async ({ client, assert }) => {
    const a = await createStore()
    const b = await createStore()
    const inB = await createProduct(b, { name: 'Only In B', stock: 5 })
    const token = await apiToken(client, a.users.cashier)

    const header = await client.get('/api/products').bearerToken(token).header('x-store-id', String(b.store.id))
    header.assertStatus(403)
    assert.equal(header.body().errors[0].code, 'store_forbidden')
    ;(await client.get(`/api/products/${inB.id}`).bearerToken(token)).assertStatus(404)
    const sale = await client.post('/api/sales').bearerToken(token).json({ items: [{ product_id: inB.id, quantity: 1 }], payment_method: 'cash' })
    sale.assertStatus(422)
    assert.equal(sale.body().errors[0].code, 'unknown_product')
    const named = await client.post('/api/sales').bearerToken(token).header('x-store-id', String(b.store.id)).json({ items: [{ product_id: inB.id, quantity: 1 }], payment_method: 'cash' })
    named.assertStatus(403)
    ;(await client.get('/api/products').bearerToken(token).header('x-store-id', 'abc')).assertStatus(422)

    // on the till: no switching, and a store forced into the session is not honoured
    ;(await submit(client, a.users.cashier, 'post', '/stores/switch', { store_id: b.store.id })).assertStatus(403)
    const tillPage = await client.get('/till').withSession({ store_id: b.store.id }).withCookie(REGISTER_COOKIE, String(a.register.id)).loginAs(a.users.cashier)
    tillPage.assertStatus(200)
    assert.include(tillPage.text(), a.store.name)
    assert.notInclude(tillPage.text(), b.store.name)
    const add = await client
      .post('/till/items')
      .form({ product_id: inB.id })
      .withSession({ store_id: b.store.id })
      .withCookie(REGISTER_COOKIE, String(a.register.id))
      .withCsrfToken()
      .header('HX-Request', 'true')
      .loginAs(a.users.cashier)
    add.assertStatus(404)
    assert.equal(await countRows('sales', { store_id: b.store.id }), 0)
    assert.equal(await countRows('stock_movements', { product_id: inB.id, reason: 'sale' }), 0)
  })

  test('a cashier who also works in store B sells there with X-Store-Id', async ({ client, assert }) => {
    const a = await createStore()
    const b = await createStore()
    const inB = await createProduct(b, { price: 1000, stock: 5 })
    await addToStore(a.users.cashier, b)
    const token = await apiToken(client, a.users.cashier)
    const list = await client.get('/api/products').bearerToken(token).header('x-store-id', String(b.store.id))
    list.assertStatus(200)
    assert.deepEqual(list.body().data.map((p: any) => p.id), [inB.id])
    const sale = await client.post('/api/sales').bearerToken(token).header('x-store-id', String(b.store.id)).json({ items: [{ product_id: inB.id, quantity: 1 }], payment_method: 'cash' })
    sale.assertStatus(201)
    const row = await db.from('sales').where('id', sale.body().id).first()
    assert.equal(row.store_id, b.store.id)
    assert.equal(row.register_id, b.register.id)
  })

  test('a manager who also works in store B approves there with their PIN, and nobody of store B may be given it', async ({ client, assert }) => {
    const a = await createStore()
    const b = await createStore()
    const mug = await createProduct(b, { price: 1000, stock: 5 })
    // Store B's own people approve with other PINs, or none
    await db.from('users').where('store_id', b.store.id).whereNot('role', 'cashier').update({ pin: null })
    await addToStore(a.users.manager, b)
    const cashier = await apiToken(client, b.users.cashier)
    const refund = await client.post('/api/refunds').bearerToken(cashier).json({ items: [{ product_id: mug.id, quantity: 1 }], reason: 'No receipt', manager_pin: PINS.manager, method: 'card_external' })
    // Before: 422 "That is not a manager's PIN" (only people whose home store this is were asked)
    refund.assertStatus(201)
    assert.equal(refund.body().approved_by, a.users.manager.id)

    // Store B's cashier given that PIN would approve as the manager: refused, in B and from A's side
    const staff = new StaffService()
    const input = { name: b.users.cashier.name, email: b.users.cashier.email, role: b.users.cashier.role, active: true, pin: PINS.manager }
    await assert.rejects(() => staff.update(b.store, b.users.cashier, input, b.users.admin), /Someone else in this store has this PIN/)
    // Nor may the manager be given a PIN someone has in store B only
    await db.from('users').where('id', b.users.cashier.id).update({ pin: await hash.make('7777') })
    await addToStore(a.users.admin, b)
    const sameInA = { name: a.users.manager.name, email: a.users.manager.email, role: a.users.manager.role, active: true, pin: '7777' }
    await assert.rejects(() => staff.update(a.store, a.users.manager, sameInA, a.users.admin), /Someone else in this store has this PIN/)
  })

  test("adding someone to a store's staff whose PIN someone there has is refused on the field; the till never takes one PIN for two people", async ({ client, assert }) => {
    const a = await createStore()
    const b = await createStore()
    // Every fixture store gives its cashier 1111: store A's cashier has store B's cashier's PIN
    await addToStore(b.users.admin, a)
    const edit = `/backoffice/stores/${b.store.id}/edit`
    const staff = (ids: number[]) => submit(client, b.users.admin, 'post', `/backoffice/stores/${b.store.id}/staff`, { 'user_ids[]': ids.map(String) }, edit)
    const refused = await staff([a.users.cashier.id])
    refused.assertStatus(302)
    refused.assertHeader('location', edit)
    assert.match(refused.flashMessage('inputErrorsBag').user_ids[0], new RegExp(`^${a.users.cashier.name} has the same PIN as someone who works in this store`))
    assert.equal(await countRows('store_users', { store_id: b.store.id, user_id: a.users.cashier.id }), 0)
    // Two people added together with one PIN between them: refused too
    b.users.cashier.pin = '7777'
    await b.users.cashier.save()
    a.users.accountant.pin = PINS.cashier
    await a.users.accountant.save()
    await db.from('users').where('id', b.users.accountant.id).update({ pin: null, pin_digest: null })
    const together = await staff([a.users.cashier.id, a.users.accountant.id])
    assert.match(together.flashMessage('inputErrorsBag').user_ids[0], /have the same PIN: give one of them another PIN first/)
    assert.equal(await countRows('store_users', { store_id: b.store.id }), 0)
    // Once it names nobody else there, they are added
    ;(await staff([a.users.cashier.id])).assertHeader('location', edit)
    assert.equal(await countRows('store_users', { store_id: b.store.id, user_id: a.users.cashier.id }), 1)

    // A PIN set before digests were kept cannot be compared when added: the till then refuses it
    // rather than take the first of its two people (a cashier typing their PIN, approved as the manager)
    await db.from('users').where('id', a.users.manager.id).update({ pin_digest: null })
    ;(await staff([a.users.cashier.id, a.users.manager.id])).assertHeader('location', edit)
    await db.from('users').where('id', b.users.manager.id).update({ role: 'cashier' })
    const product = await createProduct(b, { price: 1000, taxClass: 'zero' })
    const till = (url: string, form: Record<string, unknown>) =>
      client.post(url).loginAs(b.users.cashier).withCsrfToken().withCookie(REGISTER_COOKIE, String(b.register.id)).header('HX-Request', 'true').form(form)
    ;(await till('/till/items', { product_id: product.id })).assertStatus(200)
    const ambiguous = await till('/till/discount', { discount_type: 'percent', discount_value: '50', pin: PINS.manager })
    ambiguous.assertStatus(409)
    assert.include(ambiguous.text(), 'This PIN cannot be used at the till: an admin must set a new one')
    assert.equal(Number((await db.from('sales').where({ register_id: b.register.id, status: 'open' }).first()).discount_total), 0)
    const refusal = await db.from('audit_logs').where({ store_id: b.store.id, action: 'pin_failed' }).orderBy('id', 'desc').first()
    assert.include(typeof refusal.data === 'string' ? refusal.data : JSON.stringify(refusal.data), 'pin_ambiguous')
    // Nor may either switch in with it, as the other or as themself; a switch to oneself with a
    // colleague's PIN is a plain wrong PIN (only the named user's PIN is checked)
    const switchTo = (userId: number, pin: string) => till('/till/switch', { user_id: userId, pin })
    ;(await switchTo(b.users.manager.id, PINS.manager)).assertStatus(409)
    ;(await switchTo(a.users.manager.id, PINS.manager)).assertStatus(409)
    ;(await switchTo(b.users.cashier.id, PINS.manager)).assertStatus(422)
    // A PIN typed at the till gets its digest: from then on it compares when added to a store
    await db.from('users').where('id', b.users.manager.id).update({ pin: null, pin_digest: null })
    ;(await till('/till/discount', { discount_type: 'percent', discount_value: '50', pin: PINS.manager })).assertStatus(200)
    assert.isNotNull((await db.from('users').where('id', a.users.manager.id).first()).pin_digest)
  })

  test('a manager switches store from the top bar: the product list follows; a store they are not in is refused', async ({ client, assert }) => {
    const a = await createStore()
    const b = await createStore()
    const c = await createStore()
    const inA = await createProduct(a, { name: 'Apple Juice' })
    const inB = await createProduct(b, { name: 'Banana Bread' })
    const manager = a.users.manager
    await addToStore(manager, b)

    const before = await client.get('/backoffice/products').loginAs(manager)
    assert.include(before.text(), `data-product-id="${inA.id}"`)
    assert.notInclude(before.text(), `data-product-id="${inB.id}"`)
    assert.include(before.text(), 'action="/stores/switch"')
    assert.include(before.text(), `<option value="${b.store.id}"`)
    assert.notInclude(before.text(), `<option value="${c.store.id}"`)

    const switched = await submit(client, manager, 'post', '/stores/switch', { store_id: b.store.id }, '/backoffice/products')
    switched.assertStatus(302)
    switched.assertHeader('location', '/backoffice')
    assert.equal(switched.session().store_id, b.store.id)
    const after = await client.get('/backoffice/products').withSession({ store_id: b.store.id }).loginAs(manager)
    assert.include(after.text(), `data-product-id="${inB.id}"`)
    assert.notInclude(after.text(), `data-product-id="${inA.id}"`)
    assert.include(after.text(), `<option value="${b.store.id}" selected`)
    const entries = await db.from('audit_logs').where({ action: 'store_switched', user_id: manager.id })
    assert.lengthOf(entries, 1)

    const refused = await submit(client, manager, 'post', '/stores/switch', { store_id: c.store.id }, '/backoffice')
    assert.notEqual(refused.session().store_id, c.store.id)
    assert.match(refused.flashMessage('inputErrorsBag').store_id[0], /do not work in this store/)

    // the API follows X-Store-Id the same way
    const token = await apiToken(client, manager)
    const api = await client.get('/api/products').bearerToken(token).header('x-store-id', String(b.store.id))
    assert.deepEqual(api.body().data.map((p: any) => p.id), [inB.id])
    ;(await client.get('/api/products').bearerToken(token).header('x-store-id', String(c.store.id))).assertStatus(403)
  })
})

test.group('Several stores: the Stores page', () => {
  test('an admin creates a store with its register, tax classes and themself as staff; edits it', async ({ client, assert }) => {
    const fixture = await createStore()
    const admin = fixture.users.admin
    const response = await submit(client, admin, 'post', '/backoffice/stores', storeForm(), '/backoffice/stores/create')
    response.assertStatus(302)
    const created = await Store.query().where('name', 'Harbour Branch').orderBy('id', 'desc').firstOrFail()
    response.assertHeader('location', `/backoffice/stores/${created.id}/edit`)
    assert.containsSubset(created.serialize(), { currency: 'EUR', timeZone: 'Europe/Dublin', cashRounding: 5, allowNegativeStock: true, pricesIncludeTax: true, address: '2 Quay Road' })
    assert.equal(await countRows('registers', { store_id: created.id }), 1)
    assert.equal(await countRows('tax_rates', { store_id: created.id }), 3)
    assert.equal(await countRows('store_users', { store_id: created.id, user_id: admin.id }), 1)

    const list = await client.get('/backoffice/stores').loginAs(admin)
    assert.include(list.text(), `data-store-id="${created.id}"`)
    assert.include(list.text(), `data-store-id="${fixture.store.id}"`)

    const edit = await submit(client, admin, 'put', `/backoffice/stores/${created.id}`, storeForm({ name: 'Harbour', allow_negative_stock: '', cash_rounding: '10' }))
    edit.assertStatus(302)
    await created.refresh()
    assert.equal(created.name, 'Harbour')
    assert.isFalse(created.allowNegativeStock)
    assert.equal(created.cashRounding, 10)
    // An address of two lines keeps them through the form (a one-line field lost the break, and
    // saving the form unchanged printed "StreetNew York" on every receipt)
    await submit(client, admin, 'put', `/backoffice/stores/${created.id}`, storeForm({ name: 'Harbour', cash_rounding: '10', address: '2 Quay Road\nCobh' }))
    const form = await client.get(`/backoffice/stores/${created.id}/edit`).loginAs(admin)
    assert.match(form.text(), /<textarea id="[^"]*" name="address"[^>]*>2 Quay Road\nCobh<\/textarea>/)

    const register = await submit(client, admin, 'post', `/backoffice/stores/${created.id}/registers`, { name: 'Register 2' })
    register.assertStatus(302)
    assert.equal(await countRows('registers', { store_id: created.id }), 2)
    const duplicate = await submit(client, admin, 'post', `/backoffice/stores/${created.id}/registers`, { name: 'register 2' }, `/backoffice/stores/${created.id}/edit`)
    assert.match(duplicate.flashMessage('inputErrorsBag').name[0], /already has a register/)

    // staff: the home store's cashier is added to the new store
    const staff = await submit(client, admin, 'post', `/backoffice/stores/${created.id}/staff`, { 'user_ids[]': [String(fixture.users.cashier.id)] })
    staff.assertStatus(302)
    assert.equal(await countRows('store_users', { store_id: created.id, user_id: fixture.users.cashier.id }), 1)
    const page = await client.get(`/backoffice/stores/${created.id}/edit`).loginAs(admin)
    assert.include(page.text(), fixture.users.cashier.name)
  })

  test('an admin of some stores makes a store: it is also every installation admin’s, who keep plugins and backups; they cannot take such an admin off a store', async ({ client, assert }) => {
    const chain = await createStore({ chainAdmin: true })
    const installationAdmin = chain.users.admin
    const other = await createStore()
    const storeAdmin = other.users.admin
    // The store admin also works in the chain's store, as the chain admin does in theirs
    await addToStore(storeAdmin, chain)
    await addToStore(installationAdmin, other)
    ;(await client.get('/backoffice/plugins').loginAs(installationAdmin)).assertStatus(200)

    const response = await submit(client, storeAdmin, 'post', '/backoffice/stores', storeForm({ name: `Branch ${other.tag}` }), '/backoffice/stores/create')
    response.assertStatus(302)
    const created = await Store.query().where('name', `Branch ${other.tag}`).firstOrFail()
    assert.equal(await countRows('store_users', { store_id: created.id, user_id: installationAdmin.id }), 1)
    ;(await client.get('/backoffice/plugins').loginAs(installationAdmin)).assertStatus(200)
    ;(await client.get('/backoffice/backups').loginAs(installationAdmin)).assertStatus(200)

    // Taking the installation admin off the chain's store, by the store admin: refused, nothing changed
    const off = await submit(client, storeAdmin, 'post', `/backoffice/stores/${created.id}/staff`, { 'user_ids[]': [String(storeAdmin.id)] }, `/backoffice/stores/${created.id}/edit`)
    off.assertStatus(302)
    assert.match(off.flashMessage('inputErrorsBag').user_ids[0], /only another admin of every store may take them off/)
    assert.equal(await countRows('store_users', { store_id: created.id, user_id: installationAdmin.id }), 1)
  })

  test('the store form names each bad field, writes nothing, and locks the currency once there are sales', async ({ client, assert }) => {
    const fixture = await createStore()
    const admin = fixture.users.admin
    const stores = Number((await db.from('stores').count('* as n').first()).n)
    const bad = await submit(client, admin, 'post', '/backoffice/stores', storeForm({ name: '', currency: 'EU', cash_rounding: '0', time_zone: '' }), '/backoffice/stores/create')
    bad.assertStatus(302)
    bad.assertHeader('location', '/backoffice/stores/create')
    assert.properties(bad.flashMessage('inputErrorsBag'), ['name', 'currency', 'cash_rounding', 'time_zone'])
    // No coin is 7 cents: every cash sale would round to sevens
    const sevens = await submit(client, admin, 'post', '/backoffice/stores', storeForm({ cash_rounding: '7' }), '/backoffice/stores/create')
    assert.equal(sevens.flashMessage('inputErrorsBag').cash_rounding[0], 'Choose the cash rounding: 1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000')
    const zone = await submit(client, admin, 'post', '/backoffice/stores', storeForm({ time_zone: 'Mars/Olympus' }), '/backoffice/stores/create')
    assert.match(zone.flashMessage('inputErrorsBag').time_zone[0], /Unknown time zone/)
    const currency = await submit(client, admin, 'post', '/backoffice/stores', storeForm({ currency: 'XYZ' }), '/backoffice/stores/create')
    assert.match(currency.flashMessage('inputErrorsBag').currency[0], /Unknown currency/)
    // In one answer with the other fields (they were said only once the rest passed), on create and edit
    const together = await submit(client, admin, 'post', '/backoffice/stores', storeForm({ name: '', currency: 'XYZ', time_zone: 'Mars/Base' }), '/backoffice/stores/create')
    assert.sameMembers(Object.keys(together.flashMessage('inputErrorsBag')), ['name', 'currency', 'time_zone'])
    const edited = await submit(client, admin, 'put', `/backoffice/stores/${fixture.store.id}`, storeForm({ name: '', time_zone: 'Mars/Base' }), `/backoffice/stores/${fixture.store.id}/edit`)
    assert.sameMembers(Object.keys(edited.flashMessage('inputErrorsBag')), ['name', 'time_zone'])
    // A field is named in the form's words ("The receipt_footer field..." before, then "The receipt footer field must not be greater than...")
    const footer = await submit(client, admin, 'post', '/backoffice/stores', storeForm({ receipt_footer: 'x'.repeat(256) }), '/backoffice/stores/create')
    assert.match(footer.flashMessage('inputErrorsBag').receipt_footer[0], /^Use at most 255 characters for the receipt footer$/)
    assert.equal(Number((await db.from('stores').count('* as n').first()).n), stores)

    const product = await createProduct(fixture)
    await sellFor(fixture, [{ product, quantity: 1 }])
    const locked = await submit(client, admin, 'put', `/backoffice/stores/${fixture.store.id}`, storeForm({ currency: 'GBP' }), `/backoffice/stores/${fixture.store.id}/edit`)
    assert.match(locked.flashMessage('inputErrorsBag').currency[0], /can no longer change/)
    await fixture.store.refresh()
    assert.equal(fixture.store.currency, 'USD')
    assert.equal(fixture.store.name, `Test store ${fixture.tag}`)
  })

  test('only admins open the Stores page, and only for their own stores', async ({ client, assert }) => {
    const fixture = await createStore()
    const other = await createStore()
    for (const role of ['manager', 'accountant', 'cashier'] as const) {
      ;(await client.get('/backoffice/stores').loginAs(fixture.users[role])).assertStatus(403)
    }
    ;(await submit(client, fixture.users.manager, 'post', '/backoffice/stores', storeForm({ name: 'Not Allowed' }))).assertStatus(403)
    ;(await client.get(`/backoffice/stores/${other.store.id}/edit`).loginAs(fixture.users.admin)).assertStatus(404)
    const nav = await client.get('/backoffice').loginAs(fixture.users.admin)
    assert.include(nav.text(), 'href="/backoffice/stores"')
    assert.equal(await countRows('stores', { name: 'Not Allowed' }), 0)
  })
})
