import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { createProduct, createStore, type TestStore } from '#tests/fixtures'
import { REGISTER_COOKIE } from '#sales/till_screen_service'
import { sellFor } from '#tests/functional/backoffice/helpers'
import { returnsFootprint } from '#tests/functional/returns/helpers'

/*
| The till's forms take only what they offer: where a returned unit goes is "stock" or "damaged"
| ("nowhere" went back to stock), a number is plain digits ("1e1" was 10, "0x3" 3), and one value
| is one value (a list ["2"] was read as 2). Each is a 422 at its field, with nothing written.
*/

function till(client: any, fixture: TestStore, method: 'post' | 'patch', url: string, role: 'cashier' | 'manager' = 'cashier') {
  return client[method](url).loginAs(fixture.users[role]).withCsrfToken().withCookie(REGISTER_COOKIE, String(fixture.register.id)).header('HX-Request', 'true')
}

test.group('Till: values the forms do not offer', () => {
  test('a return says where each unit goes as the form offers it; anything else is a 422, nothing written', async ({ client, assert }) => {
    const fixture = await createStore()
    const tea = await createProduct(fixture, { name: 'Green Tea', price: 450, stock: 10 })
    const sale = await sellFor(fixture, [{ product: tea, quantity: 3 }])
    const line = await db.from('sale_items').where('sale_id', sale.id).firstOrFail()
    const before = await returnsFootprint(fixture)
    // The form's fields as a browser names them (the client would send a nested object as text)
    const refused: Record<string, string>[] = [
      row(line.id, 'nowhere'),
      { 'items[0][sale_item_id]': String(line.id), 'items[0][quantity]': '1', 'items[0][restock][]': 'stock' },
      { ...row(line.id, 'stock'), 'items[0][quantity]': '1e0' },
      { ...row(line.id, 'stock'), 'items[0][quantity]': '0x1' },
    ]
    for (const fields of refused) {
      const answer = await till(client, fixture, 'post', `/till/returns/${sale.id}`).form({ ...fields, reason: 'x' })
      answer.assertStatus(422)
    }
    const nowhere = await till(client, fixture, 'post', `/till/returns/${sale.id}`).form({ ...row(line.id, 'nowhere'), reason: 'x' })
    assert.include(nowhere.text(), 'Choose where it goes: back to stock or the damaged bin')
    const noReceipt = await till(client, fixture, 'post', '/till/returns/no-receipt', 'manager').form({ code: tea.sku, quantity: '1', restock: 'nowhere', reason: 'x' })
    noReceipt.assertStatus(422)
    assert.include(noReceipt.text(), 'Choose where it goes')
    const exchange = await till(client, fixture, 'post', `/till/returns/${sale.id}/exchange`).form({ ...row(line.id, 'bin'), 'new_items[0][code]': tea.sku, 'new_items[0][quantity]': '1', reason: 'x' })
    exchange.assertStatus(422)
    assert.deepEqual(await returnsFootprint(fixture), before)

    // What the form offers is taken
    ;(await till(client, fixture, 'post', `/till/returns/${sale.id}`).form({ ...row(line.id, 'damaged'), reason: 'x' })).assertStatus(200)
    ;(await till(client, fixture, 'post', `/till/returns/${sale.id}`).form({ ...row(line.id, 'stock'), reason: 'x' })).assertStatus(200)
    const lines = await db.from('refund_items').join('refunds', 'refunds.id', 'refund_items.refund_id').where('refunds.sale_id', sale.id).orderBy('refund_items.id').select('refund_items.restock')
    assert.deepEqual(lines.map((l) => Boolean(l.restock)), [false, true])
  })

  test('a line quantity and a switch of user take plain digits and one value: "1e1", "0x3" and a list are a 422', async ({ client, assert }) => {
    const fixture = await createStore()
    const product = await createProduct(fixture, { price: 1000, stock: 50 })
    await till(client, fixture, 'post', '/till/items').form({ product_id: String(product.id) })
    const line = await db.from('sale_items').join('sales', 'sales.id', 'sale_items.sale_id').where('sales.register_id', fixture.register.id).select('sale_items.id').firstOrFail()
    for (const fields of [{ quantity: '1e1' }, { quantity: '0x3' }, { 'quantity[]': '2' }, { quantity: '1 e1' }]) {
      const answer = await till(client, fixture, 'patch', `/till/items/${line.id}`).form(fields)
      answer.assertStatus(422)
      assert.include(answer.text(), 'Enter the quantity as a number, such as 12', JSON.stringify(fields))
    }
    assert.equal(Number((await db.from('sale_items').where('id', line.id).first()).quantity), 1)
    ;(await till(client, fixture, 'patch', `/till/items/${line.id}`).form({ quantity: ' 4 ' })).assertStatus(200)
    assert.equal(Number((await db.from('sale_items').where('id', line.id).first()).quantity), 4)

    const listed = await till(client, fixture, 'post', '/till/switch').form({ 'user_id[]': String(fixture.users.manager.id), pin: '2222' })
    listed.assertStatus(422)
    assert.include(listed.text(), 'Enter the user as a number, such as 12')
    const hex = await till(client, fixture, 'post', '/till/switch').form({ user_id: `0x${fixture.users.manager.id.toString(16)}`, pin: '2222' })
    hex.assertStatus(422)
    ;(await till(client, fixture, 'post', '/till/switch').form({ user_id: String(fixture.users.manager.id), pin: '2222' })).assertStatus(204)
  })

  test('the product grid of a category that is not one says so (it showed every product)', async ({ client, assert }) => {
    const fixture = await createStore()
    const tea = await createProduct(fixture, { name: 'Green Tea', price: 450 })
    const grid = (query: string) => client.get(`/till/grid${query}`).loginAs(fixture.users.cashier).withCookie(REGISTER_COOKIE, String(fixture.register.id)).header('HX-Request', 'true')
    for (const query of ['?category=abc', '?category=1e1', '?category[]=1']) {
      const answer = await grid(query)
      answer.assertStatus(404)
      assert.include(answer.text(), 'This category was not found', query)
      assert.notInclude(answer.text(), tea.name, query)
    }
    assert.include((await grid('')).text(), tea.name)
    assert.include((await grid('?category=')).text(), tea.name)
  })
})

/** A return form's first row, as the browser names its fields */
function row(saleItemId: number, restock: string): Record<string, string> {
  return { 'items[0][sale_item_id]': String(saleItemId), 'items[0][quantity]': '1', 'items[0][restock]': restock }
}
