import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { dbTimestamp } from '#platform/db_time'
import { DateTime } from 'luxon'
import { apiToken, cashIntoDrawer, countRows, createProduct, createStore } from '#tests/fixtures'
import ReportService from '#reports/report_service'
import SummaryRebuild from '#reports/summary_rebuild'
import { rollUpMonth } from '#reports/month_rollup'
import { rollUpDays, rollUpSummaries } from '#reports/day_rollup'
import { lastMonthOver, lockMarkers, lockRolledUpMonths, monthIsOpen, monthIsOver } from '#sales/product_months'
import { markKeptMonths } from '#database/migrations/0110_product_month_rollups'
import { saleSummaryStatements } from '#sales/sale_summaries'
import { inTransaction } from '#platform/db_transaction'
import { runStatements } from '#platform/sql_batch'
import { TestDevice } from '../offline/device.js'
import { heldOpen, lateSaleFigures } from './late_writes.js'

/*
| The products' month rows are kept for months that are over (app/sales/product_months.ts): a sale
| made now writes none, a month is rolled up from its days (themselves rolled up from the lines) a
| day after it ends, a late write into an old month adds to its rows once it is rolled up, and the
| reports read the same as from the lines at every step. Each test runs on the suite's database (SQLite or MariaDB).
*/

const monthRows = (storeId: number, month?: string) => countRows('summary_product_months', month ? { store_id: storeId, month } : { store_id: storeId })

/** A write into the month before last (a late one): the store, its product, the month and the sale's figures */
async function lateSale() {
  const fixture = await createStore()
  const { store } = fixture
  const tea = await createProduct(fixture, { price: 450, stock: 500 })
  // Its days are rolled up (none sold yet): a write into them moves their summaries
  await rollUpDays(store)
  const at = DateTime.now().setZone(store.timeZone).minus({ months: 2 }).set({ day: 3, hour: 12 })
  return { store, tea, month: at.toFormat('yyyy-MM'), figures: lateSaleFigures(fixture, tea.id, at.toUTC()) }
}

