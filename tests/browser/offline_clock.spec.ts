import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { DateTime } from 'luxon'
import { rowTime } from '#platform/row_time'
import { createProduct, createStore } from '#tests/fixtures'
import { offline, openTill, sellOffline, waitReady } from './offline/till_device.js'

/*
| A till whose clock is wrong (hours ahead, a day behind: no time server, a flat clock battery)
| dated its offline sales by it, and they landed on another day in the reports and in no shift.
| The till measures its clock against the server's while online and dates its offline sales by
| the server's time.
*/

const PORT = Number(process.env.PORT ?? 3334) + 35

/** Runs in the page before its scripts: its clock is `shift` ms off */
function wrongClock(shift: number) {
  const page = globalThis as any
  const RealDate = page.Date
  class ShiftedDate extends RealDate {
    constructor(...args: any[]) {
      if (args.length === 0) super(RealDate.now() + shift)
      else super(...(args as []))
    }
    static now() {
      return RealDate.now() + shift
    }
  }
  page.Date = ShiftedDate
}

function backOnline(page: any) {
  return page.waitForFunction(() => {
    const doc = (globalThis as any).document
    return doc.body.dataset.offlineReady === 'yes' && !doc.querySelector('#offline-till:not([hidden])')
  }, null, { timeout: 30_000 })
}

test.group('Offline till with a wrong clock', () => {
  for (const [label, shift] of [['5 hours ahead', 5 * 3600_000], ['a day behind', -24 * 3600_000]] as const) {
    test(`a till whose clock is ${label} dates its offline sales by the server's time`, async ({ assert, cleanup }) => {
      const fixture = await createStore()
      await createProduct(fixture, { name: 'Bread', price: 400, barcode: '96385074', stock: 100 })
      const { till, page } = await openTill(fixture, PORT, cleanup)
      await till.context.addInitScript(wrongClock, shift)
      await page.reload()
      await waitReady(page)
      assert.closeTo(await page.evaluate(() => Date.now()) - Date.now(), shift, 60_000)

      await till.context.setOffline(true)
      await offline(page).waitFor({ timeout: 20_000 })
      const before = DateTime.utc().minus({ seconds: 5 })
      assert.equal(await sellOffline(page, ['96385074']), 1)
      const after = DateTime.utc().plus({ seconds: 5 })
      await till.context.setOffline(false)
      await backOnline(page)

      const sale = await db.from('sales').where({ register_id: fixture.register.id, number: 1 }).firstOrFail()
      const at = rowTime(sale.completed_at)!
      assert.isTrue(at >= before && at <= after, `made between ${before.toISO()} and ${after.toISO()}, dated ${at.toISO()}`)
      assert.deepEqual(till.violations, [])
    }).timeout(180_000)
  }
})
