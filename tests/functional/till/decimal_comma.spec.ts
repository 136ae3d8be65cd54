import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { pluginHost } from '#plugins/host'
import { REGISTER_COOKIE } from '#sales/till_screen_service'
import { createProduct, createStore, type TestStore } from '#tests/fixtures'
import { pluginPost, resetPlugins, useFolders } from '#tests/functional/plugins/helpers'

/*
| The online till reads a typed amount by the rule the back office, the shift screen, an
| exchange and the offline till read it (parseMoney, app/core/money.ts): a cashier in a store in
| euros types "20,00" tendered, "3,75" as a price, "1,5" as a percent off. The till refused the
| comma ("such as 12.50") and read a percent with Number(). What reads no way is refused at its
| field, with nothing written.
*/

async function euroStore(): Promise<TestStore> {
  const fixture = await createStore()
  await fixture.store.merge({ currency: 'EUR' }).save()
  return fixture
}

function till(client: any, fixture: TestStore, url: string, role: 'cashier' | 'manager' = 'cashier') {
  return client.post(url).loginAs(fixture.users[role]).withCsrfToken().withCookie(REGISTER_COOKIE, String(fixture.register.id)).header('HX-Request', 'true')
}

/** A cart of one product at this price (no tax), and its sale and line */
async function cartOf(client: any, fixture: TestStore, price: number) {
  const product = await createProduct(fixture, { price, taxClass: 'zero', stock: 50 })
  ;(await till(client, fixture, '/till/items').form({ product_id: String(product.id) })).assertStatus(200)
  const sale = await db.from('sales').where({ register_id: fixture.register.id, status: 'open' }).orderBy('id', 'desc').firstOrFail()
  const line = await db.from('sale_items').where('sale_id', sale.id).firstOrFail()
  return { saleId: Number(sale.id), lineId: Number(line.id) }
}

const paymentsOf = (saleId: number) => db.from('payments').where('sale_id', saleId).orderBy('id').select('method', 'amount', 'tendered', 'change')
const numbers = (rows: Record<string, unknown>[]) => rows.map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, typeof v === 'string' && k !== 'method' ? Number(v) : v])))

