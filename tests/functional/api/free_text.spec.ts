import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import Store from '#models/store'
import { apiToken, countRows, createProduct, createStore, errorFields, PINS } from '#tests/fixtures'
import { submit } from '#tests/functional/backoffice/helpers'
import { completedSale, returnsFootprint } from '#tests/functional/returns/helpers'
import { REGISTER_COOKIE } from '#sales/till_screen_service'

/*
| Free texts people type (a refund's or a void's reason, a stock note, a customer's notes) hold no
| control character and no text-direction override, whichever way they come in: the API's
| validators, the till's and the back office's forms (which reach the services without them).
| A reason made only of a NUL passed "a reason is required" and was stored.
*/

const HOSTILE = ['\u0000', 'Bank\u202Eknab']

test.group('Free text: no control characters nor text-direction overrides', () => {
  test('a refund, a refund without receipt and a void refuse such a reason, on the API and on the forms, writing nothing', async ({ client, assert }) => {
    const fixture = await createStore()
    const tea = await createProduct(fixture, { price: 500, stock: 10 })
    const cashier = await apiToken(client, fixture.users.cashier)
    const manager = await apiToken(client, fixture.users.manager)
    const sale = await completedSale(client, cashier, [{ product_id: tea.id, quantity: 2 }])
    const line = sale.items[0]
    const before = await returnsFootprint(fixture)

    for (const reason of HOSTILE) {
      const refund = await client.post(`/api/sales/${sale.id}/refunds`).bearerToken(cashier).json({ items: [{ sale_item_id: line.id, quantity: 1 }], reason })
      refund.assertStatus(422)
      assert.deepEqual(errorFields(refund), ['reason'], JSON.stringify(reason))
      const noReceipt = await client.post('/api/refunds').bearerToken(manager).json({ items: [{ product_id: tea.id, quantity: 1 }], reason, manager_pin: PINS.manager })
      noReceipt.assertStatus(422)
      assert.deepEqual(errorFields(noReceipt), ['reason'], JSON.stringify(reason))
      const voided = await client.post(`/api/sales/${sale.id}/void`).bearerToken(manager).json({ reason })
      voided.assertStatus(422)
      assert.deepEqual(errorFields(voided), ['reason'], JSON.stringify(reason))

      // The till's return form and the back office's void form call the services without a validator
      const till = await client.post(`/till/returns/${sale.id}`).json({ items: [{ sale_item_id: line.id, quantity: 1 }], reason })
        .loginAs(fixture.users.cashier).withCsrfToken().withCookie(REGISTER_COOKIE, String(fixture.register.id)).header('HX-Request', 'true')
      till.assertStatus(422)
      assert.include(till.text(), 'A reason may not hold control characters or text-direction overrides')
      const page = `/backoffice/sales/${sale.id}`
      const form = await submit(client, fixture.users.manager, 'post', `${page}/void`, { reason }, page)
      form.assertStatus(302)
      assert.equal(form.header('location'), page)
    }
    assert.deepEqual(await returnsFootprint(fixture), before)
    assert.equal((await db.from('sales').where('id', sale.id).first()).status, 'completed')
  })

  test('stock receipts, adjustments and transfers refuse such a note (API and back-office form); a note may keep its line breaks', async ({ client, assert }) => {
    const fixture = await createStore()
    const other = await createStore()
    const tea = await createProduct(fixture, { sku: `TEA-${fixture.tag}`, stock: 10 })
    await createProduct(other, { sku: `TEA-${fixture.tag}`, stock: 0 })
    const manager = await apiToken(client, fixture.users.manager)
    const movements = await countRows('stock_movements', { store_id: fixture.store.id })

    for (const note of HOSTILE) {
      const bodies: [string, Record<string, unknown>][] = [
        ['/api/stock/receipts', { supplier: 'Acme', note, items: [{ product_id: tea.id, quantity: 1, unit_cost: 100 }] }],
        ['/api/stock/adjustments', { reason: 'damaged', note, items: [{ product_id: tea.id, quantity: -1 }] }],
        ['/api/stock/transfers', { to_store_id: other.store.id, note, items: [{ product_id: tea.id, quantity: 1 }] }],
      ]
      for (const [path, body] of bodies) {
        const response = await client.post(path).bearerToken(manager).json(body)
        response.assertStatus(422)
        assert.deepEqual(errorFields(response), ['note'], `${path} ${JSON.stringify(note)}`)
      }
      const form = await submit(client, fixture.users.manager, 'post', '/backoffice/stock/adjustments', { reason: 'damaged', note, 'items[0][code]': tea.sku, 'items[0][quantity]': '-1' }, '/backoffice/stock/adjustments/new')
      form.assertStatus(302)
      assert.deepEqual(form.flashMessages().inputErrorsBag?.note, ['A note may not hold control characters or text-direction overrides'])
    }
    assert.equal(await countRows('stock_movements', { store_id: fixture.store.id }), movements)

    const lines = await client.post('/api/stock/adjustments').bearerToken(manager).json({ reason: 'damaged', note: 'Dropped\nby the door', items: [{ product_id: tea.id, quantity: -1 }] })
    lines.assertStatus(201)
    assert.equal((await db.from('stock_adjustments').where('store_id', fixture.store.id).first()).note, 'Dropped\nby the door')
  })

  test('a customer’s notes refuse them too, on create and on update', async ({ client, assert }) => {
    const fixture = await createStore()
    const cashier = await apiToken(client, fixture.users.cashier)
    for (const notes of HOSTILE) {
      const created = await client.post('/api/customers').bearerToken(cashier).json({ name: 'Ada', notes })
      created.assertStatus(422)
      assert.deepEqual(errorFields(created), ['notes'], JSON.stringify(notes))
    }
    assert.equal(await countRows('customers', { store_id: fixture.store.id }), 0)
    const ada = await client.post('/api/customers').bearerToken(cashier).json({ name: 'Ada', notes: 'Prefers\nemail' })
    ada.assertStatus(201)
    const updated = await client.put(`/api/customers/${ada.body().id}`).bearerToken(cashier).json({ notes: '\u0000' })
    updated.assertStatus(422)
    assert.deepEqual(errorFields(updated), ['notes'])
    assert.equal((await db.from('customers').where('id', ada.body().id).first()).notes, 'Prefers\nemail')
  })
  test('a store’s address and receipt footer, printed on every receipt, refuse them too', async ({ client, assert }) => {
    const fixture = await createStore()
    const edit = `/backoffice/stores/${fixture.store.id}/edit`
    const form = (fields: Record<string, string>) => ({ name: fixture.store.name, currency: 'USD', time_zone: 'America/New_York', cash_rounding: '1', ...fields })
    for (const text of HOSTILE) {
      const refused = await submit(client, fixture.users.admin, 'put', `/backoffice/stores/${fixture.store.id}`, form({ address: `1 Main St${text}`, receipt_footer: `Thanks${text}` }), edit)
      refused.assertStatus(302)
      assert.equal(refused.header('location'), edit)
      assert.sameMembers(Object.keys(refused.flashMessages().inputErrorsBag ?? {}), ['address', 'receipt_footer'], JSON.stringify(text))
    }
    const store = await Store.findOrFail(fixture.store.id)
    assert.equal(store.address, '1 Test Street')
    assert.isNull(store.receiptFooter)
  })
})
