import { test } from '@japa/runner'
import { randomUUID } from 'node:crypto'
import Customer from '#models/customer'
import { apiToken, countRows, createProduct, createStore, errorFields } from '#tests/fixtures'
import CustomerPrivacyService from '#customers/customer_privacy_service'
import { createCustomer, sellTo } from '#tests/functional/customers/helpers'

test.group('API customers', () => {
  test('POST creates (idempotently), GET finds by name, email and phone prefix', async ({ client, assert }) => {
    const fixture = await createStore()
    const token = await apiToken(client, fixture.users.cashier)
    const key = randomUUID()
    const body = { name: 'Rosalind Franklin', email: `Rosalind.${fixture.tag}@Example.test`, phone: '+44 20 7946 0958', notes: 'Loyalty card 42' }
    const created = await client.post('/api/customers').bearerToken(token).header('idempotency-key', key).json(body)
    created.assertStatus(201)
    assert.containsSubset(created.body(), { name: 'Rosalind Franklin', email: `rosalind.${fixture.tag}@example.test`, phone: '+442079460958', notes: 'Loyalty card 42', erased: false })
    const replay = await client.post('/api/customers').bearerToken(token).header('idempotency-key', key).json(body)
    replay.assertStatus(201)
    replay.assertHeader('idempotent-replayed', 'true')
    assert.equal(replay.body().id, created.body().id)
    assert.equal(await countRows('customers', { store_id: fixture.store.id }), 1)
    const conflict = await client.post('/api/customers').bearerToken(token).header('idempotency-key', key).json({ ...body, name: 'Other' })
    conflict.assertStatus(409)

    await createCustomer(fixture, { name: 'Someone Else', email: null })
    for (const search of ['ros', 'frank', `rosalind.${fixture.tag}`, '+4420', '4420 79']) {
      const list = await client.get('/api/customers').qs({ search }).bearerToken(token)
      list.assertStatus(200)
      assert.deepEqual(list.body().data.map((c: any) => c.id), [created.body().id], `search "${search}"`)
    }
    const all = await client.get('/api/customers').qs({ per_page: 1 }).bearerToken(token)
    assert.deepEqual(all.body().meta, { total: 2, per_page: 1, current_page: 1, last_page: 2 })
  })

  test('validation errors name their fields; a taken email is a 422 on email', async ({ client, assert }) => {
    const fixture = await createStore()
    const token = await apiToken(client, fixture.users.manager)
    const existing = await createCustomer(fixture)
    const bad = await client.post('/api/customers').bearerToken(token).json({ name: '', email: 'a@b', phone: '12-ab-34' })
    bad.assertStatus(422)
    assert.sameMembers(errorFields(bad), ['name', 'email', 'phone'])
    const tooShort = await client.post('/api/customers').bearerToken(token).json({ name: 'Short Phone', phone: '12345' })
    assert.deepEqual(errorFields(tooShort), ['phone'])
    const taken = await client.post('/api/customers').bearerToken(token).json({ name: 'Dup', email: existing.email })
    taken.assertStatus(422)
    assert.containsSubset(taken.body().errors, [{ field: 'email', code: 'duplicate_email' }])
    assert.equal(await countRows('customers', { store_id: fixture.store.id }), 1)
  })

  test('PUT changes what is sent, clears with null, refuses a blank name', async ({ client, assert }) => {
    const fixture = await createStore()
    const token = await apiToken(client, fixture.users.cashier)
    const customer = await createCustomer(fixture, { name: 'Lise Meitner', phone: '+4930123456', notes: 'note' })
    const updated = await client.put(`/api/customers/${customer.id}`).bearerToken(token).json({ phone: null, notes: 'new note' })
    updated.assertStatus(200)
    assert.containsSubset(updated.body(), { name: 'Lise Meitner', email: customer.email, phone: null, notes: 'new note' })
    const blank = await client.put(`/api/customers/${customer.id}`).bearerToken(token).json({ name: '' })
    blank.assertStatus(422)
    assert.deepEqual(errorFields(blank), ['name'])
    const other = await createStore()
    const foreign = await client.put(`/api/customers/${customer.id}`).bearerToken(await apiToken(client, other.users.admin)).json({ name: 'Hijack' })
    foreign.assertStatus(404)
    await customer.refresh()
    assert.equal(customer.name, 'Lise Meitner')
  })

  test('GET /api/customers/{id} has the purchase history; POST /api/sales takes customer_id', async ({ client, assert }) => {
    const fixture = await createStore()
    const token = await apiToken(client, fixture.users.cashier)
    const product = await createProduct(fixture, { price: 1000 })
    const customer = await createCustomer(fixture)
    const earlier = await sellTo(fixture, customer, [{ product, quantity: 1 }])
    const sale = await client
      .post('/api/sales')
      .bearerToken(token)
      .header('idempotency-key', randomUUID())
      .json({ items: [{ product_id: product.id, quantity: 2 }], payment_method: 'cash', tendered: 5000, customer_id: customer.id })
    sale.assertStatus(201)
    assert.equal(sale.body().customer_id, customer.id)
    await sellTo(fixture, null, [{ product, quantity: 3 }])

    const detail = await client.get(`/api/customers/${customer.id}`).bearerToken(token)
    detail.assertStatus(200)
    const purchases = detail.body().purchases
    assert.equal(purchases.count, 2)
    assert.equal(purchases.total, 1080 + 2160)
    assert.deepEqual(purchases.data.map((p: any) => p.id), [sale.body().id, earlier.id])
    assert.containsSubset(purchases.data[0], { status: 'completed', total: 2160, number: sale.body().number })
    assert.equal(purchases.meta.total, 2)
  })

  test('roles: an accountant is refused (403); another store’s customer is a 404', async ({ client, assert }) => {
    const fixture = await createStore()
    const customer = await createCustomer(fixture)
    const token = await apiToken(client, fixture.users.accountant)
    ;(await client.get('/api/customers').bearerToken(token)).assertStatus(403)
    ;(await client.get(`/api/customers/${customer.id}`).bearerToken(token)).assertStatus(403)
    ;(await client.post('/api/customers').bearerToken(token).json({ name: 'Nope' })).assertStatus(403)
    ;(await client.put(`/api/customers/${customer.id}`).bearerToken(token).json({ name: 'Nope' })).assertStatus(403)
    ;(await client.get('/api/customers')).assertStatus(401)
    const other = await createStore()
    ;(await client.get(`/api/customers/${customer.id}`).bearerToken(await apiToken(client, other.users.cashier))).assertStatus(404)
    assert.equal(await countRows('customers', { name: 'Nope' }), 0)
  })

  test('an erased customer reads anonymised, cannot be edited nor put on a sale', async ({ client, assert }) => {
    const fixture = await createStore()
    const token = await apiToken(client, fixture.users.cashier)
    const product = await createProduct(fixture)
    const created = await client.post('/api/customers').bearerToken(token).header('idempotency-key', 'erase-me-key-1').json({ name: 'Tim Berners', email: `tim.${fixture.tag}@example.test` })
    const id = created.body().id
    await new CustomerPrivacyService().erase(fixture.store, id, { user: fixture.users.admin })

    const read = await client.get(`/api/customers/${id}`).bearerToken(token)
    assert.containsSubset(read.body(), { name: `Erased customer #${id}`, email: null, phone: null, notes: null, erased: true })
    // a replayed create answers the anonymised record, not the personal data it once held
    const replay = await client.post('/api/customers').bearerToken(token).header('idempotency-key', 'erase-me-key-1').json({ name: 'Tim Berners', email: `tim.${fixture.tag}@example.test` })
    assert.notInclude(JSON.stringify(replay.body()), 'Tim')
    const search = await client.get('/api/customers').qs({ search: 'erased' }).bearerToken(token)
    assert.lengthOf(search.body().data, 0)

    const edit = await client.put(`/api/customers/${id}`).bearerToken(token).json({ name: 'Back Again' })
    edit.assertStatus(409)
    assert.equal(edit.body().errors[0].code, 'customer_erased')
    const sale = await client.post('/api/sales').bearerToken(token).json({ items: [{ product_id: product.id, quantity: 1 }], customer_id: id })
    sale.assertStatus(409)
    assert.containsSubset(sale.body().errors, [{ field: 'customer_id', code: 'customer_erased' }])
    assert.equal(await countRows('sales', { store_id: fixture.store.id }), 0)
    assert.equal((await Customer.findOrFail(id)).name, `Erased customer #${id}`)
  })
})
