import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { createProduct, createStore, type TestStore } from '#tests/fixtures'
import { REGISTER_COOKIE } from '#sales/till_screen_service'

function till(client: any, fixture: TestStore, method: 'get' | 'post', url: string) {
  return client[method](url).loginAs(fixture.users.cashier).withCsrfToken().withCookie(REGISTER_COOKIE, String(fixture.register.id)).header('HX-Request', 'true')
}

test.group('Till: a rest that cash rounds to nothing', () => {
  test('a card leaving 2 cents in a store that rounds cash to 5: Exact (0.00) in cash completes the sale', async ({ client, assert }) => {
    const fixture = await createStore({ cashRounding: 5 })
    const product = await createProduct(fixture, { price: 1000, stock: 5 })
    await till(client, fixture, 'post', '/till/items').form({ product_id: product.id })
    const card = await till(client, fixture, 'post', '/till/payments').form({ method: 'card_external', amount: '10.78' })
    assert.equal(card.status(), 200, card.text())
    // The panel's Exact is what cash can pay of the 0.02 left: 0.00
    assert.include(card.text(), 'aria-label="Exact amount"')
    const rest = await till(client, fixture, 'post', '/till/payments').form({ method: 'cash', tendered: '0.00' })
    assert.equal(rest.status(), 200, rest.text())
    assert.include(rest.text(), 'completed')
    const sale = await db.from('sales').where({ register_id: fixture.register.id, status: 'completed' }).firstOrFail()
    assert.deepEqual([sale.total, sale.paid_total, sale.rounding_total], [1080, 1078, -2])
  })

  test('cash between the balance and the balance rounded up (9.69 of 9.68, coins of 5): the sale is paid 9.68, 0.01 back, never overpaid', async ({ client, assert }) => {
    const fixture = await createStore({ cashRounding: 5, taxPpm: 0 })
    const product = await createProduct(fixture, { price: 968, stock: 5 })
    await till(client, fixture, 'post', '/till/items').form({ product_id: product.id })
    const cash = await till(client, fixture, 'post', '/till/payments').form({ method: 'cash', tendered: '9.69' })
    assert.equal(cash.status(), 200, cash.text())
    assert.include(cash.text(), 'completed')
    const sale = await db.from('sales').where({ register_id: fixture.register.id, status: 'completed' }).firstOrFail()
    // Taken whole, the 9.69 paid 1 cent more than the sale, with no rounding nor change to say why
    assert.deepEqual([sale.total, sale.paid_total, sale.rounding_total], [968, 968, 0])
    const payment = await db.from('payments').where('sale_id', sale.id).firstOrFail()
    assert.deepEqual([payment.amount, payment.tendered, payment.change], [968, 969, 1])
  })
})
