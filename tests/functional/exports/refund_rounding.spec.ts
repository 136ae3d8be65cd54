import { test } from '@japa/runner'
import { DateTime } from 'luxon'
import db from '@adonisjs/lucid/services/db'
import CartService from '#sales/cart_service'
import PaymentService from '#sales/payment_service'
import { apiToken, cashIntoDrawer, createProduct, createStore } from '#tests/fixtures'
import { enablePluginForTest } from '#tests/plugins'
import { csvRows, minor } from '#tests/functional/exports/helpers'

/*
| A refund's cash is paid in the store's smallest coin, so what goes back is a little more or
| less than the goods are worth (the last refund of a sale evens it out). The journal books the
| goods under Refunds and the difference under cash rounding, as it books a sale: the Refunds
| account took the coin's difference, and "Cash rounding on refunds" was never written.
*/

test.group('Accounting exports: cash rounding of refunds', () => {
  test('a sale paid in cash and returned in three refunds nets to nothing on the Sales, Refunds and rounding accounts', async ({ client, assert }) => {
    await enablePluginForTest('export-journal')
    const fixture = await createStore({ cashRounding: 5, pricesIncludeTax: true })
    const a = await createProduct(fixture, { price: 1001, stock: 100 })
    const b = await createProduct(fixture, { price: 77, stock: 100, taxClass: 'reduced' })
    const actor = { user: fixture.users.cashier, store: fixture.store }
    const cart = new CartService()
    const open = await cart.currentCart(actor, fixture.register.id)
    await cart.addProduct(actor, open.id, a.id, 3)
    await cart.addProduct(actor, open.id, b.id, 7)
    await cart.setCartDiscount(actor, open.id, 'percent', 1337)
    assert.isTrue((await new PaymentService().addPayment(actor, open.id, { method: 'cash', tendered: 100_000 })).completed)
    const sale = await db.from('sales').where('id', open.id).first()
    // $30.68 due, $30.70 taken in cash
    assert.deepEqual([Number(sale.total), Number(sale.rounding_total)], [3068, 2])

    await cashIntoDrawer(fixture, 1_000_000)
    const token = await apiToken(client, fixture.users.cashier)
    const items = await db.from('sale_items').where('sale_id', open.id).orderBy('id')
    for (const [item, quantity] of [[items[0], 1], [items[0], 2], [items[1], 7]] as const) {
      ;(await client.post(`/api/sales/${open.id}/refunds`).bearerToken(token).json({ items: [{ sale_item_id: item.id, quantity }], reason: 'Returned' })).assertStatus(201)
    }
    const paidBack = await db.from('refunds').where('sale_id', open.id).orderBy('id').select('total')
    // Each refund's cash in the smallest coin: $8.65 for $8.67 of goods, $17.35 for $17.34, then all that is left
    assert.deepEqual(paidBack.map((r) => Number(r.total)), [865, 1735, 470])

    const today = DateTime.now().setZone(fixture.store.timeZone).toISODate()!
    const accountant = await apiToken(client, fixture.users.accountant)
    const answer = await client.get(`/api/exports/journal?from=${today}&to=${today}`).bearerToken(accountant)
    answer.assertStatus(200)
    const lines = csvRows(answer.text()).slice(1)
    const amount = (memo: string) => lines.filter((r) => r[4] === memo).reduce((sum, r) => sum + minor(r[2]) - minor(r[3]), 0)
    const net = Number(sale.total) - Number(sale.tax_total)
    // Everything came back: the goods' net value is reversed under Refunds, the tax under tax, and
    // the 2 cents the sale's cash rounding took go back under rounding
    assert.equal(amount('Refunds'), net)
    assert.equal(amount('Cash rounding'), -2)
    assert.equal(amount('Cash rounding on refunds'), 2)
    assert.equal(lines.reduce((sum, r) => sum + minor(r[2]) - minor(r[3]), 0), 0, 'the day balances')
  })
})
