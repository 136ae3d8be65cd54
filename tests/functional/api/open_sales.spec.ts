import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { apiToken, countRows, createProduct, createStore } from '#tests/fixtures'
import { REGISTER_COOKIE } from '#sales/till_screen_service'

/*
| An open sale the API started, paid in part: its payments are taken off (DELETE /api/payments/:id)
| and the sale cancelled (POST /api/sales/:id/cancel). It could be neither: left part-paid, it was
| never finished and its money was in no report.
*/
test.group('API: an open sale taken back', () => {
  test('a payment taken off, then the sale cancelled; a till cart, a paid sale and another role are refused', async ({ client, assert }) => {
    const fixture = await createStore()
    const tea = await createProduct(fixture, { price: 450, stock: 20 })
    const cashier = await apiToken(client, fixture.users.cashier)
    const opened = await client.post('/api/sales').bearerToken(cashier).json({ items: [{ product_id: tea.id, quantity: 2 }] })
    opened.assertStatus(201)
    const saleId = opened.body().id
    const paid = await client.post('/api/payments').bearerToken(cashier).json({ sale_id: saleId, method: 'card_external', amount: 100 })
    paid.assertStatus(201)

    // With a payment on it, the sale is not cancelled
    const early = await client.post(`/api/sales/${saleId}/cancel`).bearerToken(cashier)
    early.assertStatus(409)
    assert.equal(early.body().errors[0].code, 'sale_has_payments')
    // An accountant does not sell
    ;(await client.delete(`/api/payments/${paid.body().id}`).bearerToken(await apiToken(client, fixture.users.accountant))).assertStatus(403)

    const removed = await client.delete(`/api/payments/${paid.body().id}`).bearerToken(cashier)
    removed.assertStatus(200)
    assert.equal(removed.body().paid_total ?? removed.body().payments.filter((p: any) => p.status === 'approved').length, 0)
    assert.equal((await db.from('payments').where('id', paid.body().id).firstOrFail()).status, 'cancelled')
    ;(await client.delete(`/api/payments/${paid.body().id}`).bearerToken(cashier)).assertStatus(404)

    const cancelled = await client.post(`/api/sales/${saleId}/cancel`).bearerToken(cashier)
    cancelled.assertStatus(200)
    assert.equal(cancelled.body().status, 'voided')
    assert.equal(await countRows('audit_logs', { action: 'cart_voided', subject_id: saleId }), 1)
    const again = await client.post(`/api/sales/${saleId}/cancel`).bearerToken(cashier)
    again.assertStatus(409)
    assert.equal(again.body().errors[0].code, 'sale_voided')

    // The till's cart is the till's
    ;(await client.post('/till/items').loginAs(fixture.users.cashier).withCsrfToken().withCookie(REGISTER_COOKIE, String(fixture.register.id)).header('HX-Request', 'true').form({ product_id: tea.id })).assertStatus(200)
    const cart = await db.from('sales').where({ register_id: fixture.register.id, status: 'open', channel: 'till' }).firstOrFail()
    const tillCart = await client.post(`/api/sales/${cart.id}/cancel`).bearerToken(cashier)
    tillCart.assertStatus(409)
    assert.deepInclude(tillCart.body().errors[0], { code: 'till_cart', field: 'sale_id' })

    // Another store's sale is not found
    const other = await createStore()
    ;(await client.post(`/api/sales/${saleId}/cancel`).bearerToken(await apiToken(client, other.users.cashier))).assertStatus(404)
  })
})
