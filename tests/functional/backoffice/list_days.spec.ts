import { test } from '@japa/runner'
import { DateTime } from 'luxon'
import { apiToken, cashIntoDrawer, createProduct, createStore, PINS } from '#tests/fixtures'
import { sellFor } from '#tests/functional/backoffice/helpers'

/*
| The back office's sales list and refunds list read their days (`?from=&to=`) with one parser
| (app/platform/calendar_day.ts, listDays): the same days are taken by both, and refused by both
| with the same message at the same field. The refunds list refused days the sales list took
| (the wrong way round, more than 366 days, a last day alone more than 30 days ago): a manager
| comparing a week's sales with its refunds typed the same days into both and got a list and a 422.
*/

const field = (html: string, name: string) => html.match(new RegExp(`<input id="field-${name}" name="${name}" type="date" value="([^"]*)"`))?.[1]

test.group('Back office lists: the days of the sales and refunds lists', () => {
  test('the same days are taken by both lists (the wrong way round, over a year, one end alone), and a day that is not one refused by both alike', async ({ client, assert }) => {
    const fixture = await createStore()
    const mug = await createProduct(fixture, { name: 'Mug', price: 1000, taxClass: 'zero', stock: 10 })
    const sale = await sellFor(fixture, [{ product: mug, quantity: 1 }])
    await cashIntoDrawer(fixture, 5000)
    const cashier = await apiToken(client, fixture.users.cashier)
    const refund = await client.post('/api/refunds').bearerToken(cashier).json({ items: [{ product_id: mug.id, quantity: 1 }], reason: 'No receipt', manager_pin: PINS.manager })
    refund.assertStatus(201)
    const zone = fixture.store.timeZone
    const today = DateTime.now().setZone(zone).toISODate()!
    const weeksAgo = DateTime.now().setZone(zone).minus({ days: 40 }).toISODate()!
    const longAgo = DateTime.now().setZone(zone).minus({ days: 400 }).toISODate()!
    const get = (url: string) => client.get(url).loginAs(fixture.users.manager)

    for (const [query, from, to, listsToday] of [
      [`from=${today}&to=${weeksAgo}`, weeksAgo, today, true],
      [`from=${longAgo}&to=${today}`, longAgo, today, true],
      [`to=${weeksAgo}`, weeksAgo, weeksAgo, false],
      [`from=${today}`, today, today, true],
      [`from=${weeksAgo}&to=`, weeksAgo, weeksAgo, false],
    ] as const) {
      const sales = await get(`/backoffice/sales?${query}`)
      const refunds = await get(`/backoffice/refunds?${query}`)
      sales.assertStatus(200)
      refunds.assertStatus(200)
      assert.deepEqual([field(sales.text(), 'from'), field(sales.text(), 'to')], [from, to], `sales ?${query}`)
      assert.deepEqual([field(refunds.text(), 'from'), field(refunds.text(), 'to')], [from, to], `refunds ?${query}`)
      assert.equal(sales.text().includes(`/backoffice/sales/${sale.id}"`), listsToday, `sales ?${query}`)
      assert.equal(refunds.text().includes(`data-refund="${refund.body().id}"`), listsToday, `refunds ?${query}`)
      const csv = await get(`/backoffice/refunds.csv?${query}`)
      csv.assertStatus(200)
      assert.include(csv.header('content-disposition'), `refunds-${from}-${to}.csv`, query)
    }

    // A day that is not one: 422 at its field, the same words on both, and no list
    for (const [query, name] of [['from=2026-13-01', 'from'], [`from=${today}&to=abc`, 'to'], ['to=9999-01-01', 'to']] as const) {
      const sales = await get(`/backoffice/sales?${query}`)
      const refunds = await get(`/backoffice/refunds?${query}`)
      sales.assertStatus(422)
      refunds.assertStatus(422)
      const message = (html: string) => html.match(new RegExp(`data-error-for="${name}">([^<]*)<`))?.[1]
      assert.isString(message(sales.text()), query)
      assert.equal(message(refunds.text()), message(sales.text()), query)
      assert.notInclude(refunds.text(), 'data-testid="refunds-list"', query)
      ;(await get(`/backoffice/refunds.csv?${query}`)).assertStatus(422)
    }
  }).timeout(60_000)
})
