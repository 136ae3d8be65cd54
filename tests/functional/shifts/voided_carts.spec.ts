import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { apiToken, createProduct, createStore } from '#tests/fixtures'
import { REGISTER_COOKIE } from '#sales/till_screen_service'

/*
| The X/Z report's "Voided carts": carts given up with something on them. Resuming a parked sale
| sets aside the empty cart on screen (kept, voided): it counted as a voided cart.
*/
test.group('Shift report: voided carts', () => {
  test('a cart voided with a line counts; the empty one a resumed parked sale replaces does not', async ({ client, assert }) => {
    const fixture = await createStore()
    const tea = await createProduct(fixture, { price: 450, stock: 20 })
    const till = (url: string, form: Record<string, unknown> = {}) =>
      client.post(url).loginAs(fixture.users.cashier).withCsrfToken().withCookie(REGISTER_COOKIE, String(fixture.register.id)).header('HX-Request', 'true').form(form)
    ;(await till('/till/items', { product_id: tea.id })).assertStatus(200)
    ;(await till('/till/park', { note: 'Back in 5' })).assertStatus(200)
    const parked = await db.from('sales').where({ register_id: fixture.register.id, status: 'parked' }).firstOrFail()
    // The new, empty cart is on screen: resuming the parked one sets it aside
    ;(await till(`/till/parked/${parked.id}/resume`)).assertStatus(200)
    ;(await till('/till/void')).assertStatus(200)

    const shift = await db.from('shifts').where({ register_id: fixture.register.id, status: 'open' }).firstOrFail()
    const report = (await client.get(`/api/shifts/${shift.id}/report`).bearerToken(await apiToken(client, fixture.users.manager))).body()
    // Before: 2 (the resumed sale's cart, voided with its line, and the empty one)
    assert.equal(report.voids.carts, 1)
  })
})
