import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import Papa from 'papaparse'
import { apiToken, cashIntoDrawer, createProduct, createStore, PINS } from '#tests/fixtures'

/*
| The night the clocks go back (Europe/Berlin, 2026-10-25: 03:00 CEST becomes 02:00 CET), the
| hour from 02:00 to 03:00 happens twice. A refund at 00:30 UTC (02:30 CEST) and one at 01:30 UTC
| (02:30 CET) were both listed at "2026-10-25 02:30", as if one refund were listed twice: each now
| reads with its offset, once, on the store day it was made in (the CSV: its local time in one
| format, and its offset in a column of its own).
*/
test.group('Back office: refunds list on the autumn clock change', () => {
  test('each refund of the repeated hour is listed once, at its own local time with its offset', async ({ client, assert }) => {
    const fixture = await createStore()
    await db.from('stores').where('id', fixture.store.id).update({ time_zone: 'Europe/Berlin' })
    const mug = await createProduct(fixture, { name: 'Mug', price: 1000, stock: 4 })
    await cashIntoDrawer(fixture, 5000)
    const cashier = await apiToken(client, fixture.users.cashier)
    const made = new Map<string, number>()
    // 01:30 CEST on the 25th, 02:30 CEST, 02:30 CET, 03:30 CET
    for (const at of ['2026-10-24 23:30:00', '2026-10-25 00:30:00', '2026-10-25 01:30:00', '2026-10-25 02:30:00']) {
      const response = await client.post('/api/refunds').bearerToken(cashier).json({ items: [{ product_id: mug.id, quantity: 1 }], reason: 'Broken', manager_pin: PINS.manager })
      response.assertStatus(201)
      made.set(at, response.body().id)
      await db.from('refunds').where('id', response.body().id).update({ created_at: at })
    }
    const want = [
      [made.get('2026-10-25 02:30:00'), '2026-10-25 03:30'],
      [made.get('2026-10-25 01:30:00'), '2026-10-25 02:30 UTC+01:00'],
      [made.get('2026-10-25 00:30:00'), '2026-10-25 02:30 UTC+02:00'],
      [made.get('2026-10-24 23:30:00'), '2026-10-25 01:30'],
    ].map(([id, time]) => [String(id), time])
    const wantCsv = [
      [made.get('2026-10-25 02:30:00'), '2026-10-25 03:30', 'UTC+01:00'],
      [made.get('2026-10-25 01:30:00'), '2026-10-25 02:30', 'UTC+01:00'],
      [made.get('2026-10-25 00:30:00'), '2026-10-25 02:30', 'UTC+02:00'],
      [made.get('2026-10-24 23:30:00'), '2026-10-25 01:30', 'UTC+02:00'],
    ].map(([id, time, offset]) => [String(id), time, offset])
    for (const days of ['from=2026-10-25&to=2026-10-25', 'from=2026-10-24&to=2026-10-25', 'from=2026-10-25&to=2026-10-26']) {
      const html = (await client.get(`/backoffice/refunds?${days}`).loginAs(fixture.users.manager)).text()
      const rows = [...html.matchAll(/data-refund="(\d+)">\s*<td>#\d+<\/td>\s*<td>([^<]*)<\/td>/g)].map((m) => [m[1], m[2]])
      assert.deepEqual(rows, want, days)
      const csv = Papa.parse<string[]>((await client.get(`/backoffice/refunds.csv?${days}`).loginAs(fixture.users.manager)).text().trim()).data
      // The CSV: one time format in every row (a spreadsheet reads them all as times), the offset apart
      assert.deepEqual(csv.slice(1).map((r) => [r[0].replace('\ufeff', ''), r[1], r[11]]), wantCsv, `${days} (CSV)`)
    }
    // The day before holds none of them (01:30 CEST on the 25th is no refund of the 24th)
    assert.include((await client.get('/backoffice/refunds?from=2026-10-24&to=2026-10-24').loginAs(fixture.users.manager)).text(), 'data-testid="no-refunds"')
  })
})
