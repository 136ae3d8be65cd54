import { test } from '@japa/runner'
import { randomUUID } from 'node:crypto'
import db from '@adonisjs/lucid/services/db'
import Register from '#models/register'
import { apiToken, cashIntoDrawer, countRows, createProduct, createStore, ledgerSum, stockOf, type TestStore } from '#tests/fixtures'
import { REGISTER_COOKIE } from '#sales/till_screen_service'
import { TILL_DEVICE_COOKIE } from '#staff/actor'
import { pluginHost } from '#plugins/host'
import { pluginPost, resetPlugins, useFolders } from '#tests/functional/plugins/helpers'
import { TestDevice } from './device.js'

/*
| The lease guards a register online too: while a till holds a register for offline selling, an
| online sale on it from any other device (another till's page, an API client without the holder's
| device id) is refused with 409 register_leased naming the holder, and nothing is written. The
| holder itself sells as always; a register without a lease is anyone's, as before.
*/

function apiSale(client: any, token: string, fixture: TestStore, productId: number, device?: string) {
  const request = client.post('/api/sales').bearerToken(token).header('idempotency-key', randomUUID())
  if (device) request.header('X-Till-Device', device)
  return request.json({ items: [{ product_id: productId, quantity: 1 }], payment_method: 'cash', register_id: fixture.register.id })
}

/** A till request as htmx sends it, from the page of the device `device` (none: a page that has no device id) */
function till(client: any, fixture: TestStore, url: string, device?: string) {
  const request = client.post(url).loginAs(fixture.users.cashier).withCsrfToken().withCookie(REGISTER_COOKIE, String(fixture.register.id)).header('HX-Request', 'true')
  if (device) request.header('X-Till-Device', device)
  return request
}

async function completed(fixture: TestStore) {
  return countRows('sales', { register_id: fixture.register.id, status: 'completed' })
}

