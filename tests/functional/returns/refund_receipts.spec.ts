import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { createProduct, createStore, type TestStore, PINS, cashIntoDrawer } from '#tests/fixtures'
import { REGISTER_COOKIE } from '#sales/till_screen_service'
import { sellFor } from '#tests/functional/backoffice/helpers'

/*
| A refund's own receipt printed again (GET /till/refunds/:id): it was shown once, in the answer
| to the refund, and could not be had again. Reached from the sale's receipt, its return form
| and its back-office page; for those who sell and refund, in their store. Fixture tax: 8%.
*/

function till(client: any, fixture: TestStore, method: 'get' | 'post', url: string, role: 'cashier' | 'manager' = 'cashier') {
  return client[method](url).loginAs(fixture.users[role]).withCsrfToken().withCookie(REGISTER_COOKIE, String(fixture.register.id))
}

test.group('Refund receipts printed again', () => {
  test('a refund made at the till has a receipt page: its number, time, sale, lines, tenders and its own cashier; linked where the sale is', async ({ client, assert }) => {
    const fixture = await createStore()
    const tea = await createProduct(fixture, { name: 'Green Tea', price: 450, stock: 10 })
    const sale = await sellFor(fixture, [{ product: tea, quantity: 3 }])
    const item = await db.from('sale_items').where('sale_id', sale.id).firstOrFail()
    const done = await till(client, fixture, 'post', `/till/returns/${sale.id}`)
      .header('HX-Request', 'true')
      .form({ 'items[0][sale_item_id]': item.id, 'items[0][quantity]': '1', 'items[0][restock]': 'damaged', 'reason': 'Leaking', 'method': 'original' })
    done.assertStatus(200)
    const refund = await db.from('refunds').where('sale_id', sale.id).firstOrFail()
    assert.include(done.text(), `href="/till/refunds/${refund.id}?print=1"`)

    // Printed again later, by someone else at another register: the refund's own register and cashier
    const page = await client.get(`/till/refunds/${refund.id}`).loginAs(fixture.users.manager)
    page.assertStatus(200)
    const text = page.text()
    assert.include(text, 'aria-label="Refund receipt"')
    assert.include(text, `Register 1 · <strong data-testid="refund-number">Refund ${refund.id}</strong>`)
    assert.include(text, `for sale #${sale.number} (S-${fixture.register.id}-${sale.number})`)
    assert.match(text, /\d{4}-\d\d-\d\d \d\d:\d\d · Cashier/)
    assert.include(text, '1 × Green Tea (damaged)</span><span class="money">−$4.86')
    assert.include(text, 'data-testid="refund-total">$4.86')
    assert.include(text, '<span>Cash</span><span class="money">$4.86')
    assert.include(text, 'Reason: Leaking')
    assert.include(text, 'data-print')

    const link = `href="/till/refunds/${refund.id}"`
    assert.include((await till(client, fixture, 'get', `/till/receipts/${sale.id}`)).text(), link)
    assert.include((await till(client, fixture, 'get', `/till/returns/${sale.id}`)).text(), link)
    assert.include((await client.get(`/backoffice/sales/${sale.id}`).loginAs(fixture.users.manager)).text(), link)
    // An accountant reads the sale but does not sell: no link, and the page is refused
    assert.notInclude((await client.get(`/backoffice/sales/${sale.id}`).loginAs(fixture.users.accountant)).text(), link)
    ;(await client.get(`/till/refunds/${refund.id}`).loginAs(fixture.users.accountant)).assertStatus(403)
    // Another store's cashier finds nothing
    const other = await createStore()
    ;(await client.get(`/till/refunds/${refund.id}`).loginAs(other.users.cashier)).assertStatus(404)
  })

  test('a return without a receipt prints again too', async ({ client, assert }) => {
    const fixture = await createStore()
    const mug = await createProduct(fixture, { name: 'Blue Mug', sku: `MUG-${fixture.tag}`, price: 800, stock: 2 })
    await cashIntoDrawer(fixture, 5000)
    const done = await till(client, fixture, 'post', '/till/returns/no-receipt')
      .header('HX-Request', 'true')
      .form({ code: mug.sku, quantity: '1', restock: 'stock', reason: 'No receipt', method: 'cash', manager_pin: PINS.manager })
    done.assertStatus(200)
    const refund = await db.from('refunds').where('store_id', fixture.store.id).firstOrFail()
    const page = await till(client, fixture, 'get', `/till/refunds/${refund.id}`)
    page.assertStatus(200)
    assert.include(page.text(), 'without a receipt')
    assert.include(page.text(), '1 × Blue Mug</span><span class="money">−$8.64')
  })
})
