import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { apiToken, countRows, createProduct, createStore, stockOf } from '#tests/fixtures'

/*
| Cash through the API goes into a register's drawer, so it needs that register's shift open, as at
| the till: an API cash sale (one call, or an open sale paid in cash) on a register with no open
| shift is refused (409 no_open_shift). Before, it completed with no shift, and its cash was in no
| Z report. Card and other payments still sell on a register without a shift. The refusal names
| the tender sent when that is the cash (payment_method, method), and no field when the cash was
| taken before and only a shift opened on the register lets the sale complete.
*/
test.group('API: cash needs an open shift', () => {
  test('a one-call cash sale on a register without a shift is refused and writes nothing; by card it sells; with a shift opened, cash sells in it', async ({ client, assert }) => {
    const fixture = await createStore()
    const tea = await createProduct(fixture, { price: 450, stock: 20 })
    const cashier = await apiToken(client, fixture.users.cashier)
    const register2 = await db.from('registers').where('store_id', fixture.store.id).whereNot('id', fixture.register.id).firstOrFail()
    const sell = (paymentMethod: string) =>
      client.post('/api/sales').bearerToken(cashier).json({ register_id: register2.id, items: [{ product_id: tea.id, quantity: 2 }], payment_method: paymentMethod, tendered: paymentMethod === 'cash' ? 1000 : undefined })

    const refused = await sell('cash')
    refused.assertStatus(409)
    assert.equal(refused.body().errors[0].code, 'no_open_shift')
    assert.include(refused.body().errors[0].message, 'open a shift')
    // At the tender sent, as the refund's cash back names its method: by card it sells
    assert.equal(refused.body().errors[0].field, 'payment_method')
    assert.equal(await countRows('sales', { register_id: register2.id }), 0)
    assert.equal(await stockOf(tea.id), 20)

    const byCard = await sell('card_external')
    byCard.assertStatus(201)
    assert.isNull((await db.from('sales').where('id', byCard.body().id).first()).shift_id)

    const shift = await client.post('/api/shifts').bearerToken(cashier).json({ register_id: register2.id, float: 0 })
    shift.assertStatus(201)
    const inCash = await sell('cash')
    inCash.assertStatus(201)
    assert.equal((await db.from('sales').where('id', inCash.body().id).first()).shift_id, shift.body().id)
  })

  test('an open API sale: cash, in part or in full, is refused on a register without a shift; a card completes it; cash taken before its shift closed is refused at completion', async ({ client, assert }) => {
    const fixture = await createStore()
    const tea = await createProduct(fixture, { price: 450, stock: 20 })
    const cashier = await apiToken(client, fixture.users.cashier)
    const register2 = await db.from('registers').where('store_id', fixture.store.id).whereNot('id', fixture.register.id).firstOrFail()
    const open = async (registerId: number) => {
      const opened = await client.post('/api/sales').bearerToken(cashier).json({ register_id: registerId, items: [{ product_id: tea.id, quantity: 2 }] })
      opened.assertStatus(201)
      return { id: opened.body().id as number, total: opened.body().total as number }
    }
    const pay = (saleId: number, method: string, amount: number) => client.post('/api/payments').bearerToken(cashier).json({ sale_id: saleId, method, amount, tendered: method === 'cash' ? amount : undefined })

    const { id: saleId, total } = await open(register2.id)
    for (const amount of [100, total]) {
      const refused = await pay(saleId, 'cash', amount)
      refused.assertStatus(409)
      assert.deepInclude(refused.body().errors[0], { code: 'no_open_shift', field: 'method' })
    }
    assert.equal(await countRows('payments', { sale_id: saleId }), 0)
    ;(await pay(saleId, 'card_external', total)).assertStatus(201)
    assert.equal((await db.from('sales').where('id', saleId).first()).status, 'completed')

    // Cash taken in part while register 1's shift was open; the shift closed since: the sale does
    // not complete outside a shift (the cash would be in no Z report)
    const { id: partly } = await open(fixture.register.id)
    ;(await pay(partly, 'cash', 100)).assertStatus(201)
    const shift = await db.from('shifts').where({ register_id: fixture.register.id, status: 'open' }).firstOrFail()
    ;(await client.post(`/api/shifts/${shift.id}/close`).bearerToken(cashier).json({ counts: { '100': 1 } })).assertStatus(200)
    const rest = await pay(partly, 'card_external', total - 100)
    rest.assertStatus(409)
    assert.equal(rest.body().errors[0].code, 'no_open_shift')
    // Nothing in this request is what needs the shift (the cash was taken before): no field
    assert.notProperty(rest.body().errors[0], 'field')
    assert.equal((await db.from('sales').where('id', partly).first()).status, 'open')
  })

  test('an exchange whose difference is paid in cash on a register without a shift is refused at its payment_method', async ({ client, assert }) => {
    const fixture = await createStore()
    const tea = await createProduct(fixture, { price: 450, stock: 20 })
    const pot = await createProduct(fixture, { price: 2000, stock: 20 })
    const cashier = await apiToken(client, fixture.users.cashier)
    const register2 = await db.from('registers').where('store_id', fixture.store.id).whereNot('id', fixture.register.id).firstOrFail()
    const sale = await client.post('/api/sales').bearerToken(cashier).json({ register_id: register2.id, items: [{ product_id: tea.id, quantity: 1 }], payment_method: 'card_external' })
    sale.assertStatus(201)
    const refused = await client.post(`/api/sales/${sale.body().id}/exchanges`).bearerToken(cashier).json({
      return_items: [{ sale_item_id: sale.body().items[0].id, quantity: 1 }],
      items: [{ product_id: pot.id, quantity: 1 }],
      payment_method: 'cash',
      tendered: 5000,
      reason: 'Wrong size',
    })
    refused.assertStatus(409)
    assert.deepInclude(refused.body().errors[0], { code: 'no_open_shift', field: 'payment_method' })
    assert.equal(await countRows('refunds', { sale_id: sale.body().id }), 0)
  })
})
