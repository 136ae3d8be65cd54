import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { DateTime, Settings } from 'luxon'
import { apiToken, countRows, createProduct, createStore } from '#tests/fixtures'
import { rebuildForNewZone, rollUpDays, rollUpEveryStoreDays } from '#reports/day_rollup'
import SummaryRebuild from '#reports/summary_rebuild'
import CheckoutService from '#sales/checkout_service'
import { dayIsOpen, lastDayOver, lockDaysMarker, lockRolledUpDays, summariesThrough } from '#sales/summary_days'
import { markRolledDays } from '#database/migrations/0111_summary_days_rolled'
import { saleSummaryStatements } from '#sales/sale_summaries'
import { inTransaction } from '#platform/db_transaction'
import { runStatements } from '#platform/sql_batch'
import { dbTimestamp } from '#platform/db_time'
import { heldOpen, lateSaleFigures } from './late_writes.js'

/*
| The daily summaries are kept for days that are over (app/sales/summary_days.ts): a sale made now
| writes none, a day is rolled up from its lines two hours after it ends, and a late write into a
| rolled-up day meets that roll-up on the store marker's row lock. Each test runs on the suite's
| database (SQLite or MariaDB).
*/

const markerOf = (storeId: number) => db.from('summary_days_rolled').where('store_id', storeId).first()

/** A store whose days are rolled up through `through`, and a late sale's figures on `day` */
async function storeWithLateSale(through: string, day: string) {
  const fixture = await createStore()
  const { store } = fixture
  const tea = await createProduct(fixture, { price: 450, stock: 500 })
  await db.table('summary_days_rolled').insert({ store_id: store.id, through_day: through, late_writes: 0 })
  const figures = lateSaleFigures(fixture, tea.id, DateTime.fromISO(`${day}T12:00:00`, { zone: store.timeZone }).toUTC())
  return { store, tea, figures }
}

