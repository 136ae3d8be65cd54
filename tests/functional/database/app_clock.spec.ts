import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import Device from '#models/device'
import { readTimestamp } from '#platform/db_time'
import { createStore } from '#tests/fixtures'

/*
| The app's own clock (start/clock.ts): a model's created_at is UTC, as every other time the app
| writes, on a server whose clock is set to local time too. Lucid stamped it with the process's
| zone: in New York, five hours behind the UTC of the raw writes it is compared with.
*/

test.group('The app clock', () => {
  test('a model stamped by a server set to New York time is stamped in UTC, and read back as that moment', async ({ assert }) => {
    const fixture = await createStore()
    const zone = process.env.TZ
    // Node takes a new TZ at once, as a process started with it would have
    process.env.TZ = 'America/New_York'
    try {
      assert.equal(new Date(Date.UTC(2026, 11, 7, 12)).getHours(), 7)
      const device = await Device.create({ storeId: fixture.store.id, registerId: fixture.register.id, kind: 'printer', name: 'Printer', transport: 'tcp', host: '127.0.0.1', port: 9 })
      const row = await db.from('devices').where('id', device.id).select('created_at').firstOrFail()
      assert.closeTo(readTimestamp(row.created_at).getTime(), Date.now(), 60_000)
      const read = await Device.findOrFail(device.id)
      assert.closeTo(read.createdAt.toMillis(), Date.now(), 60_000)
    } finally {
      if (zone === undefined) delete process.env.TZ
      else process.env.TZ = zone
    }
  })
})
