import { test } from '@japa/runner'
import { DateTime } from 'luxon'
import Papa from 'papaparse'
import db from '@adonisjs/lucid/services/db'
import ShiftService from '#shifts/shift_service'
import SummaryRebuild from '#reports/summary_rebuild'
import { rollUpDays } from '#reports/day_rollup'
import { zReportLines } from '#shifts/shift_report_service'
import { dbTimestamp } from '#platform/db_time'
import { apiToken, createProduct, createStore } from '#tests/fixtures'
import { completedSale } from '../returns/helpers.js'

/*
| "Refunds paid" beside a register's sales counted a card refund as if the drawer had paid it. The
| report by register now says both: the refunds made there in every tender, and the cash of them
| that left the drawer; the X and Z reports' cash counts only cash, and their printed lines say so.
*/

test.group('Reports: refunds by register', () => {
  test('the refunds of every tender and the cash that left the drawer, apart: page, CSV, X report', async ({ client, assert }) => {
    const fixture = await createStore()
    const tea = await createProduct(fixture, { name: 'Tea', price: 1000, taxClass: 'zero', stock: 50 })
    const manager = await apiToken(client, fixture.users.manager)
    const cash = await completedSale(client, manager, [{ product_id: tea.id, quantity: 2 }])
    const card = await completedSale(client, manager, [{ product_id: tea.id, quantity: 1 }], 'card_external', { reference: 'T1' })
    ;(await client.post(`/api/sales/${cash.id}/refunds`).bearerToken(manager).json({ items: [{ sale_item_id: cash.items[0].id, quantity: 1 }], reason: 'Cold' })).assertStatus(201)
    ;(await client.post(`/api/sales/${card.id}/refunds`).bearerToken(manager).json({ items: [{ sale_item_id: card.items[0].id, quantity: 1 }], reason: 'Wrong tea' })).assertStatus(201)

    // The drawer's figures: only the cash refund; the refunds of every tender, said so
    const shift = (await new ShiftService().current(fixture.store.id, fixture.register.id))!
    const { figures } = await new ShiftService().xReport(fixture.store.id, fixture.store.currency, shift.id)
    assert.equal(figures.cash.refunds, 1000)
    const lines = zReportLines(1, figures, fixture.store.timeZone)
    assert.deepInclude(lines, ['Refunds (all tenders)', '2 · $20.00'])
    assert.deepInclude(lines, ['Cash refunds', '$10.00'])
    const x = await client.get(`/backoffice/shifts/${shift.id}`).loginAs(fixture.users.manager)
    assert.include(x.text(), 'data-testid="cash-refunds">−$10.00')
    assert.include(x.text(), 'Refunds, all tenders (2)')

    const check = async (day: string, why: string) => {
      const page = await client.get(`/backoffice/reports?from=${day}&to=${day}`).loginAs(fixture.users.manager)
      page.assertStatus(200)
      assert.include(page.text(), '<th class="num">Refunds (all tenders)</th><th class="num">Cash refunds (drawer)</th>', why)
      assert.include(page.text(), `<tr data-register="${fixture.register.id}"><td>Register 1</td><td class="num">2</td><td class="num">$30.00</td><td class="num">$20.00</td><td class="num">$10.00</td></tr>`, why)
      const csv = Papa.parse<string[]>((await client.get(`/backoffice/reports/csv/registers?from=${day}&to=${day}`).loginAs(fixture.users.manager)).text().trim()).data
      assert.deepEqual(csv, [['Register', 'Sales', 'Total', 'Refunds (all tenders)', 'Cash refunds (drawer)'], ['Register 1', '2', '30.00', '20.00', '10.00']], why)
    }
    await check(DateTime.now().setZone(fixture.store.timeZone).toISODate()!, 'today, from the lines')

    // The same on a day over, rolled up: the sales and refund totals from the summaries
    const past = DateTime.now().setZone(fixture.store.timeZone).minus({ days: 3 }).set({ hour: 12 })
    await db.from('sales').where('store_id', fixture.store.id).update({ completed_at: dbTimestamp(past) })
    await db.from('refunds').where('store_id', fixture.store.id).update({ created_at: dbTimestamp(past) })
    await rollUpDays(fixture.store)
    await new SummaryRebuild().rebuild(fixture.store, past.toISODate()!, past.toISODate()!)
    await check(past.toISODate()!, 'a day rolled up, from the summaries')
  })
})
