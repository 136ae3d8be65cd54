import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { apiToken, createProduct, createStore, type TestStore } from '#tests/fixtures'
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

  test('cash between the balance and the balance rounded up (9.69 or 9.68 of 9.68, coins of 5) is refused: 9.70 is due in cash; 9.70 completes it', async ({ client, assert }) => {
    const fixture = await createStore({ cashRounding: 5, taxPpm: 0 })
    const product = await createProduct(fixture, { price: 968, stock: 5 })
    await till(client, fixture, 'post', '/till/items').form({ product_id: product.id })
    for (const tendered of ['9.69', '9.68']) {
      const refused = await till(client, fixture, 'post', '/till/payments').form({ method: 'cash', tendered })
      assert.equal(refused.status(), 422, refused.text())
      assert.include(refused.text(), 'In cash $9.70 is due ($9.68 rounded to the smallest coin)')
    }
    // Taken as a part payment, 9.69 completed the sale paid a cent over its total, with no rounding nor change
    const open = await db.from('sales').where({ register_id: fixture.register.id, status: 'open' }).firstOrFail()
    assert.equal(await db.from('payments').where('sale_id', open.id).count('* as n').first().then((row) => Number(row.n)), 0)
    const cash = await till(client, fixture, 'post', '/till/payments').form({ method: 'cash', tendered: '10.00' })
    assert.equal(cash.status(), 200, cash.text())
    const sale = await db.from('sales').where({ id: open.id }).firstOrFail()
    assert.deepEqual([sale.status, sale.total, sale.paid_total, sale.rounding_total], ['completed', 968, 970, 2])
    const payment = await db.from('payments').where('sale_id', sale.id).firstOrFail()
    assert.deepEqual([payment.amount, payment.tendered, payment.change], [970, 1000, 30])
  })

  test('the API refuses an explicit cash amount of the unrounded balance, at its field', async ({ client, assert }) => {
    const fixture = await createStore({ cashRounding: 5, taxPpm: 0 })
    const product = await createProduct(fixture, { price: 713, stock: 5 })
    const token = await apiToken(client, fixture.users.cashier)
    const open = await client.post('/api/sales').bearerToken(token).json({ items: [{ product_id: product.id, quantity: 1 }] })
    open.assertStatus(201)
    const refused = await client.post('/api/payments').bearerToken(token).json({ sale_id: open.body().id, method: 'cash', amount: 713 })
    refused.assertStatus(422)
    assert.equal(refused.body().errors[0].code, 'cash_rounding_due')
    assert.equal(refused.body().errors[0].field, 'amount')
    const paid = await client.post('/api/payments').bearerToken(token).json({ sale_id: open.body().id, method: 'cash', amount: 715 })
    paid.assertStatus(201)
    const sale = await db.from('sales').where({ id: open.body().id }).firstOrFail()
    assert.deepEqual([sale.status, sale.paid_total, sale.rounding_total], ['completed', 715, 2])
  })
})
