import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { apiToken, cashIntoDrawer, createProduct, createStore, type TestStore } from '#tests/fixtures'
import { completedSale } from '#tests/functional/returns/helpers'
import { REGISTER_COOKIE } from '#sales/till_screen_service'
import { sellFor } from '#tests/functional/backoffice/helpers'

/*
| What the till's Returns screen offers for a sale found: nothing to return from a sale whose
| every unit came back already (the search offered "Return from it" on it), and "needs a manager"
| beside another tender only where the refund asks for one (it said so of cash on a cash sale).
| Fixture tax 8%: a $4.50 unit is $4.86.
*/

/** The "Refund to" choices of the sale's return form, as shown */
async function refundTo(client: any, fixture: TestStore, saleId: number) {
  const form = await till(client, fixture, 'get', `/till/returns/${saleId}`)
  form.assertStatus(200)
  const select = /<select id="return-method"[\s\S]*?<\/select>/.exec(form.text())![0]
  return [...select.matchAll(/<option value="([^"]+)">([^<]*)<\/option>/g)].map((m) => m[2])
}

function till(client: any, fixture: TestStore, method: 'get' | 'post', url: string, role: 'cashier' | 'manager' = 'cashier') {
  return client[method](url).loginAs(fixture.users[role]).withCsrfToken().withCookie(REGISTER_COOKIE, String(fixture.register.id)).header('HX-Request', 'true')
}

async function returnLine(client: any, fixture: TestStore, saleId: number, quantity: number, method = 'original') {
  const item = await db.from('sale_items').where('sale_id', saleId).firstOrFail()
  return till(client, fixture, 'post', `/till/returns/${saleId}`).form({ 'items[0][sale_item_id]': item.id, 'items[0][quantity]': String(quantity), 'items[0][restock]': 'stock', 'reason': 'Back', method })
}

