import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { apiToken, createStore, type TestStore } from '#tests/fixtures'
import { REGISTER_COOKIE } from '#sales/till_screen_service'
import { fillPhoneReversed } from '#database/migrations/0119_customer_phone_reversed'
import { dbTimestamp } from '#platform/db_time'

/*
| A search by phone compares digits: the number's first digits, its last ones (typed without the
| country code it was saved with), or the whole of one saved without it. "212-555-0100" found
| nothing of a customer saved as "+12125550100". The last digits are searched on
| customers.phone_reversed (migration 0119), an index range as the first digits are.
*/

async function search(client: any, token: string, term: string) {
  const list = await client.get('/api/customers').qs({ search: term }).bearerToken(token)
  list.assertStatus(200)
  return list.body().data.map((customer: any) => customer.name).sort()
}

async function create(client: any, token: string, name: string, phone: string) {
  const created = await client.post('/api/customers').bearerToken(token).json({ name, phone })
  created.assertStatus(201)
  return created.body()
}

function tillSearch(client: any, fixture: TestStore, q: string) {
  return client.get('/till/customers/search').qs({ q }).loginAs(fixture.users.cashier).withCookie(REGISTER_COOKIE, String(fixture.register.id)).header('HX-Request', 'true')
}

test.group('Customers: search by phone', () => {
  test('typed with or without the country code, by its first or last digits, with any separators', async ({ client, assert }) => {
    const fixture = await createStore()
    const token = await apiToken(client, fixture.users.cashier)
    const ada = await create(client, token, 'Ada Lovelace', '+1 (212) 555-0100')
    assert.equal(ada.phone, '+12125550100')
    await create(client, token, 'Local Larry', '212 555 0199')
    await create(client, token, 'Nines Nina', '+99 9999 9999')
    await create(client, token, 'Other Otto', '+44 20 7946 0958')
    // Another store's customer with the same number is never found
    const other = await createStore()
    await create(client, await apiToken(client, other.users.cashier), 'Elsewhere Ellen', '+12125550100')

    const cases: [string, string[]][] = [
      ['212-555-0100', ['Ada Lovelace']],
      ['(212) 555 0100', ['Ada Lovelace']],
      ['0100', ['Ada Lovelace']],
      ['212 555', ['Local Larry']], // its first digits
      ['212 555 01', ['Local Larry']],
      ['0199', ['Local Larry']],
      ['+1 212 555 0199', ['Local Larry']], // saved without the country code
      ['12125550199', ['Local Larry']],
      ['+1212', ['Ada Lovelace']],
      ['1212555', ['Ada Lovelace']],
      ['+999', ['Nines Nina']],
      ['9999 9999', ['Nines Nina']],
      ['555-0101', []],
    ]
    for (const [term, names] of cases) assert.deepEqual(await search(client, token, term), names, `search "${term}"`)

    const found = await tillSearch(client, fixture, '212-555-0100')
    assert.include(found.text(), `"customer_id": ${ada.id}`)

    // A changed number is found by its new digits only
    ;(await client.put(`/api/customers/${ada.id}`).bearerToken(token).json({ phone: '+1 646 555 0111' })).assertStatus(200)
    assert.deepEqual(await search(client, token, '212-555-0100'), [])
    assert.deepEqual(await search(client, token, '646-555-0111'), ['Ada Lovelace'])
  })

  test('customers saved before the migration are found once it has filled their digits', async ({ client, assert }) => {
    const fixture = await createStore()
    const token = await apiToken(client, fixture.users.cashier)
    const now = dbTimestamp()
    await db.table('customers').insert({ store_id: fixture.store.id, name: 'Old Olga', phone: '+13105550123', created_at: now, updated_at: now })
    assert.deepEqual(await search(client, token, '310-555-0123'), [])
    await fillPhoneReversed(db.connection())
    assert.deepEqual(await search(client, token, '310-555-0123'), ['Old Olga'])
  })
})
