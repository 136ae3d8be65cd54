import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import Customer from '#models/customer'
import { countRows, createProduct, createStore, type TestStore } from '#tests/fixtures'
import { REGISTER_COOKIE } from '#sales/till_screen_service'
import CustomerPrivacyService from '#customers/customer_privacy_service'
import { createCustomer } from '#tests/functional/customers/helpers'

/** A till request as htmx sends it: signed in, with CSRF token and this device's register */
function till(client: any, fixture: TestStore, method: 'get' | 'post' | 'delete', url: string, role: 'cashier' | 'manager' | 'accountant' = 'cashier') {
  return client[method](url)
    .loginAs(fixture.users[role])
    .withCsrfToken()
    .withCookie(REGISTER_COOKIE, String(fixture.register.id))
    .header('HX-Request', 'true')
}

async function openCart(fixture: TestStore) {
  return db.from('sales').where({ register_id: fixture.register.id, status: 'open' }).first()
}

test.group('Till: the sale’s customer over htmx', () => {
  test('search by name, email and phone prefix, attach, see them in the cart, detach', async ({ client, assert }) => {
    const fixture = await createStore()
    const product = await createProduct(fixture, { name: 'Tea', price: 500 })
    const customer = await createCustomer(fixture, { name: 'Marie Curie', email: `marie.${fixture.tag}@example.test`, phone: '+33123456789' })
    await createCustomer(fixture, { name: 'Pierre Curie', email: null })
    await till(client, fixture, 'post', '/till/items').form({ product_id: product.id })

    const picker = await till(client, fixture, 'get', '/till/customers')
    picker.assertStatus(200)
    assert.include(picker.text(), 'hx-get="/till/customers/search"')
    assert.include(picker.text(), 'hx-post="/till/customers"')

    for (const q of ['mar', 'curie', `marie.${fixture.tag}`, '+3312', '3312']) {
      const found = await till(client, fixture, 'get', '/till/customers/search').qs({ q })
      assert.include(found.text(), `"customer_id": ${customer.id}`, `search "${q}"`)
    }
    const none = await till(client, fixture, 'get', '/till/customers/search').qs({ q: 'zzz-nobody' })
    assert.include(none.text(), 'No customer matches')

    const attached = await till(client, fixture, 'post', '/till/customer').form({ customer_id: customer.id })
    attached.assertStatus(200)
    assert.include(attached.text(), 'id="cart-panel"')
    assert.include(attached.text(), `data-customer-id="${customer.id}">Marie Curie<`)
    assert.equal((await openCart(fixture)).customer_id, customer.id)
    // a reload of the till shows them too
    const page = await client.get('/till').loginAs(fixture.users.cashier).withCookie(REGISTER_COOKIE, String(fixture.register.id))
    assert.include(page.text(), 'Marie Curie')

    const detached = await till(client, fixture, 'delete', '/till/customer')
    detached.assertStatus(200)
    assert.include(detached.text(), 'No customer')
    assert.isNull((await openCart(fixture)).customer_id)
  })

  test('quick-create with a name only attaches the new customer; bad input writes nothing', async ({ client, assert }) => {
    const fixture = await createStore()
    const created = await till(client, fixture, 'post', '/till/customers').form({ name: 'Walk In Wanda', email: '', phone: '' })
    created.assertStatus(200)
    const customer = await Customer.query().where({ store_id: fixture.store.id, name: 'Walk In Wanda' }).firstOrFail()
    assert.isNull(customer.email)
    assert.isNull(customer.phone)
    assert.equal((await openCart(fixture)).customer_id, customer.id)
    assert.include(created.text(), 'Walk In Wanda')

    const bad = await till(client, fixture, 'post', '/till/customers').form({ name: '', email: 'nope', phone: 'abc' })
    bad.assertStatus(422)
    bad.assertHeader('hx-retarget', '#till-message')
    assert.equal(await countRows('customers', { store_id: fixture.store.id }), 1)
  })

  test('a customer of another store, or an erased one, cannot be attached', async ({ client, assert }) => {
    const fixture = await createStore()
    const other = await createStore()
    const stranger = await createCustomer(other)
    const refused = await till(client, fixture, 'post', '/till/customer').form({ customer_id: stranger.id })
    refused.assertStatus(404)
    refused.assertHeader('hx-retarget', '#till-message')

    const gone = await createCustomer(fixture, { name: 'Gone Person' })
    await new CustomerPrivacyService().erase(fixture.store, gone.id, { user: fixture.users.admin })
    const search = await till(client, fixture, 'get', '/till/customers/search').qs({ q: 'erased' })
    assert.notInclude(search.text(), `"customer_id": ${gone.id}`)
    const erased = await till(client, fixture, 'post', '/till/customer').form({ customer_id: gone.id })
    erased.assertStatus(409)
    assert.include(erased.text(), 'was erased')
    const cart = await openCart(fixture)
    assert.isTrue(!cart || cart.customer_id === null)
  })

  test('the receipt shows the first name only', async ({ client, assert }) => {
    const fixture = await createStore()
    const product = await createProduct(fixture, { price: 500 })
    const customer = await createCustomer(fixture, { name: 'Katherine Johnson', phone: '+15550001111' })
    await till(client, fixture, 'post', '/till/items').form({ product_id: product.id })
    await till(client, fixture, 'post', '/till/customer').form({ customer_id: customer.id })
    const done = await till(client, fixture, 'post', '/till/payments').form({ method: 'cash', tendered: '10.00' })
    done.assertStatus(200)
    assert.include(done.text(), 'Thank you, Katherine!')
    assert.notInclude(done.text(), 'Johnson')
    assert.notInclude(done.text(), '5550001111')
    const sale = await db.from('sales').where({ register_id: fixture.register.id, status: 'completed' }).firstOrFail()
    assert.equal(sale.customer_id, customer.id)
    const receipt = await client.get(`/till/receipts/${sale.id}`).loginAs(fixture.users.cashier)
    assert.include(receipt.text(), 'Katherine')
    assert.notInclude(receipt.text(), 'Johnson')
  })

  test('an accountant cannot use the till’s customer actions', async ({ client }) => {
    const fixture = await createStore()
    const customer = await createCustomer(fixture)
    ;(await till(client, fixture, 'get', '/till/customers/search', 'accountant').qs({ q: 'jane' })).assertStatus(403)
    ;(await till(client, fixture, 'post', '/till/customer', 'accountant').form({ customer_id: customer.id })).assertStatus(403)
  })
})