test.group('Till: amounts typed with a decimal comma', () => {
  test('a payment: "5,50" on the card, "20,00" cash tendered gives the change; what reads no way is a 422 at its field', async ({ client, assert }) => {
    const fixture = await euroStore()
    const { saleId } = await cartOf(client, fixture, 1250)

    for (const [fields, field, words] of [
      [{ method: 'cash', tendered: '20,0,0' }, 'tendered', 'Enter the amount tendered as a number above 0, such as 12.50'],
      [{ method: 'cash', tendered: '20,00x' }, 'tendered', 'Enter the amount tendered as a number above 0, such as 12.50'],
      [{ method: 'card_external', amount: '5,5050' }, 'amount', 'Enter the amount as a number above 0, such as 12.50'],
      // Three decimals in euros: it was taken as no amount, and the card paid the whole balance
      [{ method: 'card_external', amount: '1.234' }, 'amount', 'Enter the amount as a number above 0, such as 12.50'],
      // One digit too many, or a thousand-fold amount: not guessed
      [{ method: 'cash', tendered: '5,505' }, 'tendered', 'Enter the amount tendered as a number above 0, such as 12.50'],
      // Past what a sale may total: said at the field, not in the API's words ("whole number of cents")
      [{ method: 'cash', tendered: '12345678901' }, 'tendered', 'This amount is larger than any sale may be'],
    ] as const) {
      const refused = await till(client, fixture, '/till/payments').form(fields)
      refused.assertStatus(422)
      assert.include(refused.text(), words, `${field}: ${JSON.stringify(fields)}`)
    }
    assert.deepEqual(await paymentsOf(saleId), [])

    ;(await till(client, fixture, '/till/payments').form({ method: 'card_external', amount: '5,50' })).assertStatus(200)
    const paid = await till(client, fixture, '/till/payments').form({ method: 'cash', tendered: '20,00' })
    paid.assertStatus(200)
    assert.deepEqual(numbers(await paymentsOf(saleId)), [
      { method: 'card_external', amount: 550, tendered: null, change: 0 },
      { method: 'cash', amount: 700, tendered: 2000, change: 1300 },
    ])
    assert.equal((await db.from('sales').where('id', saleId).firstOrFail()).status, 'completed')
  })

  test('a price "3,75" and discounts "0,50", "1,5" % and "12,5" % are read by the same rule; "1,2,3" and 1.234 % are refused at the field', async ({ client, assert }) => {
    const fixture = await euroStore()
    const { saleId, lineId } = await cartOf(client, fixture, 1000)
    const line = () => db.from('sale_items').where('id', lineId).firstOrFail()
    const sale = () => db.from('sales').where('id', saleId).firstOrFail()

    ;(await till(client, fixture, `/till/items/${lineId}/price`, 'manager').form({ price: '3,75' })).assertStatus(200)
    assert.equal(Number((await line()).unit_price), 375)
    const badPrice = await till(client, fixture, `/till/items/${lineId}/price`, 'manager').form({ price: '3,7,5' })
    badPrice.assertStatus(422)
    assert.include(badPrice.text(), 'Enter the price as a number of 0 or more, such as 12.50')
    assert.equal(Number((await line()).unit_price), 375)

    ;(await till(client, fixture, `/till/items/${lineId}/discount`, 'manager').form({ discount_type: 'amount', discount_value: '0,50' })).assertStatus(200)
    assert.deepEqual([(await line()).discount_type, Number((await line()).discount_value)], ['amount', 50])
    ;(await till(client, fixture, `/till/items/${lineId}/discount`, 'manager').form({ discount_type: 'percent', discount_value: '1,5' })).assertStatus(200)
    assert.deepEqual([(await line()).discount_type, Number((await line()).discount_value)], ['percent', 150])

    ;(await till(client, fixture, '/till/discount', 'manager').form({ discount_type: 'percent', discount_value: '12,5' })).assertStatus(200)
    assert.deepEqual([(await sale()).cart_discount_type, Number((await sale()).cart_discount_value)], ['percent', 1250])
    ;(await till(client, fixture, '/till/discount', 'manager').form({ discount_type: 'amount', discount_value: '1,00' })).assertStatus(200)
    assert.deepEqual([(await sale()).cart_discount_type, Number((await sale()).cart_discount_value)], ['amount', 100])

    for (const [url, value, words] of [
      [`/till/items/${lineId}/discount`, '1,2,3', 'Enter the discount as a number of 0 or more, such as 10 or 0.50'],
      ['/till/discount', '1,5x', 'Enter the discount as a number of 0 or more, such as 10 or 0.50'],
      // "1,234": 1234 % or a typo of 12,34: not guessed
      ['/till/discount', '1,234', 'Enter the discount as a number of 0 or more, such as 10 or 0.50'],
      ['/till/discount', '120', 'A percent discount is at most 100'],
    ] as const) {
      const refused = await till(client, fixture, url, 'manager').form({ discount_type: 'percent', discount_value: value })
      refused.assertStatus(422)
      assert.include(refused.text(), words, `${url} ${value}`)
    }
    assert.deepEqual([(await line()).discount_type, Number((await line()).discount_value)], ['percent', 150])
    assert.deepEqual([(await sale()).cart_discount_type, Number((await sale()).cart_discount_value)], ['amount', 100])
  })
})

test.group('Till: a card machine’s amount typed with a decimal comma', (group) => {
  group.each.setup(() => useFolders())
  group.each.teardown(() => resetPlugins())

  test('"12,50" charged on the manual card machine is 12.50; "12,5,0" is a 422 at the amount', async ({ client, assert }) => {
    const fixture = await createStore({ chainAdmin: true })
    await fixture.store.merge({ currency: 'EUR' }).save()
    ;(await pluginPost(client, fixture.users.admin, '/backoffice/plugins/manual-card/enable')).assertStatus(302)
    assert.equal(pluginHost.get('manual-card').state, 'enabled')
    const { saleId } = await cartOf(client, fixture, 2000)

    const refused = await till(client, fixture, '/till/gateway-payments').form({ method: 'manual_card', amount: '12,5,0', approval_code: 'A1' })
    refused.assertStatus(422)
    assert.include(refused.text(), 'Enter the amount as a number above 0, such as 12.50')
    ;(await till(client, fixture, '/till/gateway-payments').form({ method: 'manual_card', amount: '12,50', approval_code: 'A1' })).assertStatus(200)
    const payments = await db.from('payments').where('sale_id', saleId).select('method', 'amount', 'status')
    assert.deepEqual(payments.map((p) => [p.method, Number(p.amount), p.status]), [['manual_card', 1250, 'approved']])
  })
})
