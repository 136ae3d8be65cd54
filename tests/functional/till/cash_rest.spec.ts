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
})