test.group('Till Returns screen: what it offers', () => {
  test('a sale returned in full is listed as "Fully returned", with no return offered; one returned in part still offers it', async ({ client, assert }) => {
    const fixture = await createStore()
    const tea = await createProduct(fixture, { name: 'Green Tea', price: 450, stock: 10 })
    const full = await sellFor(fixture, [{ product: tea, quantity: 2 }])
    const part = await sellFor(fixture, [{ product: tea, quantity: 2 }])
    ;(await returnLine(client, fixture, full.id, 1)).assertStatus(200)
    ;(await returnLine(client, fixture, full.id, 1)).assertStatus(200)
    ;(await returnLine(client, fixture, part.id, 1)).assertStatus(200)

    const day = full.completedAt!.setZone(fixture.store.timeZone).toISODate()
    const found = await till(client, fixture, 'get', `/till/returns?date=${day}`)
    found.assertStatus(200)
    const rows = Object.fromEntries([...found.text().matchAll(/<tr>\s*<td>Register 1 #(\d+)[\s\S]*?<\/tr>/g)].map((m) => [Number(m[1]), m[0]]))
    assert.include(rows[full.number!], 'data-testid="fully-returned">Fully returned')
    assert.notInclude(rows[full.number!], `href="/till/returns/${full.id}"`)
    assert.include(rows[part.number!], `href="/till/returns/${part.id}"`)
    assert.notInclude(rows[part.number!], 'Fully returned')

    // Scanned, its receipt opens the sale: it says so instead of a form
    const form = await till(client, fixture, 'get', `/till/returns/${full.id}`)
    form.assertStatus(200)
    assert.include(form.text(), 'data-testid="fully-returned"')
    assert.notInclude(form.text(), `hx-post="/till/returns/${full.id}"`)
    const partForm = await till(client, fixture, 'get', `/till/returns/${part.id}`)
    assert.include(partForm.text(), `hx-post="/till/returns/${part.id}"`)
  })

  test('"needs a manager" only beside a tender the refund would ask a manager for', async ({ client, assert }) => {
    const fixture = await createStore()
    const tea = await createProduct(fixture, { name: 'Green Tea', price: 450, stock: 20 })
    const cashSale = await sellFor(fixture, [{ product: tea, quantity: 2 }])
    assert.deepEqual(await refundTo(client, fixture, cashSale.id), ['The original tender', 'Cash', 'Card (external terminal) (needs a manager)'])
    // As the form says: cash back on a cash sale needs no PIN; the card does
    ;(await returnLine(client, fixture, cashSale.id, 1, 'cash')).assertStatus(200)
    ;(await returnLine(client, fixture, cashSale.id, 1, 'card_external')).assertStatus(403)

    // $19.44, paid $10.00 by card and the rest in cash: card money goes back first
    const token = await apiToken(client, fixture.users.cashier)
    const open = await client.post('/api/sales').bearerToken(token).json({ items: [{ product_id: tea.id, quantity: 4 }] })
    open.assertStatus(201)
    const split = open.body().id
    ;(await client.post('/api/payments').bearerToken(token).json({ sale_id: split, method: 'card_external', amount: 1000 })).assertStatus(201)
    ;(await client.post('/api/payments').bearerToken(token).json({ sale_id: split, method: 'cash', amount: 944, tendered: 1000 })).assertStatus(201)
    assert.deepEqual(await refundTo(client, fixture, split), ['The original tender', 'Cash (needs a manager)', 'Card (external terminal) (needs a manager above $10.00)'])
    ;(await returnLine(client, fixture, split, 1, 'card_external')).assertStatus(200)
    assert.deepEqual(await refundTo(client, fixture, split), ['The original tender', 'Cash (needs a manager)', 'Card (external terminal) (needs a manager above $5.14)'])
    // Two more units ($9.72) would take cash too: the card then needs a manager
    const over = await returnLine(client, fixture, split, 2, 'card_external')
    over.assertStatus(403)
    assert.include(over.text(), 'manager')
  })

  test('goods exchanged from a card sale: the form says cash needs a manager, as the refund does; from a cash sale it does not', async ({ client, assert }) => {
    const fixture = await createStore()
    const shirt = await createProduct(fixture, { name: 'Shirt', price: 1000, stock: 20 })
    const tie = await createProduct(fixture, { name: 'Tie', price: 1000, stock: 20 })
    const token = await apiToken(client, fixture.users.cashier)
    await cashIntoDrawer(fixture, 10_000)
    /** A $10.80 shirt paid by `method`, exchanged for `ties` ties (the difference in cash) */
    const exchanged = async (method: string, ties = 1) => {
      const sale = await completedSale(client, token, [{ product_id: shirt.id, quantity: 1 }], method)
      const made = await client.post(`/api/sales/${sale.id}/exchanges`).bearerToken(token).json({
        return_items: [{ sale_item_id: sale.items[0].id, quantity: 1 }],
        items: [{ product_id: tie.id, quantity: ties }],
        payment_method: 'cash',
        tendered: 100_000,
        reason: 'Swap',
      })
      made.assertStatus(201)
      return made.body().sale.id as number
    }

    // All of it exchange credit from a card: cash back on any of it needs a manager
    const fromCard = await exchanged('card_external')
    assert.deepEqual(await refundTo(client, fixture, fromCard), ['The original tender (needs a manager)', 'Cash (needs a manager)', 'Card (external terminal) (needs a manager)'])
    for (const method of ['original', 'cash']) {
      const refused = await returnLine(client, fixture, fromCard, 1, method)
      refused.assertStatus(403)
      assert.include(refused.text(), 'manager')
    }

    // Two ties: $10.80 of credit from the card, $10.80 in real cash; the cash part comes back first without a manager
    const mixed = await exchanged('card_external', 2)
    assert.deepEqual(await refundTo(client, fixture, mixed), ['The original tender (needs a manager above $10.80)', 'Cash (needs a manager above $10.80)', 'Card (external terminal) (needs a manager)'])
    ;(await returnLine(client, fixture, mixed, 1, 'cash')).assertStatus(200)
    assert.deepEqual(await refundTo(client, fixture, mixed), ['The original tender (needs a manager)', 'Cash (needs a manager)', 'Card (external terminal) (needs a manager)'])
    ;(await returnLine(client, fixture, mixed, 1)).assertStatus(403)

    // From a cash sale, the credit was cash: no manager for cash
    const fromCash = await exchanged('cash')
    assert.deepEqual(await refundTo(client, fixture, fromCash), ['The original tender', 'Cash', 'Card (external terminal) (needs a manager)'])
    ;(await returnLine(client, fixture, fromCash, 1)).assertStatus(200)
  })
})
