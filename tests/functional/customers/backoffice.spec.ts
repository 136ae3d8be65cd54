import { test } from '@japa/runner'
import Customer from '#models/customer'
import db from '@adonisjs/lucid/services/db'
import { apiToken, countRows, createProduct, createStore } from '#tests/fixtures'
import { reopen, submit } from '#tests/functional/backoffice/helpers'
import { createCustomer, sellTo } from '#tests/functional/customers/helpers'

const NEW = '/backoffice/customers/create'

test.group('Back office: customers', () => {
  test('a manager creates a customer: phone kept as digits, email lower-cased; the list finds them', async ({ client, assert }) => {
    const fixture = await createStore()
    const nav = await client.get('/backoffice').loginAs(fixture.users.manager)
    assert.include(nav.text(), 'href="/backoffice/customers"')
    const form = await client.get(NEW).loginAs(fixture.users.manager)
    form.assertStatus(200)
    assert.include(form.text(), 'name="email"')

    const response = await submit(client, fixture.users.manager, 'post', '/backoffice/customers', {
      name: 'Grace Hopper',
      email: ` Grace.${fixture.tag}@Example.TEST `,
      phone: '+1 (555) 010-0199',
      notes: 'Prefers paper receipts',
    }, NEW)
    response.assertStatus(302)
    const customer = await Customer.query().where({ store_id: fixture.store.id, name: 'Grace Hopper' }).firstOrFail()
    response.assertHeader('location', `/backoffice/customers/${customer.id}`)
    assert.equal(customer.email, `grace.${fixture.tag}@example.test`)
    assert.equal(customer.phone, '+15550100199')

    for (const search of ['hop', 'grace', `grace.${fixture.tag}`, '+1555', '1555 010']) {
      const list = await client.get('/backoffice/customers').qs({ search }).loginAs(fixture.users.manager)
      assert.include(list.text(), `data-customer-id="${customer.id}"`, `search "${search}"`)
    }
    const none = await client.get('/backoffice/customers').qs({ search: 'opper' }).loginAs(fixture.users.manager)
    assert.notInclude(none.text(), `data-customer-id="${customer.id}"`)
    // LIKE wildcards typed in the search are taken literally
    const wildcard = await client.get('/backoffice/customers').qs({ search: '%' }).loginAs(fixture.users.manager)
    assert.notInclude(wildcard.text(), `data-customer-id="${customer.id}"`)
  })

  test('bad email, bad phone, a blank name and a taken email land on their fields; nothing is written', async ({ client, assert }) => {
    const fixture = await createStore()
    const existing = await createCustomer(fixture, { email: `taken.${fixture.tag}@example.test` })
    const before = await countRows('customers', { store_id: fixture.store.id })

    const invalid = await submit(client, fixture.users.admin, 'post', '/backoffice/customers', { name: '', email: 'not-an-email', phone: '12ab', notes: '' }, NEW)
    invalid.assertStatus(302)
    invalid.assertHeader('location', NEW)
    assert.properties(invalid.flashMessage('inputErrorsBag'), ['name', 'email', 'phone'])

    const taken = await submit(client, fixture.users.admin, 'post', '/backoffice/customers', { name: 'Copy Cat', email: existing.email!.toUpperCase() }, NEW)
    assert.match(taken.flashMessage('inputErrorsBag').email[0], /already uses this email/)
    const page = await reopen(client, fixture.users.admin, NEW, taken)
    assert.include(page.text(), 'id="field-email-error"')
    assert.include(page.text(), 'value="Copy Cat"')
    assert.equal(await countRows('customers', { store_id: fixture.store.id }), before)

    // the same email is free in another store
    const other = await createStore()
    const elsewhere = await submit(client, other.users.admin, 'post', '/backoffice/customers', { name: 'Same Email', email: existing.email }, NEW)
    elsewhere.assertStatus(302)
    assert.equal(await countRows('customers', { store_id: other.store.id }), 1)
  })

  test('editing saves the fields and clears an emptied one', async ({ client, assert }) => {
    const fixture = await createStore()
    const customer = await createCustomer(fixture, { name: 'Alan Turing', phone: '+441234567', notes: 'VIP' })
    const edit = await client.get(`/backoffice/customers/${customer.id}/edit`).loginAs(fixture.users.manager)
    edit.assertStatus(200)
    assert.include(edit.text(), `value="${customer.email}"`)
    assert.include(edit.text(), `action="/backoffice/customers/${customer.id}?_method=PUT"`)

    const saved = await submit(client, fixture.users.manager, 'put', `/backoffice/customers/${customer.id}`, { name: 'Alan M. Turing', email: customer.email, phone: '', notes: 'VIP' })
    saved.assertStatus(302)
    await customer.refresh()
    assert.equal(customer.name, 'Alan M. Turing')
    assert.isNull(customer.phone)
    assert.equal(customer.notes, 'VIP')

    const bad = await submit(client, fixture.users.manager, 'put', `/backoffice/customers/${customer.id}`, { name: 'Alan', email: 'x@' }, `/backoffice/customers/${customer.id}/edit`)
    assert.property(bad.flashMessage('inputErrorsBag'), 'email')
    await customer.refresh()
    assert.equal(customer.name, 'Alan M. Turing')
  })

  test("the customer's page lists their purchases with totals and links to each sale", async ({ client, assert }) => {
    const fixture = await createStore()
    const product = await createProduct(fixture, { price: 1000 })
    const customer = await createCustomer(fixture, { name: 'Ada Lovelace' })
    const first = await sellTo(fixture, customer, [{ product, quantity: 1 }])
    const second = await sellTo(fixture, customer, [{ product, quantity: 2 }])
    const someoneElse = await sellTo(fixture, null, [{ product, quantity: 5 }])

    const page = await client.get(`/backoffice/customers/${customer.id}`).loginAs(fixture.users.manager)
    page.assertStatus(200)
    const html = page.text()
    assert.include(html, `href="/backoffice/sales/${first.id}"`)
    assert.include(html, `href="/backoffice/sales/${second.id}"`)
    assert.notInclude(html, `href="/backoffice/sales/${someoneElse.id}"`)
    // 10.80 + 21.60
    assert.match(html, /data-testid="purchase-total">\$32\.40</)
    assert.match(html, /data-testid="purchase-count">2</)
    // A refund comes off what they spent (it was left in)
    const line = await db.from('sale_items').where('sale_id', first.id).firstOrFail()
    const token = await apiToken(client, fixture.users.manager)
    ;(await client.post(`/api/sales/${first.id}/refunds`).bearerToken(token).json({ items: [{ sale_item_id: line.id, quantity: 1 }], reason: 'Faulty' })).assertStatus(201)
    const after = (await client.get(`/backoffice/customers/${customer.id}`).loginAs(fixture.users.manager)).text()
    assert.match(after, /data-testid="purchase-total">\$21\.60 \(after \$10\.80 refunded\)</)
    const api = await client.get(`/api/customers/${customer.id}`).bearerToken(token)
    assert.containsSubset(api.body().purchases, { count: 2, total: 2160, refunded: 1080 })
    // a manager sees no privacy actions
    assert.notInclude(html, '/erase')

    // the sale page shows no more than the first name, linked to the customer
    const sale = await client.get(`/backoffice/sales/${first.id}`).loginAs(fixture.users.manager)
    assert.include(sale.text(), `href="/backoffice/customers/${customer.id}"`)
    assert.include(sale.text(), 'Ada')
    assert.notInclude(sale.text(), 'Lovelace')
  })

  test('what a customer spent is what they paid (cash rounding included) less what came back: a sale returned in full is $0.00', async ({ client, assert }) => {
    const fixture = await createStore({ cashRounding: 5 })
    const product = await createProduct(fixture, { price: 1001 })
    const customer = await createCustomer(fixture)
    // $10.81 with tax, $10.80 in cash; the refund of all of it gives back the $10.80 paid
    const sale = await sellTo(fixture, customer, [{ product, quantity: 1 }])
    assert.deepEqual([sale.total, sale.roundingTotal], [1081, -1])
    const line = await db.from('sale_items').where('sale_id', sale.id).firstOrFail()
    const token = await apiToken(client, fixture.users.manager)
    ;(await client.post(`/api/sales/${sale.id}/refunds`).bearerToken(token).json({ items: [{ sale_item_id: line.id, quantity: 1 }], reason: 'Faulty' })).assertStatus(201)
    // It was the sale's total less the cash back: $0.01 spent on nothing
    const html = (await client.get(`/backoffice/customers/${customer.id}`).loginAs(fixture.users.manager)).text()
    assert.match(html, /data-testid="purchase-total">\$0\.00 \(after \$10\.80 refunded\)</)
    assert.containsSubset((await client.get(`/api/customers/${customer.id}`).bearerToken(token)).body().purchases, { count: 1, total: 0, refunded: 1080 })
  })

  test('the list pages through many customers', async ({ client, assert }) => {
    const fixture = await createStore()
    for (let i = 0; i < 27; i++) await createCustomer(fixture, { name: `Paged ${String(i).padStart(2, '0')}`, email: null })
    const first = await client.get('/backoffice/customers').loginAs(fixture.users.manager)
    assert.include(first.text(), 'Page 1 of 2')
    assert.include(first.text(), 'Paged 00')
    assert.notInclude(first.text(), 'Paged 26')
    const second = await client.get('/backoffice/customers').qs({ page: 2 }).loginAs(fixture.users.manager)
    assert.include(second.text(), 'Paged 26')
  })

  test('roles: an accountant and a cashier are refused; another store’s customer is not found', async ({ client, assert }) => {
    const fixture = await createStore()
    const customer = await createCustomer(fixture)
    for (const user of [fixture.users.accountant, fixture.users.cashier]) {
      ;(await client.get('/backoffice/customers').loginAs(user)).assertStatus(403)
      ;(await client.get(`/backoffice/customers/${customer.id}`).loginAs(user)).assertStatus(403)
      const refused = await submit(client, user, 'post', '/backoffice/customers', { name: 'Sneaky' })
      refused.assertStatus(403)
    }
    const nav = await client.get('/backoffice').loginAs(fixture.users.accountant)
    assert.notInclude(nav.text(), 'href="/backoffice/customers"')
    assert.equal(await countRows('customers', { store_id: fixture.store.id, name: 'Sneaky' }), 0)

    const other = await createStore()
    ;(await client.get(`/backoffice/customers/${customer.id}`).loginAs(other.users.admin)).assertStatus(404)
    const edit = await submit(client, other.users.admin, 'put', `/backoffice/customers/${customer.id}`, { name: 'Hijack' }, '/backoffice/customers')
    assert.match(edit.flashMessage('inputErrorsBag').form[0], /not found/)
    await customer.refresh()
    assert.notEqual(customer.name, 'Hijack')
  })
})