test.group('Reports: the products’ months', () => {
  test('when a month is open to writes, and when it may be rolled up, in the store’s time zone', ({ assert }) => {
    const zone = 'America/New_York' // December 1st starts at 05:00 UTC
    assert.isTrue(monthIsOpen('2026-11', zone, DateTime.fromISO('2026-12-01T05:59:00Z').toMillis()))
    assert.isFalse(monthIsOpen('2026-11', zone, DateTime.fromISO('2026-12-01T06:00:00Z').toMillis()))
    assert.isFalse(monthIsOver('2026-11', zone, DateTime.fromISO('2026-12-02T04:59:00Z')))
    assert.isTrue(monthIsOver('2026-11', zone, DateTime.fromISO('2026-12-02T05:00:00Z')))
    assert.equal(lastMonthOver(zone, DateTime.fromISO('2026-12-02T04:59:00Z')), '2026-10')
    assert.equal(lastMonthOver(zone, DateTime.fromISO('2026-12-02T05:00:00Z')), '2026-11')
    // UTC+14: December ends there at 10:00 UTC on the 31st, and may be rolled up a day later
    assert.equal(lastMonthOver('Pacific/Kiritimati', DateTime.fromISO('2027-01-01T09:59:00Z')), '2026-11')
    assert.equal(lastMonthOver('Pacific/Kiritimati', DateTime.fromISO('2027-01-01T10:00:00Z')), '2026-12')
  })

  test('no month row for a sale made now; months rolled up a day after they end; late writes move them, an old sale is refunded; reports equal the lines', async ({ client, assert }) => {
    const fixture = await createStore()
    const { store } = fixture
    const tea = await createProduct(fixture, { price: 450, stock: 500 })
    const cake = await createProduct(fixture, { price: 1200, stock: 500, taxClass: 'reduced' })
    const zone = store.timeZone
    const now = DateTime.now().setZone(zone)
    const threeBack = now.minus({ months: 3 }).startOf('month')
    const twoBack = now.minus({ months: 2 }).startOf('month')
    const month = (at: DateTime) => at.toFormat('yyyy-MM')

    // Offline sales of two and three months ago, synced now, before any roll-up: no rows yet, the
    // reports read their lines
    // (in the register's shift, open since before them: a refund of one further down pays from its drawer)
    await db.from('shifts').where({ open_register_id: fixture.register.id }).update({ opened_at: dbTimestamp(threeBack.minus({ days: 1 })) })
    const device = new TestDevice(fixture)
    ;(await device.takeLease(client)).assertStatus(200)
    await device.sell([{ product: tea, quantity: 2 }, { product: cake, quantity: 1 }], { at: threeBack.set({ day: 10, hour: 12 }) })
    await device.sell([{ product: tea, quantity: 5 }], { at: twoBack.set({ day: 12, hour: 9 }) })
    await device.syncAll(client, assert)
    assert.equal(await monthRows(store.id), 0)
    assert.equal(await countRows('summary_products', { store_id: store.id }), 0)
    assert.equal(await countRows('summary_month_rollups', { store_id: store.id }), 0, 'no month is locked for days not rolled up')

    const fromSummaries = new ReportService()
    const fromLines = new ReportService(undefined, 'lines')
    const sameAsLines = async (why: string) => {
      for (const [from, to] of [[threeBack, now.minus({ days: 1 })], [threeBack, twoBack.endOf('month')], [twoBack.plus({ days: 3 }), now]]) {
        assert.deepEqual(await fromSummaries.products(store, from.toISODate()!, to.toISODate()!), await fromLines.products(store, from.toISODate()!, to.toISODate()!), `${why}: ${from.toISODate()}..${to.toISODate()}`)
      }
      const span = (await new SummaryRebuild().span(store))!
      assert.deepEqual(await new SummaryRebuild().check(store, span.from, span.to), [], why)
    }
    await sameAsLines('before the roll-up')

    // Rolled up: the days, then every month from the first summary day to the last month over, once
    const rolled = await rollUpSummaries()
    assert.isAtLeast(rolled.months, 2)
    assert.equal(await monthRows(store.id, month(threeBack)), 2)
    assert.equal(await monthRows(store.id, month(twoBack)), 1)
    assert.equal(await monthRows(store.id, month(now)), 0)
    const done = await db.from('summary_month_rollups').where('store_id', store.id).whereNotNull('rolled_up_at').select('month')
    assert.includeMembers(done.map((m) => m.month), [month(threeBack), month(twoBack), lastMonthOver(zone)])
    assert.isFalse(await rollUpMonth(store.id, month(twoBack)), 'a month is rolled up once')
    await sameAsLines('after the roll-up')
    // The report reads a rolled-up month from its month rows (not its days): a changed row shows
    const whole = [twoBack.toISODate()!, twoBack.endOf('month').toISODate()!] as const
    const teaOf = async () => (await fromSummaries.products(store, ...whole)).all.find((p) => p.productId === tea.id)?.quantity
    assert.equal(await teaOf(), 5)
    await db.from('summary_product_months').where({ store_id: store.id, month: month(twoBack), product_id: tea.id }).increment('quantity', 100)
    assert.equal(await teaOf(), 105)
    await db.from('summary_product_months').where({ store_id: store.id, month: month(twoBack), product_id: tea.id }).decrement('quantity', 100)

    // A late sync into a rolled-up month adds to its month rows
    const lateSale = await device.sell([{ product: cake, quantity: 3 }], { at: twoBack.set({ day: 20, hour: 15 }) })
    assert.equal((await device.sync(client, lateSale)).body().results[0].outcome, 'recorded')
    const cakeMonth = await db.from('summary_product_months').where({ store_id: store.id, month: month(twoBack), product_id: cake.id }).first()
    assert.equal(Number(cakeMonth.quantity), 3)
    await sameAsLines('after a late sync')

    // An old sale is refunded, not voided (a void is for a sale of today): the refund counts on
    // today, and its month stays as rolled up; a sale made now writes no month row
    ;(await device.release(client)).assertStatus(302)
    const manager = await apiToken(client, fixture.users.manager)
    const old = await db.from('sales').where({ client_uuid: device.queue[0].client_uuid }).first()
    ;(await client.post(`/api/sales/${old.id}/void`).bearerToken(manager).json({ reason: 'Rung twice' })).assertStatus(409)
    await cashIntoDrawer(fixture, 100_000)
    const lines = await db.from('sale_items').where('sale_id', old.id).select('id', 'quantity')
    const refund = await client.post(`/api/sales/${old.id}/refunds`).bearerToken(manager).json({ items: lines.map((line) => ({ sale_item_id: line.id, quantity: Number(line.quantity) })), reason: 'Rung twice' })
    refund.assertStatus(201)
    const sold = await client.post('/api/sales').bearerToken(manager).header('idempotency-key', crypto.randomUUID()).json({ items: [{ product_id: tea.id, quantity: 1 }], payment_method: 'cash', register_id: fixture.register.id })
    sold.assertStatus(201)
    assert.equal(await monthRows(store.id, month(now)), 0)
    await sameAsLines('after a refund of an old sale and a sale now')
    const late = await db.from('summary_month_rollups').where({ store_id: store.id, month: month(threeBack) }).first()
    assert.equal(Number(late.late_writes), 0, 'the refund counts on today, not in the old month')
    const days = await db.from('summary_days_rolled').where('store_id', store.id).first()
    assert.equal(Number(days.late_writes), 2, 'the first sync and the late one; not the refund nor the sale made now')

    // A rebuild sums the rolled-up months again and leaves the open one to its days
    const span = (await new SummaryRebuild().span(store))!
    await new SummaryRebuild().rebuild(store, span.from, span.to)
    await sameAsLines('after a rebuild')
    assert.equal(await monthRows(store.id, month(now)), 0)
    // A guard against a hang: a minute was not enough once with both suites and other work on two cores
  }).timeout(180_000)

  test('a roll-up waits for a late write that holds its month, and counts it', async ({ assert }) => {
    const { store, tea, month, figures } = await lateSale()
    const writing = await heldOpen(async (trx) => runStatements(trx, await saleSummaryStatements(trx, store.timeZone, figures, 1)))
    let rolledUp = false
    const rolling = rollUpMonth(store.id, month).then((done) => (rolledUp = done))
    await new Promise((resolve) => setTimeout(resolve, 300))
    assert.isFalse(rolledUp, 'the roll-up waits for the write holding its month')
    await writing.finish()
    await rolling
    assert.isTrue(rolledUp)
    const row = await db.from('summary_product_months').where({ store_id: store.id, month, product_id: tea.id }).first()
    assert.equal(Number(row.quantity), 2)
    assert.deepEqual(await new SummaryRebuild().checkMonths(store, `${month}-01`, `${month}-28`), [])
  })

  test('a late write waits for a roll-up holding its month, then adds to the rolled-up rows', async ({ assert }) => {
    const { store, tea, month, figures } = await lateSale()
    // A roll-up's transaction, held open with the month's marker locked (no day rows yet: none to sum)
    const rolling = await heldOpen(
      (trx) => lockMarkers(trx, store.id, [month], 0),
      (trx) => trx.from('summary_month_rollups').where({ store_id: store.id, month }).update({ rolled_up_at: DateTime.utc().toFormat('yyyy-MM-dd HH:mm:ss') })
    )
    let written = false
    const writing = inTransaction(async (trx) => runStatements(trx, await saleSummaryStatements(trx, store.timeZone, figures, 1))).then(() => (written = true))
    await new Promise((resolve) => setTimeout(resolve, 300))
    assert.isFalse(written, 'the write waits for the roll-up holding its month')
    await rolling.finish()
    await writing
    const row = await db.from('summary_product_months').where({ store_id: store.id, month, product_id: tea.id }).first()
    assert.equal(Number(row?.quantity), 2, 'the write saw the month rolled up and added to its row')
    assert.deepEqual(await new SummaryRebuild().checkMonths(store, `${month}-01`, `${month}-28`), [])
  })

  test('a write into a month an hour after it ended takes its marker; one within the hour does not', async ({ assert }) => {
    const fixture = await createStore()
    const { store } = fixture
    const month = DateTime.now().setZone(store.timeZone).minus({ months: 2 }).toFormat('yyyy-MM')
    const end = DateTime.fromFormat(month, 'yyyy-MM', { zone: store.timeZone }).plus({ months: 1 })
    const markers = () => countRows('summary_month_rollups', { store_id: store.id, month })
    await inTransaction((trx) => lockRolledUpMonths(trx, store.id, store.timeZone, [month], end.plus({ minutes: 59 }).toMillis()))
    assert.equal(await markers(), 0, 'within the hour: no lock, no marker')
    await inTransaction((trx) => lockRolledUpMonths(trx, store.id, store.timeZone, [month], end.plus({ minutes: 60 }).toMillis()))
    assert.equal(await markers(), 1, 'an hour after: the marker is made and locked')
  })

  test('migration 0110 keeps the rows of months that are over as rolled up and drops those of the month still open', async ({ assert }) => {
    const fixture = await createStore()
    const { store } = fixture
    const tea = await createProduct(fixture, { price: 450, stock: 500 })
    const now = DateTime.now().setZone(store.timeZone)
    const [over, open] = [now.minus({ months: 2 }).toFormat('yyyy-MM'), now.toFormat('yyyy-MM')]
    for (const month of [over, open]) {
      await db.table('summary_product_months').insert({ store_id: store.id, month, product_id: tea.id, quantity: 3, total: 1350, tax_total: 0, refunded_quantity: 0, refunded_total: 0, refunded_tax: 0 })
    }
    await markKeptMonths(db.connection())
    assert.equal(await monthRows(store.id, over), 1)
    assert.equal(await monthRows(store.id, open), 0)
    const markers = await db.from('summary_month_rollups').where('store_id', store.id).select('month', 'rolled_up_at')
    assert.deepEqual(markers.map((m) => [m.month, m.rolled_up_at !== null]), [[over, true]])
  })
})
