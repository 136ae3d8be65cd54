import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { createProduct, createStore, type TestStore } from '#tests/fixtures'
import { REGISTER_COOKIE } from '#sales/till_screen_service'
import { sellFor } from '#tests/functional/backoffice/helpers'

/*
| What the till's Returns screen offers for a sale found: nothing to return from a sale whose
| every unit came back already (the search offered "Return from it" on it).
*/

function till(client: any, fixture: TestStore, method: 'get' | 'post', url: string, role: 'cashier' | 'manager' = 'cashier') {
  return client[method](url).loginAs(fixture.users[role]).withCsrfToken().withCookie(REGISTER_COOKIE, String(fixture.register.id)).header('HX-Request', 'true')
}

async function returnLine(client: any, fixture: TestStore, saleId: number, quantity: number) {
  const item = await db.from('sale_items').where('sale_id', saleId).firstOrFail()
  const done = await till(client, fixture, 'post', `/till/returns/${saleId}`).form({ 'items[0][sale_item_id]': item.id, 'items[0][quantity]': String(quantity), 'items[0][restock]': 'stock', 'reason': 'Back', 'method': 'original' })
  done.assertStatus(200)
}

test.group('Till Returns screen: what it offers', () => {
  test('a sale returned in full is listed as "Fully returned", with no return offered; one returned in part still offers it', async ({ client, assert }) => {
    const fixture = await createStore()
    const tea = await createProduct(fixture, { name: 'Green Tea', price: 450, stock: 10 })
    const full = await sellFor(fixture, [{ product: tea, quantity: 2 }])
    const part = await sellFor(fixture, [{ product: tea, quantity: 2 }])
    await returnLine(client, fixture, full.id, 1)
    await returnLine(client, fixture, full.id, 1)
    await returnLine(client, fixture, part.id, 1)

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
})
