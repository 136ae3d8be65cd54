import { test } from '@japa/runner'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { DateTime } from 'luxon'
import db from '@adonisjs/lucid/services/db'
import Register from '#models/register'
import { dbTimestamp } from '#platform/db_time'
import { apiToken, cashIntoDrawer, countRows, createProduct, createStore } from '#tests/fixtures'
import SummaryRebuild from '#reports/summary_rebuild'
import ReportService from '#reports/report_service'
import PeriodReportService from '#reports/period_report_service'
import { rollUpDays } from '#reports/day_rollup'
import { lastDayOver } from '#sales/summary_days'
import NoReceiptRefundService from '#returns/no_receipt_refund_service'
import { completedSale } from '../returns/helpers.js'
import { TestDevice } from '../offline/device.js'

/*
| The reports' daily summaries stay equal to the lines through random sales, voids, refunds,
| exchanges, a return without a receipt and offline sales synced later (on their own days), rolled
| up once a day is over and moved by late writes after that, and `node ace pos:summaries --check`
| says so, or exits 1 naming the difference.
*/

const run = promisify(execFile)

/** A small seeded generator (mulberry32), so a failing run can be replayed */
function random(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

test.group('Report summaries', () => {
  test('random sales, voids, refunds, exchanges and offline sales: the summaries equal the lines', async ({ client, assert }) => {
    const seed = Number(process.env.SUMMARY_SEED ?? Date.now() % 100_000)
    const rnd = random(seed)
    const pick = <T>(list: T[]) => list[Math.floor(rnd() * list.length)]
    const fixture = await createStore({ allowNegativeStock: true })
    const products = [
      await createProduct(fixture, { price: 450, stock: 500 }),
      await createProduct(fixture, { price: 1299, stock: 500, taxClass: 'reduced' }),
      await createProduct(fixture, { price: 99, stock: 500, taxClass: 'zero' }),
      await createProduct(fixture, { price: 2500, stock: 500 }),
    ]
    const cashier = await apiToken(client, fixture.users.cashier)
    const manager = await apiToken(client, fixture.users.manager)

    // Offline sales first (the device holds the register's head), two of them days back
    const device = new TestDevice(fixture)
    ;(await device.takeLease(client)).assertStatus(200)
    const zone = fixture.store.timeZone
    const lateEvening = DateTime.now().setZone(zone).minus({ days: 3 }).set({ hour: 23, minute: 45, second: 0 })
    await device.sell([{ product: products[0], quantity: 2 }, { product: products[1], quantity: 1 }], { at: lateEvening })
    await device.sell([{ product: products[2], quantity: 5 }], { cash: false, at: lateEvening.plus({ minutes: 30 }) })
    await device.sell([{ product: products[3], quantity: 1 }])
    await device.syncAll(client, assert)
    // Synced, the device leaves the register to the online sales below (it would refuse them)
    ;(await device.release(client)).assertStatus(302)

    // Two registers: the hours' and tenders' rows are kept per register, refunds on the drawer that paid
    const registers = [fixture.register.id, (await Register.create({ storeId: fixture.store.id, name: 'Register 2', lastSaleNumber: 0 })).id]
    // Cash goes back from an open shift's drawer, up to what it holds
    for (const registerId of registers) await cashIntoDrawer(fixture, 1_000_000, registerId)
    const sales: any[] = []
    for (let i = 0; i < 24; i++) {
      const lines = Array.from({ length: 1 + Math.floor(rnd() * 3) }, () => ({ product_id: pick(products).id, quantity: 1 + Math.floor(rnd() * 3) }))
      sales.push(await completedSale(client, cashier, lines, rnd() < 0.6 ? 'cash' : 'card_external', { register_id: pick(registers) }))
    }
    for (const sale of sales) {
      const roll = rnd()
      if (roll < 0.2) {
        ;(await client.post(`/api/sales/${sale.id}/void`).bearerToken(manager).json({ reason: 'Rung up twice' })).assertStatus(200)
      } else if (roll < 0.45) {
        const line = pick(sale.items as any[])
        const answer = await client
          .post(`/api/sales/${sale.id}/refunds`)
          .bearerToken(cashier)
          .json({ items: [{ sale_item_id: line.id, quantity: 1 + Math.floor(rnd() * line.quantity) }], reason: 'Changed mind', register_id: pick(registers) })
        answer.assertStatus(201)
      } else if (roll < 0.6) {
        const line = pick(sale.items as any[])
        const answer = await client.post(`/api/sales/${sale.id}/exchanges`).bearerToken(cashier).json({
          return_items: [{ sale_item_id: line.id, quantity: 1 }],
          items: [{ product_id: pick(products).id, quantity: 1 + Math.floor(rnd() * 2) }],
          payment_method: 'card_external',
          reason: 'Other size',
        })
        answer.assertStatus(201)
      }
    }
    await new NoReceiptRefundService().refund(
      { user: fixture.users.manager, store: fixture.store },
      { lines: [{ productId: products[1].id, quantity: 1, restock: true }], reason: 'No receipt', registerId: fixture.register.id }
    )

    // Nothing is summed while the days are not rolled up: the reports read their lines
    assert.equal(await countRows('summary_sales', { store_id: fixture.store.id }), 0, 'a sale made now writes no summary row')
    const summaries = new SummaryRebuild()
    const span = (await summaries.span(fixture.store))!
    assert.equal(span.from, lateEvening.toISODate(), 'the offline sale lands on its own day')

    // Rolled up (every day over: three days, or two in the first two hours of a store day), then
    // late writes into those days move their summaries in their own transactions: offline sales
    // synced late
    assert.isAtLeast(await rollUpDays(fixture.store), 2)
    assert.deepEqual(await summaries.check(fixture.store, span.from, span.to), [], `seed ${seed}`)
    // The register's shift open since before the late sales were made: they land in it (a sale made
    // when no shift was open is in none), and a refund of one pays cash from its drawer
    await db.from('shifts').where({ open_register_id: fixture.register.id }).update({ opened_at: dbTimestamp(lateEvening.minus({ hours: 48 })) })
    const late = new TestDevice(fixture)
    ;(await late.takeLease(client)).assertStatus(200)
    for (let i = 0; i < 6; i++) {
      const at = lateEvening.minus({ hours: Math.floor(rnd() * 30) }).plus({ minutes: Math.floor(rnd() * 120) })
      await late.sell([{ product: pick(products), quantity: 1 + Math.floor(rnd() * 3) }, { product: pick(products), quantity: 1 }], { cash: rnd() < 0.5, at })
    }
    await late.syncAll(client, assert)
    ;(await late.release(client)).assertStatus(302)
    // Sales of earlier days are refunded, not voided (a void is for a sale of today): the refund
    // counts on today, and the old days stay as they were rolled up
    for (const sale of late.queue.slice(0, 3)) {
      const old = await db.from('sales').where({ client_uuid: sale.client_uuid }).first()
      ;(await client.post(`/api/sales/${old.id}/void`).bearerToken(manager).json({ reason: 'Rung up twice' })).assertStatus(409)
      const lines = await db.from('sale_items').where('sale_id', old.id).select('id', 'quantity')
      const refund = await client
        .post(`/api/sales/${old.id}/refunds`)
        .bearerToken(cashier)
        .json({ items: lines.map((line) => ({ sale_item_id: line.id, quantity: Number(line.quantity) })), reason: 'Rung up twice', register_id: fixture.register.id })
      refund.assertStatus(201)
    }
    // (a late sale may land a day before the first one)
    const all = (await summaries.span(fixture.store))!
    assert.deepEqual(await summaries.check(fixture.store, all.from, all.to), [], `seed ${seed}`)
    const marker = await db.from('summary_days_rolled').where('store_id', fixture.store.id).first()
    assert.equal(Number(marker.late_writes), 1 + 1, 'the two syncs took the store’s marker; the refunds of old sales count on today')

    // Today rolled up as it will be two hours after it ends: its rows equal its lines too
    await rollUpDays(fixture.store, { now: DateTime.now().setZone(zone).plus({ days: 1 }).startOf('day').plus({ hours: 2 }) })
    assert.deepEqual(await summaries.check(fixture.store, all.from, all.to), [], `seed ${seed}`)
    // The synced sales sit on their own store days: 23:45 three days back, and 00:15 the day after
    const early = await db.from('summary_sales').where({ store_id: fixture.store.id, day: lateEvening.toISODate()!, hour: 23 }).sum('sales_count as n').first()
    assert.isAtLeast(Number(early.n), 1)
    const next = await db.from('summary_sales').where({ store_id: fixture.store.id, day: lateEvening.plus({ days: 1 }).toISODate()!, hour: 0 }).sum('sales_count as n').first()
    assert.isAtLeast(Number(next.n), 1)
    const today = DateTime.now().setZone(zone).toISODate()!
    const byRegister = await db.from('summary_sales').where({ store_id: fixture.store.id, day: today }).groupBy('register_id').select('register_id').sum('sales_count as n')
    const sold = await db.from('sales').where({ store_id: fixture.store.id, status: 'completed' }).where('completed_at', '>=', dbTimestamp(DateTime.fromISO(today, { zone }))).groupBy('register_id').select('register_id').count('* as n')
    assert.sameDeepMembers(byRegister.filter((r) => Number(r.n) !== 0).map((r) => [Number(r.register_id), Number(r.n)]), sold.map((r) => [Number(r.register_id), Number(r.n)]), 'each register has its own rows')

    // The command agrees, then names a difference and exits 1, and a rebuild mends it
    const store = `--store=${fixture.store.id}`
    const ok = await run('node', ['ace.js', 'pos:summaries', '--check', store])
    assert.include(ok.stdout, 'summaries equal the lines')
    await db.from('summary_products').where({ store_id: fixture.store.id, product_id: products[0].id }).increment('quantity', 1)
    const failed = await run('node', ['ace.js', 'pos:summaries', '--check', store]).then(
      () => null,
      (error) => error
    )
    assert.isNotNull(failed, 'pos:summaries --check must exit 1 on a difference')
    assert.equal(failed.code, 1)
    assert.include(failed.stdout + failed.stderr, `summary_products`)
    await run('node', ['ace.js', 'pos:summaries', '--rebuild', store])
    assert.deepEqual(await summaries.check(fixture.store, all.from, all.to), [])
    // A range that ends before it starts is a usage error, not an empty check
    const reversed = await run('node', ['ace.js', 'pos:summaries', '--check', store, `--from=${span.to}`, '--to=2000-01-01']).then(
      () => null,
      (error) => error
    )
    assert.equal(reversed?.code, 2)
    assert.include(reversed.stdout + reversed.stderr, 'is after --to 2000-01-01')
    // A day no calendar has is a usage error too (it was taken, and the check passed)
    const impossible = await run('node', ['ace.js', 'pos:summaries', '--check', store, '--from=2026-13-45']).then(() => null, (error) => error)
    assert.equal(impossible?.code, 2)
    assert.include(impossible.stdout + impossible.stderr, 'Not a day: 2026-13-45')
  }).timeout(120_000)

  test('every report reads the same from the summaries (days rolled up) and the other days’ lines as from the lines alone', async ({ client, assert }) => {
    const rnd = random(Number(process.env.SUMMARY_SEED ?? 7))
    const fixture = await createStore({ allowNegativeStock: true })
    const products = [
      await createProduct(fixture, { price: 450, cost: 200, stock: 500 }),
      await createProduct(fixture, { price: 1299, cost: 900, stock: 500, taxClass: 'reduced' }),
      await createProduct(fixture, { price: 99, cost: 10, stock: 500, taxClass: 'zero' }),
    ]
    const zone = fixture.store.timeZone
    const now = DateTime.now().setZone(zone)
    // Offline sales at random times of the last 40 days (synced now, each on its own day)
    const device = new TestDevice(fixture)
    ;(await device.takeLease(client)).assertStatus(200)
    for (let i = 0; i < 20; i++) {
      const at = now.minus({ days: Math.floor(rnd() * 40), hours: Math.floor(rnd() * 24), minutes: Math.floor(rnd() * 60) })
      await device.sell([{ product: products[i % 3], quantity: 1 + Math.floor(rnd() * 3) }, { product: products[(i + 1) % 3], quantity: 1 }], { cash: rnd() < 0.5, at })
    }
    await device.syncAll(client, assert)
    // Synced, the device leaves the register to the online sales below (it would refuse them)
    ;(await device.release(client)).assertStatus(302)
    // Today's, online: one voided, one partly refunded
    const cashier = await apiToken(client, fixture.users.cashier)
    const manager = await apiToken(client, fixture.users.manager)
    const today = [
      await completedSale(client, cashier, [{ product_id: products[0].id, quantity: 2 }]),
      await completedSale(client, cashier, [{ product_id: products[1].id, quantity: 1 }], 'card_external'),
      await completedSale(client, manager, [{ product_id: products[2].id, quantity: 4 }]),
    ]
    ;(await client.post(`/api/sales/${today[0].id}/void`).bearerToken(manager).json({ reason: 'Mistake' })).assertStatus(200)
    ;(await client.post(`/api/sales/${today[2].id}/refunds`).bearerToken(cashier).json({ items: [{ sale_item_id: today[2].items[0].id, quantity: 1 }], reason: 'Broken' })).assertStatus(201)

    const fromSummaries = new ReportService()
    const fromLines = new ReportService(undefined, 'lines')
    const periods = [new PeriodReportService(undefined, fromSummaries), new PeriodReportService(undefined, fromLines)]
    const day = (days: number) => now.minus({ days }).toISODate()!
    const sameAsLines = async (why: string) => {
      for (const [from, to] of [[day(40), day(1)], [day(40), day(0)], [day(0), day(0)], [day(10), day(3)], [day(3), day(3)], [day(6), day(0)]]) {
        for (const report of ['byDayAndHour', 'byPaymentMethod', 'byCashier', 'byRegister', 'products'] as const) {
          assert.deepEqual(await fromSummaries[report](fixture.store, from, to), await fromLines[report](fixture.store, from, to), `${why}: ${report} ${from}..${to}`)
        }
        assert.deepEqual(await fromSummaries.byStore([fixture.store], from, to), await fromLines.byStore([fixture.store], from, to))
        assert.deepEqual([...(await periods[0].daily(fixture.store, from, to))], [...(await periods[1].daily(fixture.store, from, to))], `${why}: daily ${from}..${to}`)
      }
    }
    // Before any roll-up every day is read from its lines; rolled up as of four days ago (a
    // server that was off since), the last days are read from their lines, several at once
    assert.deepEqual(await fromSummaries.split(fixture.store, day(40), day(0)), { summary: null, lines: { from: day(40), to: day(0) } })
    await sameAsLines('nothing rolled up')
    await rollUpDays(fixture.store, { now: now.minus({ days: 4 }) })
    const through = lastDayOver(zone, now.minus({ days: 4 }))
    assert.deepEqual((await fromSummaries.split(fixture.store, day(40), day(0))).summary, { from: day(40), to: through })
    await sameAsLines('rolled up four days ago')
    // Every day over rolled up: the summaries up to yesterday (or the day before, in the first two hours of a day), today from its lines
    await rollUpDays(fixture.store)
    const split = await fromSummaries.split(fixture.store, day(40), day(0))
    assert.deepEqual(split.summary, { from: day(40), to: lastDayOver(zone) })
    assert.equal(split.lines?.to, day(0))
    await sameAsLines('rolled up')
    const month = await fromSummaries.byDayAndHour(fixture.store, day(40), day(0))
    assert.equal(month.days.reduce((sum, d) => sum + d.count, 0), 20 + 2, 'the voided sale is not counted')
  }).timeout(120_000)
})