test.group('Offline till: the lease refuses online sales from other devices', () => {
  test('API: refused without the holder device id or with another one, 409 naming the holder; the holder sells; nothing is written', async ({ client, assert }) => {
    const fixture = await createStore()
    const tea = await createProduct(fixture, { price: 450, stock: 20 })
    const token = await apiToken(client, fixture.users.manager)
    const holder = new TestDevice(fixture)
    ;(await holder.takeLease(client)).assertStatus(200)

    for (const device of [undefined, randomUUID()]) {
      const refused = await apiSale(client, token, fixture, tea.id, device)
      refused.assertStatus(409)
      const error = refused.body().errors[0]
      assert.equal(error.code, 'register_leased')
      assert.equal(error.field, 'register_id')
      assert.include(error.message, `Register 1 is held for offline selling by another till (${fixture.users.cashier.name}'s), last heard of `)
      // On the store's clock (New York), as the staff read every other time
      assert.match(error.message, /last heard of \d{4}-\d\d-\d\d \d\d:\d\d E[SD]T\./)
      assert.include(error.message, 'ask a manager to release the register under Offline sales')
    }
    assert.equal(await completed(fixture), 0)
    assert.equal(await countRows('sales', { register_id: fixture.register.id }), 0)
    assert.equal(await stockOf(tea.id), 20)
    assert.equal(await ledgerSum(tea.id), 20)
    assert.equal((await db.from('registers').where('id', fixture.register.id).first()).last_sale_number, 0)

    const own = await apiSale(client, token, fixture, tea.id, holder.deviceId)
    own.assertStatus(201)
    assert.equal(own.body().number, 1)
    assert.equal(await stockOf(tea.id), 19)

    // An open API sale (no payment yet) is not numbered; its payment completes it, under the same rule
    const open = await client.post('/api/sales').bearerToken(token).header('idempotency-key', randomUUID()).json({ items: [{ product_id: tea.id, quantity: 1 }], register_id: fixture.register.id })
    open.assertStatus(201)
    const pay = (device?: string) => {
      const request = client.post('/api/payments').bearerToken(token).header('idempotency-key', randomUUID())
      if (device) request.header('X-Till-Device', device)
      return request.json({ sale_id: open.body().id, method: 'cash', amount: open.body().total, tendered: 10_000 })
    }
    const refusedPayment = await pay()
    refusedPayment.assertStatus(409)
    assert.equal(refusedPayment.body().errors[0].code, 'register_leased')
    ;(await pay(holder.deviceId)).assertStatus(201)
    assert.equal(await completed(fixture), 2)
  })

  test('refunds, returns without a receipt and voids on a held register are refused from other devices; from another register\u2019s drawer or by the holder they go through', async ({ client, assert }) => {
    const fixture = await createStore()
    const tea = await createProduct(fixture, { price: 450, stock: 20 })
    const token = await apiToken(client, fixture.users.manager)
    const sold = await apiSale(client, token, fixture, tea.id)
    sold.assertStatus(201)
    const sale = sold.body()
    const holder = new TestDevice(fixture)
    ;(await holder.takeLease(client)).assertStatus(200)
    const head = async () => (await db.from('registers').where('id', fixture.register.id).first()).last_sale_hash
    const headBefore = await head()

    const post = (url: string, body: unknown, device?: string) => {
      const request = client.post(url).bearerToken(token).header('idempotency-key', randomUUID())
      if (device) request.header('X-Till-Device', device)
      return request.json(body)
    }
    const refund = (device?: string, registerId?: number) =>
      post(`/api/sales/${sale.id}/refunds`, { items: [{ sale_item_id: sale.items[0].id, quantity: 1 }], reason: 'Broken', ...(registerId ? { register_id: registerId } : {}) }, device)
    const withoutReceipt = (device?: string) => post('/api/refunds', { items: [{ product_id: tea.id, quantity: 1 }], reason: 'No receipt', register_id: fixture.register.id }, device)
    const voidSale = (device?: string) => post(`/api/sales/${sale.id}/void`, { reason: 'Rung up twice' }, device)

    // Each would be the next link of the register's chain, which the holder's offline sales link to
    for (const device of [undefined, randomUUID()]) {
      for (const attempt of [refund, withoutReceipt, voidSale]) {
        const refused = await attempt(device)
        refused.assertStatus(409)
        assert.equal(refused.body().errors[0].code, 'register_leased')
        assert.include(refused.body().errors[0].message, 'Make it on that till (or pay the refund from another register)')
      }
    }
    assert.equal(await countRows('refunds', { store_id: fixture.store.id }), 0)
    assert.equal((await db.from('sales').where('id', sale.id).first()).status, 'completed')
    assert.equal(await head(), headBefore)
    assert.equal(await stockOf(tea.id), 19)

    // Paid from another register's drawer: that register's chain takes it
    const second = await Register.create({ storeId: fixture.store.id, name: 'Register 2', lastSaleNumber: 0 })
    await cashIntoDrawer(fixture, 10_000, second.id)
    await cashIntoDrawer(fixture, 10_000)
    ;(await refund(undefined, second.id)).assertStatus(201)
    assert.equal(await head(), headBefore)
    // The holder itself
    ;(await withoutReceipt(holder.deviceId)).assertStatus(201)
    assert.notEqual(await head(), headBefore)
    assert.equal(await stockOf(tea.id), 21)
    assert.equal(await ledgerSum(tea.id), 21)
  })

  test('the holder\u2019s page posting a form before htmx took it over (no device header) is known by its device cookie', async ({ client, assert }) => {
    const fixture = await createStore()
    const tea = await createProduct(fixture, { price: 450, stock: 20 })
    const token = await apiToken(client, fixture.users.manager)
    const holder = new TestDevice(fixture)
    const sold = await apiSale(client, token, fixture, tea.id)
    ;(await holder.takeLease(client)).assertStatus(200)
    const refund = (cookie?: string) => {
      const request = client.post(`/till/returns/${sold.body().id}`).loginAs(fixture.users.cashier).withCsrfToken().withCookie(REGISTER_COOKIE, String(fixture.register.id)).redirects(0)
      // As the till's script writes it (document.cookie): raw text, neither signed nor encoded
      if (cookie) request.cookiesJar[TILL_DEVICE_COOKIE] = { name: TILL_DEVICE_COOKIE, value: cookie }
      return request.form({ 'items[0][sale_item_id]': String(sold.body().items[0].id), 'items[0][quantity]': '1', reason: 'Broken' })
    }
    // Another device's cookie, or none: refused as before
    for (const cookie of [undefined, randomUUID()]) {
      const refused = await refund(cookie)
      assert.notEqual(refused.status(), 200)
      assert.equal(await countRows('refunds', { store_id: fixture.store.id }), 0)
    }
    // It was refused as "held by another till", that is by this very one
    const own = await refund(holder.deviceId)
    own.assertStatus(200)
    assert.include(own.text(), 'Refund')
    assert.equal(await countRows('refunds', { store_id: fixture.store.id }), 1)
  })

  test('a register without a lease sells as before, with or without a device id; released, it is anyone\'s again', async ({ client, assert }) => {
    const fixture = await createStore()
    const tea = await createProduct(fixture, { price: 450, stock: 20 })
    const token = await apiToken(client, fixture.users.cashier)
    ;(await apiSale(client, token, fixture, tea.id)).assertStatus(201)
    ;(await apiSale(client, token, fixture, tea.id, randomUUID())).assertStatus(201)

    const holder = new TestDevice(fixture)
    await holder.takeLease(client)
    ;(await apiSale(client, token, fixture, tea.id)).assertStatus(409)
    ;(await client.post(`/backoffice/offline/registers/${fixture.register.id}/release`).loginAs(fixture.users.manager).withCsrfToken().redirects(0)).assertStatus(302)
    const after = await apiSale(client, token, fixture, tea.id)
    after.assertStatus(201)
    assert.equal(after.body().number, 3)
    assert.equal(await stockOf(tea.id), await ledgerSum(tea.id))
  })

  test('till page: the holder device completes its sale; another device, or a page without one, is told why in the message area and keeps its cart', async ({ client, assert }) => {
    const fixture = await createStore()
    const cake = await createProduct(fixture, { name: 'Lemon Cake', price: 1000, stock: 10 })
    const holder = new TestDevice(fixture)
    ;(await holder.takeLease(client)).assertStatus(200)

    ;(await till(client, fixture, '/till/items').form({ product_id: cake.id })).assertStatus(200)
    for (const device of [randomUUID(), undefined]) {
      const refused = await till(client, fixture, '/till/payments', device).form({ method: 'cash', tendered: '20.00' })
      refused.assertStatus(409)
      refused.assertHeader('hx-retarget', '#till-message')
      assert.include(refused.text(), 'is held for offline selling by another till')
      assert.include(refused.text(), 'Offline sales')
    }
    // Nothing half-way: the cart is still open with its line and no payment
    const open = await db.from('sales').where({ register_id: fixture.register.id, status: 'open' }).firstOrFail()
    assert.equal(await countRows('payments', { sale_id: open.id }), 0)
    assert.equal(await countRows('sale_items', { sale_id: open.id }), 1)
    assert.equal(await stockOf(cake.id), 10)

    const done = await till(client, fixture, '/till/payments', holder.deviceId).form({ method: 'cash', tendered: '20.00' })
    done.assertStatus(200)
    assert.include(done.text(), 'completed')
    const sale = await db.from('sales').where({ register_id: fixture.register.id, status: 'completed' }).firstOrFail()
    assert.equal(sale.number, 1)
    assert.equal(await stockOf(cake.id), 9)
    assert.equal(await ledgerSum(cake.id), 9)
  })

  test('till page on a register without a lease: a sale completes with any device id or none', async ({ client, assert }) => {
    const fixture = await createStore()
    const cake = await createProduct(fixture, { price: 1000, stock: 10 })
    for (const device of [undefined, randomUUID()]) {
      await till(client, fixture, '/till/items', device).form({ product_id: cake.id })
      ;(await till(client, fixture, '/till/payments', device).form({ method: 'cash', tendered: '20.00' })).assertStatus(200)
    }
    assert.equal(await completed(fixture), 2)
  })
})

