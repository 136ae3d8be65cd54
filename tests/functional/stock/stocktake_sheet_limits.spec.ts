import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { createStore } from '#tests/fixtures'
import { submit } from '#tests/functional/backoffice/helpers'
import { FORM_FIELD_LIMIT } from '#platform/form_limits'
import { bulkProducts, formFields, typedSheet } from '#tests/functional/stock/sheet_helpers'

/*
| A count sheet's large form limits are for those who may count stock. The body is parsed before
| the session and the auth middleware (Shield reads the _csrf field from it), and a sheet's limits
| (10,000 fields) made every anonymous post to the sheet's address cost the server a fifth of a
| second of parsing before its redirect to the sign-in page. Now anyone else gets the small limits.
*/

/** A form of `count` empty fields, as someone who is not let through would send to the sheet */
function wideForm(count: number) {
  const body: Record<string, string> = {}
  for (let i = 0; i < count; i++) body[`x${i}`] = ''
  return body
}

test.group('Stocktakes: who gets a sheet\u2019s form limits', () => {
  test('an anonymous post of 5,000 fields to a sheet is refused by the small limits (413), not parsed; a small one goes to the sign-in page', async ({ client, assert }) => {
    const fixture = await createStore()
    await bulkProducts(fixture, 1)
    const url = (await submit(client, fixture.users.manager, 'post', '/backoffice/stock/stocktakes', {})).headers().location as string
    const wide = await client.post(url).form(wideForm(5_000)).withCsrfToken().redirects(0)
    wide.assertStatus(413)
    assert.include(wide.text(), `more than ${FORM_FIELD_LIMIT.toLocaleString('en-US')} fields`)
    const small = await client.post(url).form(wideForm(10)).withCsrfToken().redirects(0)
    small.assertStatus(302)
    assert.equal(small.headers().location, '/login')
  })

  test('a cashier\u2019s post of 5,000 fields to a sheet gets the small limits too; a small one its 403', async ({ client, assert }) => {
    const fixture = await createStore()
    await bulkProducts(fixture, 1)
    const url = (await submit(client, fixture.users.manager, 'post', '/backoffice/stock/stocktakes', {})).headers().location as string
    const wide = await submit(client, fixture.users.cashier, 'post', url, wideForm(5_000))
    wide.assertStatus(413)
    assert.include(wide.text(), `more than ${FORM_FIELD_LIMIT.toLocaleString('en-US')} fields`)
    const small = await submit(client, fixture.users.cashier, 'post', url, wideForm(10))
    small.assertStatus(403)
  })

  test('a manager\u2019s sheet of 5,000 fields is saved (a partial save: no approval)', async ({ client, assert }) => {
    const fixture = await createStore()
    await bulkProducts(fixture, 2_500)
    const manager = fixture.users.manager
    const url = (await submit(client, manager, 'post', '/backoffice/stock/stocktakes', {})).headers().location as string
    const stocktakeId = Number(url.split('/').pop())
    const fields = formFields((await client.get(url).loginAs(manager)).text(), url)
    const body = typedSheet(fields, () => '3')
    assert.isAbove(Object.keys(body).length, 5_000)
    const saved = await submit(client, manager, 'post', url, body)
    saved.assertStatus(302)
    const lines = await db.from('stocktake_lines').where('stocktake_id', stocktakeId).select('counted')
    assert.isAtLeast(lines.length, 2_500)
    assert.deepEqual([...new Set(lines.map((line) => line.counted))], [3])
    assert.equal((await db.from('stocktakes').where('id', stocktakeId).first()).status, 'counting')
  }).timeout(60_000)
})
