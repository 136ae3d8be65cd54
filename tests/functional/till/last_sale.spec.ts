import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { createProduct, createStore, type TestStore } from '#tests/fixtures'
import { REGISTER_COOKIE } from '#sales/till_screen_service'
import { dbTimestamp } from '#platform/db_time'

/*
| An empty cart names the register's last completed sale (a till reloaded while a payment was on its
| way says whether it went through): the last by the register's numbers, not by id.
*/

function till(client: any, fixture: TestStore, method: 'get' | 'post', url: string) {
  return client[method](url).loginAs(fixture.users.cashier).withCsrfToken().withCookie(REGISTER_COOKIE, String(fixture.register.id)).header('HX-Request', 'true')
}

async function payInCash(client: any, fixture: TestStore) {
  const open = await db.from('sales').where({ register_id: fixture.register.id, status: 'open' }).orderBy('id', 'desc').firstOrFail()
  const paid = await till(client, fixture, 'post', '/till/payments').form({ method: 'cash', tendered: (Number(open.total) / 100).toFixed(2) })
  paid.assertStatus(200)
}

test.group('Till: the last sale under an empty cart', () => {
  test('a parked sale resumed and completed after a newer one is the last sale shown', async ({ client, assert }) => {
    const fixture = await createStore()
    const coffee = await createProduct(fixture, { name: 'Coffee Beans', price: 1200, stock: 5 })
    const tea = await createProduct(fixture, { name: 'Green Tea', price: 450, stock: 5 })
    await till(client, fixture, 'post', '/till/items').form({ product_id: coffee.id })
    ;(await till(client, fixture, 'post', '/till/park').header('HX-Prompt', 'Mrs Smith').form({ note: 'Mrs Smith' })).assertStatus(200)
    await till(client, fixture, 'post', '/till/items').form({ product_id: tea.id })
    await payInCash(client, fixture)

    const parked = await db.from('sales').where({ store_id: fixture.store.id, status: 'parked' }).firstOrFail()
    ;(await till(client, fixture, 'post', `/till/parked/${parked.id}/resume`)).assertStatus(200)
    await payInCash(client, fixture)
    const resumed = await db.from('sales').where('id', parked.id).firstOrFail()
    assert.equal(resumed.number, 2)

    const page = await client.get('/till').loginAs(fixture.users.cashier).withCookie(REGISTER_COOKIE, String(fixture.register.id))
    page.assertStatus(200)
    assert.match(page.text(), /Last sale #2 completed at \d\d:\d\d:\s+\$12\.\d\d/)
  })

  test('a last sale of another day says its day: a till opened in the morning names last night\u2019s sale', async ({ client, assert }) => {
    const fixture = await createStore()
    const tea = await createProduct(fixture, { name: 'Green Tea', price: 450, stock: 5 })
    await till(client, fixture, 'post', '/till/items').form({ product_id: tea.id })
    await payInCash(client, fixture)
    const yesterday = new Date(Date.now() - 86_400_000)
    await db.from('sales').where({ register_id: fixture.register.id, number: 1 }).update({ completed_at: dbTimestamp(yesterday) })

    const page = await client.get('/till').loginAs(fixture.users.cashier).withCookie(REGISTER_COOKIE, String(fixture.register.id))
    page.assertStatus(200)
    assert.match(page.text(), /Last sale #1 completed on \d{4}-\d\d-\d\d at \d\d:\d\d:/)
  })
})