test.group('Offline till: the lease refuses a card payment before the card is charged', (group) => {
  group.each.setup(() => useFolders())
  group.each.teardown(() => resetPlugins())

  test('a gateway payment on a register another device holds is refused at its start, with no payment row; the holder pays', async ({ client, assert }) => {
    const fixture = await createStore({ chainAdmin: true })
    ;(await pluginPost(client, fixture.users.admin, '/backoffice/plugins/manual-card/enable')).assertStatus(302)
    assert.equal(pluginHost.get('manual-card').state, 'enabled')
    const product = await createProduct(fixture, { price: 1250, taxClass: 'zero' })
    const holder = new TestDevice(fixture)
    ;(await holder.takeLease(client)).assertStatus(200)
    ;(await till(client, fixture, '/till/items', holder.deviceId).form({ product_id: product.id })).assertStatus(200)
    const sale = await db.from('sales').where({ register_id: fixture.register.id, status: 'open' }).firstOrFail()

    const refused = await till(client, fixture, '/till/gateway-payments', randomUUID()).form({ method: 'manual_card', amount: '12.50', approval_code: 'A1B2C3' })
    refused.assertStatus(409)
    assert.include(refused.text(), 'is held for offline selling by another till')
    assert.equal(await countRows('payments', { sale_id: sale.id }), 0)

    const paid = await till(client, fixture, '/till/gateway-payments', holder.deviceId).form({ method: 'manual_card', amount: '12.50', approval_code: 'A1B2C3' })
    paid.assertStatus(200)
    assert.include(paid.text(), 'data-completed-sale')
  })
})
