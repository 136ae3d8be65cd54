import { test } from '@japa/runner'
import { DateTime } from 'luxon'
import { apiToken, createProduct, createStore } from '#tests/fixtures'

/*
| The value axis of the reports' charts writes round amounts without their zero cents ("$1,500",
| not "$1,500.00"). A currency of no minor digits has nothing to take off: "¥2,000" lost its
| ",000" as if it were cents, and the axis of a yen store read ¥1, ¥2, ¥3 beside bars of thousands.
*/
const axisLabels = (html: string) => [...html.matchAll(/<text x="\d+(?:\.\d+)?" y="\d+" text-anchor="end" fill="#333">([^<]*)<\/text>/g)].map((m) => m[1])

test.group('Reports charts: the value axis', () => {
  test('a store in yen reads ¥1,000 on the axis, not ¥1; a store in dollars $10, not $10.00', async ({ client, assert }) => {
    const fixture = await createStore({ openShift: false })
    await fixture.store.merge({ currency: 'JPY' }).save()
    const tea = await createProduct(fixture, { name: 'Tea', price: 2400, taxClass: 'zero', stock: 10 })
    const token = await apiToken(client, fixture.users.cashier)
    ;(await client.post('/api/sales').bearerToken(token).json({ items: [{ product_id: tea.id, quantity: 1 }], payment_method: 'card_external' })).assertStatus(201)
    const today = DateTime.now().setZone(fixture.store.timeZone).toISODate()!

    const page = await client.get(`/backoffice/reports?from=${today}&to=${today}`).loginAs(fixture.users.manager)
    page.assertStatus(200)
    // ¥2,400 taken: ticks every ¥1,000 up to ¥3,000
    assert.deepEqual(axisLabels(page.text()).slice(0, 4), ['¥0', '¥1,000', '¥2,000', '¥3,000'])
    const month = await client.get(`/backoffice/reports/periods?view=month&period=${today.slice(0, 7)}`).loginAs(fixture.users.manager)
    month.assertStatus(200)
    assert.deepEqual(axisLabels(month.text()), ['¥0', '¥1,000', '¥2,000', '¥3,000'])

    // Dollars keep losing only their zero cents
    await fixture.store.merge({ currency: 'USD' }).save()
    const dollars = await client.get(`/backoffice/reports/periods?view=month&period=${today.slice(0, 7)}`).loginAs(fixture.users.manager)
    assert.deepEqual(axisLabels(dollars.text()), ['$0', '$10', '$20', '$30'])
  })
})