test.group('Reports: the days rolled up', () => {
  test('when a day is open to writes, and when it may be rolled up, in the store’s time zone', ({ assert }) => {
    const zone = 'America/New_York' // December 5th starts at 05:00 UTC
    assert.isTrue(dayIsOpen('2026-12-04', zone, DateTime.fromISO('2026-12-05T05:59:00Z').toMillis()))
    assert.isFalse(dayIsOpen('2026-12-04', zone, DateTime.fromISO('2026-12-05T06:00:00Z').toMillis()))
    assert.equal(lastDayOver(zone, DateTime.fromISO('2026-12-05T06:59:00Z')), '2026-12-03')
    assert.equal(lastDayOver(zone, DateTime.fromISO('2026-12-05T07:00:00Z')), '2026-12-04')
    assert.equal(lastDayOver(zone, DateTime.fromISO('2026-12-05T23:00:00Z')), '2026-12-04')
    // UTC+14: December 5th ends there at 10:00 UTC; the day after a change to summer time has 23 hours
    assert.equal(lastDayOver('Pacific/Kiritimati', DateTime.fromISO('2026-12-05T11:59:00Z')), '2026-12-04')
    assert.equal(lastDayOver('Pacific/Kiritimati', DateTime.fromISO('2026-12-05T12:00:00Z')), '2026-12-05')
    assert.equal(lastDayOver('Europe/Berlin', DateTime.fromISO('2026-03-30T00:00:00Z')), '2026-03-29')
    assert.equal(lastDayOver('Europe/Berlin', DateTime.fromISO('2026-03-29T23:59:00Z')), '2026-03-28')
  })

  test('a sale made now writes no summary row and takes no lock; a store that never sold is rolled up at once', async ({ client, assert }) => {
    const fixture = await createStore()
    const { store } = fixture
    const tea = await createProduct(fixture, { price: 450, stock: 50 })
    const token = await apiToken(client, fixture.users.cashier)
    const sold = await client.post('/api/sales').bearerToken(token).header('idempotency-key', crypto.randomUUID()).json({ items: [{ product_id: tea.id, quantity: 2 }], payment_method: 'cash', register_id: fixture.register.id })
    sold.assertStatus(201)
    for (const table of ['summary_sales', 'summary_tenders', 'summary_cashiers', 'summary_products', 'summary_days_rolled']) assert.equal(await countRows(table, { store_id: store.id }), 0, table)

    const empty = (await createStore()).store
    assert.equal(await rollUpDays(empty), 0)
    assert.equal(await summariesThrough(empty.id), lastDayOver(empty.timeZone))
    assert.equal(await rollUpDays(empty), 0, 'a second roll-up finds nothing to do')
  })

  test('the hourly pass asks every store in two queries: it rolls up a store that sold in a day over, and leaves one selling today, an idle one and one up to date', async ({ client, assert }) => {
    // Two stores that sold now (a sale made now takes no marker); the first one's sale is then moved
    // three days back, as a store whose housekeeping has not run since
    const sell = async () => {
      const fixture = await createStore()
      const tea = await createProduct(fixture, { price: 450, stock: 50 })
      const token = await apiToken(client, fixture.users.cashier)
      const sold = await client.post('/api/sales').bearerToken(token).header('idempotency-key', crypto.randomUUID()).json({ items: [{ product_id: tea.id, quantity: 2 }], payment_method: 'cash', register_id: fixture.register.id })
      sold.assertStatus(201)
      return fixture.store
    }
    const seller = await sell()
    const threeDaysAgo = DateTime.now().minus({ days: 3 })
    await db.from('sales').where('store_id', seller.id).update({ completed_at: dbTimestamp(threeDaysAgo) })
    const selling = await sell()
    const idle = (await createStore()).store
    const upToDate = (await createStore()).store
    await rollUpDays(upToDate)

    // The suite's database holds the stores of every test before this one: the first pass rolls up
    // those that need it too
    assert.isAtLeast(await rollUpEveryStoreDays(), 1)
    assert.equal(await summariesThrough(seller.id), lastDayOver(seller.timeZone))
    assert.equal(await countRows('summary_products', { store_id: seller.id, day: threeDaysAgo.setZone(seller.timeZone).toISODate()! }), 1)
    assert.isNull(await markerOf(selling.id), 'a store whose sales are all in a day not over is not asked')
    assert.isNull(await markerOf(idle.id), 'a store with nothing to sum gets no marker (its first late write makes it)')
    assert.equal(await summariesThrough(upToDate.id), lastDayOver(upToDate.timeZone))

    // Every store is up to date now: another pass sends two queries, not some for each store
    const knex = db.connection().getWriteClient()
    let queries = 0
    const count = () => queries++
    knex.on('query', count)
    try {
      assert.equal(await rollUpEveryStoreDays(), 0)
    } finally {
      knex.off('query', count)
    }
    assert.equal(queries, 2)
    const stores = await db.from('stores').count('* as n').first()
    assert.isAtLeast(Number(stores.n), 4)
  }).timeout(120_000)

  test('days without a line are passed over: a store that sold 50 and 10 days ago is summed in two days, and a day holding only a stray summary row is written again', async ({ client, assert }) => {
    const fixture = await createStore()
    const { store } = fixture
    const tea = await createProduct(fixture, { price: 450, stock: 50 })
    const token = await apiToken(client, fixture.users.cashier)
    const zone = store.timeZone
    const dayOf = (daysBack: number) => DateTime.now().setZone(zone).minus({ days: daysBack }).set({ hour: 12 })
    for (const daysBack of [50, 10]) {
      const sold = await client.post('/api/sales').bearerToken(token).header('idempotency-key', crypto.randomUUID()).json({ items: [{ product_id: tea.id, quantity: 1 }], payment_method: 'cash', register_id: fixture.register.id })
      sold.assertStatus(201)
      await db.from('sales').where('id', sold.body().id).update({ completed_at: dbTimestamp(dayOf(daysBack).toUTC()) })
    }
    // Rolled up through 60 days back; 30 days back holds summary rows no line backs (as a day rolled
    // up before a time zone moved it might): the roll-up must write that day again, to no row
    await db.table('summary_days_rolled').insert({ store_id: store.id, through_day: dayOf(60).toISODate(), late_writes: 0 })
    await db.table('summary_cashiers').insert({ store_id: store.id, day: dayOf(30).toISODate(), user_id: fixture.users.cashier.id, sales_count: 1, total: 450 })

    assert.equal(await rollUpDays(store), 3, 'the two days sold and the one with a stray row, not the 60 days since the marker')
    assert.equal(await summariesThrough(store.id), lastDayOver(zone))
    assert.equal(await countRows('summary_cashiers', { store_id: store.id, day: dayOf(30).toISODate()! }), 0)
    const summaries = new SummaryRebuild()
    assert.deepEqual(await summaries.check(store, dayOf(61).toISODate()!, lastDayOver(zone)), [])
    assert.equal(await countRows('summary_products', { store_id: store.id }), 2)
  })

  test('a store whose time zone this machine does not know is skipped alone: the others are rolled up', async ({ assert }) => {
    const unknown = (await createStore()).store
    const other = (await createStore()).store
    // Both with a marker and no day rolled up yet (as a late write leaves it)
    await db.table('summary_days_rolled').multiInsert([unknown.id, other.id].map((id) => ({ store_id: id, through_day: null, late_writes: 0 })))
    // As a backup from a machine with newer time zone data would bring it (the app refuses to save one)
    await db.from('stores').where('id', unknown.id).update({ time_zone: 'Mars/Olympus_Mons' })
    try {
      await rollUpEveryStoreDays()
      assert.equal(await summariesThrough(other.id), lastDayOver(other.timeZone))
      assert.isNull(await summariesThrough(unknown.id))
    } finally {
      await db.from('stores').where('id', unknown.id).update({ time_zone: 'UTC' })
    }
  })

  test('a late write into a rolled-up day adds to its summaries; into one not rolled up, it takes the lock and adds nothing', async ({ assert }) => {
    const today = DateTime.now().setZone('UTC')
    const [rolled, notYet] = [today.minus({ days: 6 }).toISODate()!, today.minus({ days: 3 }).toISODate()!]
    const { store, figures } = await storeWithLateSale(today.minus({ days: 5 }).toISODate()!, rolled)
    await inTransaction(async (trx) => runStatements(trx, await saleSummaryStatements(trx, store.timeZone, figures, 1)))
    const row = await db.from('summary_sales').where({ store_id: store.id, day: rolled }).first()
    assert.equal(Number(row.sales_count), 1)
    await inTransaction(async (trx) => runStatements(trx, await saleSummaryStatements(trx, store.timeZone, { ...figures, completedAt: DateTime.fromISO(`${notYet}T12:00:00`, { zone: store.timeZone }).toUTC() }, 1)))
    assert.equal(await countRows('summary_sales', { store_id: store.id, day: notYet }), 0)
    assert.equal(Number((await markerOf(store.id)).late_writes), 2)
  })

  test('a late write waits for a roll-up holding the store’s marker, then adds to the day it rolled up', async ({ assert }) => {
    const today = DateTime.now().setZone('UTC')
    const day = today.minus({ days: 4 }).toISODate()!
    const { store, tea, figures } = await storeWithLateSale(today.minus({ days: 5 }).toISODate()!, day)
    // A roll-up's transaction, held open with the marker locked (the day has no lines: no rows to sum)
    const rolling = await heldOpen(
      (trx) => lockDaysMarker(trx, store.id, 0),
      (trx) => trx.from('summary_days_rolled').where('store_id', store.id).update({ through_day: day })
    )
    let written = false
    const writing = inTransaction(async (trx) => runStatements(trx, await saleSummaryStatements(trx, store.timeZone, figures, 1))).then(() => (written = true))
    await new Promise((resolve) => setTimeout(resolve, 300))
    assert.isFalse(written, 'the write waits for the roll-up holding the marker')
    await rolling.finish()
    await writing
    const row = await db.from('summary_products').where({ store_id: store.id, day, product_id: tea.id }).first()
    assert.equal(Number(row?.quantity), 2, 'the write saw the day rolled up and added to its rows')
  })

  test('a roll-up waits for a late sale that holds the store’s marker, then sums it into its day', async ({ assert }) => {
    // A store that has sold nothing yet (no marker): its first sale is made three days back, in a
    // transaction held open while a roll-up starts
    const fixture = await createStore()
    const { store } = fixture
    const tea = await createProduct(fixture, { price: 450, stock: 50 })
    const at = DateTime.now().setZone(store.timeZone).minus({ days: 3 }).set({ hour: 12 })
    const writing = await heldOpen(async (trx) => {
      const realNow = Settings.now
      Settings.now = () => at.toMillis()
      try {
        await new CheckoutService().createSale({ user: fixture.users.cashier, store }, fixture.register.id, { lines: [{ productId: tea.id, quantity: 2 }], payment: { method: 'cash' }, client: trx })
      } finally {
        Settings.now = realNow
      }
    })
    let rolled = false
    const rolling = rollUpDays(store).then(() => (rolled = true))
    await new Promise((resolve) => setTimeout(resolve, 300))
    assert.isFalse(rolled, 'the roll-up waits for the sale holding the marker')
    await writing.finish()
    await rolling
    assert.equal(await summariesThrough(store.id), lastDayOver(store.timeZone))
    const day = await db.from('summary_sales').where({ store_id: store.id, day: at.toISODate()! }).sum('sales_count as n').first()
    assert.equal(Number(day.n), 1, 'the sale committed before the roll-up read its lines')
    const span = (await new SummaryRebuild().span(store))!
    assert.deepEqual(await new SummaryRebuild().check(store, span.from, span.to), [])
  })

  test('a write into a day an hour after it ended takes the marker; one within the hour does not', async ({ assert }) => {
    const { store } = await createStore()
    const day = DateTime.now().setZone(store.timeZone).minus({ days: 2 }).toISODate()!
    const end = DateTime.fromISO(day, { zone: store.timeZone }).plus({ days: 1 })
    await inTransaction((trx) => lockRolledUpDays(trx, store.id, store.timeZone, [day], end.plus({ minutes: 59 }).toMillis()))
    assert.equal(await countRows('summary_days_rolled', { store_id: store.id }), 0, 'within the hour: no lock, no marker')
    await inTransaction((trx) => lockRolledUpDays(trx, store.id, store.timeZone, [day], end.plus({ minutes: 60 }).toMillis()))
    assert.equal(await countRows('summary_days_rolled', { store_id: store.id }), 1, 'an hour after: the marker is made and locked')
  })

  test('migration 0111 marks each store’s days over as rolled up, and keeps a marker that exists', async ({ assert }) => {
    const { store } = await createStore()
    const other = (await createStore()).store
    await db.table('summary_days_rolled').insert({ store_id: other.id, through_day: '2020-01-01', late_writes: 7 })
    await markRolledDays(db.connection())
    assert.equal(await summariesThrough(store.id), lastDayOver(store.timeZone))
    assert.equal(await summariesThrough(other.id), '2020-01-01')
  })

  test('a time zone moved west takes back a day rolled up that is not over in the new zone', async ({ assert }) => {
    const fixture = await createStore()
    const { store } = fixture
    await db.table('summary_days_rolled').insert({ store_id: store.id, through_day: DateTime.now().toISODate()!, late_writes: 0 })
    store.timeZone = 'Pacific/Pago_Pago'
    await store.save()
    await rebuildForNewZone(store)
    assert.equal(await summariesThrough(store.id), lastDayOver('Pacific/Pago_Pago'))
  })
})
