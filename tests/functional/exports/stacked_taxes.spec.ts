import { test } from '@japa/runner'
import { DateTime } from 'luxon'
import db from '@adonisjs/lucid/services/db'
import { rollUpDays } from '#reports/day_rollup'
import { apiToken, createProduct, createStore } from '#tests/fixtures'
import { enablePluginForTest } from '#tests/plugins'
import { resetPlugins, useFolders } from '#tests/functional/plugins/helpers'
import { apiAs, sell } from '#tests/functional/shifts/helpers'
import { csvRows, minor } from '#tests/functional/exports/helpers'

/*
| A US store's tax plugin stacks three taxes on a line (state, county, city), each owed to its
| own authority. The books and the Z report booked their sum as one tax ("Sales tax 7.75%",
| under the store's flat tax name): they list each component now, under its own name and rate,
| with the amounts the lines kept, and a later refund split across the components it returns.
*/

const US_TAXES = { state_name: 'State', state_rate: 62500, county_name: 'County', county_rate: 10000, city_name: 'City', city_rate: 5000, rounding: 'half_up_per_line' }
const TAX_ACCOUNTS = { tax_accounts: 'state=2201,county=2202,city=2203' }

test.group('Accounting exports and the Z report: stacked taxes listed per component', (group) => {
  group.each.setup(() => useFolders())
  group.each.teardown(() => resetPlugins())

  test('a sale taxed by state, county and city, part of it refunded the next day', async ({ client, assert }) => {
    const fixture = await createStore()
    await enablePluginForTest('tax-us-sales', US_TAXES)
    for (const id of ['export-journal', 'export-quickbooks', 'export-xero']) await enablePluginForTest(id, TAX_ACCOUNTS)
    await enablePluginForTest('export-sales-lines')
    const mugs = await createProduct(fixture, { name: 'Mug', price: 1234, taxClass: 'standard', stock: 100 })
    const lamp = await createProduct(fixture, { name: 'Lamp', price: 1999, taxClass: 'standard', stock: 100 })
    const seeds = await createProduct(fixture, { name: 'Seeds', price: 500, taxClass: 'exempt', stock: 100 })

    const api = await apiAs(client, fixture.users.cashier)
    const sold = await sell(api, fixture.register.id, [
      { product_id: mugs.id, quantity: 3 },
      { product_id: lamp.id, quantity: 1 },
      { product_id: seeds.id, quantity: 1 },
    ], 'card_external')
    sold.assertStatus(201)
    const saleId = sold.body().id
    // 37.02: 2.31375 -> 2.31, 0.3702 -> 0.37, 0.1851 -> 0.19; 19.99: 1.25, 0.20, 0.10
    const items = await db.from('sale_items').where('sale_id', saleId).orderBy('id')
    const kept = items.map((i) => (typeof i.taxes === 'string' ? JSON.parse(i.taxes) : i.taxes).map((t: any) => [t.code, t.ratePpm, t.amount]))
    assert.deepEqual(kept, [
      [['state', 62500, 231], ['county', 10000, 37], ['city', 5000, 19]],
      [['state', 62500, 125], ['county', 10000, 20], ['city', 5000, 10]],
      [],
    ])
    assert.equal(sold.body().tax_total, 442)

    // The Z report: each tax on its own line, the net it was charged on beside it
    const shift = await db.from('shifts').where({ open_register_id: fixture.register.id }).firstOrFail()
    const closed = await api.post(`/api/shifts/${shift.id}/close`, { counts: { '100': 0 } })
    closed.assertStatus(200)
    assert.deepEqual(closed.body().report.taxByRate, [
      { name: 'State', ratePpm: 62500, net: 5701, tax: 356, gross: 6057 },
      { name: 'County', ratePpm: 10000, net: 5701, tax: 57, gross: 5758 },
      { name: 'City', ratePpm: 5000, net: 5701, tax: 29, gross: 5730 },
      { ratePpm: 0, net: 500, tax: 0, gross: 500 },
    ])
    const page = (await client.get(`/backoffice/shifts/${shift.id}`).loginAs(fixture.users.manager)).text()
    assert.match(page, /<td>State 6\.25%<\/td><td class="num">\$57\.01<\/td><td class="num">\$3\.56</)
    assert.match(page, /<td>City 0\.5%<\/td><td class="num">\$57\.01<\/td><td class="num">\$0\.29</)

    // Sold yesterday; one mug comes back today
    const zone = fixture.store.timeZone
    const today = DateTime.now().setZone(zone).startOf('day')
    const yesterday = today.minus({ days: 1 })
    await db.from('sales').where('id', saleId).update({ completed_at: yesterday.set({ hour: 15 }).toUTC().toFormat('yyyy-MM-dd HH:mm:ss') })
    await rollUpDays(fixture.store)
    const token = await apiToken(client, fixture.users.manager)
    const refunded = await client.post(`/api/sales/${saleId}/refunds`).bearerToken(token).json({ items: [{ sale_item_id: items[0].id, quantity: 1 }], reason: 'Chipped' })
    refunded.assertStatus(201)
    const refund = await db.from('refund_items').where('sale_item_id', items[0].id).firstOrFail()
    // A third of the line's 2.87 of tax: 0.95; split 2.31 : 0.37 : 0.19 it is 0.76, 0.12, 0.06, and
    // the cent the rounding down left goes to the largest, the state's
    assert.equal(Number(refund.tax_amount), 95)

    const accountant = await apiToken(client, fixture.users.accountant)
    const exported = async (id: string) => {
      const answer = await client.get(`/api/exports/${id}?from=${yesterday.toISODate()}&to=${today.toISODate()}`).bearerToken(accountant)
      answer.assertStatus(200)
      return csvRows(answer.text()).slice(1)
    }
    // Ordered by code, as every tax of the books is (city, county, state)
    const sold_ = [['2203', 'City 0.5%', 29], ['2202', 'County 1%', 57], ['2201', 'State 6.25%', 356]]
    const back = [['2203', 'Tax refunded: City 0.5%', 6], ['2202', 'Tax refunded: County 1%', 12], ['2201', 'Tax refunded: State 6.25%', 77]]

    // Journal: date, account, debit, credit, memo; each day balances
    const journal = await exported('journal')
    const taxLines = (rows: string[][], date: string) =>
      rows.filter((r) => r[0] === date && (r[1].startsWith('22') || r[4].includes('Tax') || r[4].includes('%'))).map((r) => [r[1], r[4], minor(r[3]) || minor(r[2])])
    assert.deepEqual(taxLines(journal, yesterday.toISODate()!), sold_)
    assert.deepEqual(taxLines(journal, today.toISODate()!), back)
    for (const date of [yesterday.toISODate(), today.toISODate()]) {
      assert.equal(journal.filter((r) => r[0] === date).reduce((sum, r) => sum + minor(r[2]) - minor(r[3]), 0), 0, `${date} balances`)
    }

    // QuickBooks: JournalNo, JournalDate, AccountName, Debits, Credits, Description, Name
    const quickbooks = await exported('quickbooks')
    const qbTax = quickbooks.filter((r) => r[2].startsWith('22')).map((r) => [r[2], r[5], minor(r[4]) || minor(r[3])])
    assert.deepEqual(qbTax, [...sold_, ...back])

    // Xero: Narration, Date, Description, AccountCode, TaxRate, Amount (a credit negative)
    const xero = await exported('xero')
    const xeroTax = xero.filter((r) => r[3].startsWith('22')).map((r) => [r[3], r[2], Math.abs(minor(r[5]))])
    assert.deepEqual(xeroTax, [...sold_, ...back])
    assert.deepEqual(xero.filter((r) => r[3].startsWith('22')).map((r) => Math.sign(minor(r[5]))), [-1, -1, -1, 1, 1, 1])

    // Sales lines: a row per tax of a stacked line, the line's quantity and net on the first;
    // every column still adds up to the sale
    const lines = await exported('sales-lines')
    assert.deepEqual(
      lines.map((r) => [r[5], r[6], r[9], r[10], minor(r[11]), minor(r[12]), minor(r[13])]),
      [
        ['Mug', '3', 'state', '6.25', 231, 3702, 3933],
        ['Mug', '0', 'county', '1', 37, 0, 37],
        ['Mug', '0', 'city', '0.5', 19, 0, 19],
        ['Lamp', '1', 'state', '6.25', 125, 1999, 2124],
        ['Lamp', '0', 'county', '1', 20, 0, 20],
        ['Lamp', '0', 'city', '0.5', 10, 0, 10],
        ['Seeds', '1', 'exempt', '0', 0, 500, 500],
      ]
    )
    assert.equal(lines.reduce((sum, r) => sum + minor(r[11]), 0), 442)
    assert.equal(lines.reduce((sum, r) => sum + minor(r[13]), 0), Number(sold.body().total))
  })

  test('lines of the flat rate and stacked lines of the same class and summed rate, in the same hour, are booked apart', async ({ client, assert }) => {
    // The store's own rate for the class is what the three add up to
    const fixture = await createStore({ taxPpm: 77500 })
    await enablePluginForTest('export-journal')
    const lamp = await createProduct(fixture, { name: 'Lamp', price: 1000, taxClass: 'standard', stock: 100 })
    const api = await apiAs(client, fixture.users.cashier)
    const flat = await sell(api, fixture.register.id, [{ product_id: lamp.id, quantity: 1 }], 'card_external')
    flat.assertStatus(201)
    await enablePluginForTest('tax-us-sales', US_TAXES)
    const stacked = await sell(api, fixture.register.id, [{ product_id: lamp.id, quantity: 2 }], 'card_external')
    stacked.assertStatus(201)
    const [first, second] = await db.from('sale_items').whereIn('sale_id', [flat.body().id, stacked.body().id]).orderBy('id')
    assert.deepEqual([first.tax_class, Number(first.tax_rate_ppm), second.tax_class, Number(second.tax_rate_ppm)], ['standard', 77500, 'standard', 77500])
    // 10.00 at the flat 7.75%: 0.78; 20.00 at 6.25%, 1% and 0.5%: 1.25, 0.20, 0.10
    assert.deepEqual([flat.body().tax_total, stacked.body().tax_total], [78, 155])

    const today = DateTime.now().setZone(fixture.store.timeZone).toISODate()
    const answer = await client.get(`/api/exports/journal?from=${today}&to=${today}`).bearerToken(await apiToken(client, fixture.users.accountant))
    answer.assertStatus(200)
    const rows = csvRows(answer.text()).slice(1)
    assert.deepEqual(
      rows.filter((r) => r[4].includes('%')).map((r) => [r[4], minor(r[3])]),
      [['City 0.5%', 10], ['County 1%', 20], ['Sales tax 7.75%', 78], ['State 6.25%', 125]]
    )
    assert.equal(rows.reduce((sum, r) => sum + minor(r[2]) - minor(r[3]), 0), 0, 'the day balances')
  })
})
