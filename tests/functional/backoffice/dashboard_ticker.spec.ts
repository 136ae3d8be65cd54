import { test } from '@japa/runner'
import { randomUUID } from 'node:crypto'
import db from '@adonisjs/lucid/services/db'
import { apiToken, createProduct, createStore } from '#tests/fixtures'
import { dbTimestamp } from '#platform/db_time'

/*
| The dashboard's latest sales give each sale's time with its zone's abbreviation: on the night
| clocks go back (New York, 2026-11-01) 01:30 comes twice, and the two sales read the same time.
*/

test.group('Dashboard: latest sales', () => {
  test('two sales an hour apart on the night clocks go back read 01:30 EDT and 01:30 EST, not the same time twice', async ({ client, assert }) => {
    const fixture = await createStore()
    const tea = await createProduct(fixture, { price: 450, stock: 20 })
    const token = await apiToken(client, fixture.users.cashier)
    const ids: number[] = []
    for (let i = 0; i < 2; i++) {
      const sold = await client.post('/api/sales').bearerToken(token).header('idempotency-key', randomUUID()).json({ items: [{ product_id: tea.id, quantity: 1 }], payment_method: 'cash', tendered: 100_000 })
      sold.assertStatus(201)
      ids.push(sold.body().id)
    }
    // 05:30 and 06:30 UTC: 01:30 in New York, daylight time, then standard time
    await db.from('sales').where('id', ids[0]).update({ completed_at: dbTimestamp(new Date('2026-11-01T05:30:00Z')) })
    await db.from('sales').where('id', ids[1]).update({ completed_at: dbTimestamp(new Date('2026-11-01T06:30:00Z')) })
    const page = await client.get('/backoffice').loginAs(fixture.users.manager)
    page.assertStatus(200)
    const ticker = page.text().split('data-testid="sales-ticker"')[1].split('</ol>')[0]
    assert.include(ticker, 'Nov 1, 01:30:00 EDT')
    assert.include(ticker, 'Nov 1, 01:30:00 EST')
  })
})
