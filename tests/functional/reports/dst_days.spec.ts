import { test } from '@japa/runner'
import { DateTime } from 'luxon'
import Papa from 'papaparse'
import db from '@adonisjs/lucid/services/db'
import CheckoutService from '#sales/checkout_service'
import ReportService from '#reports/report_service'
import PeriodReportService from '#reports/period_report_service'
import SummaryRebuild from '#reports/summary_rebuild'
import { rollUpDays } from '#reports/day_rollup'
import { rollUpProductMonths } from '#reports/month_rollup'
import { dbTimestamp, readTimestamp } from '#platform/db_time'
import { createProduct, createStore, type TestStore } from '#tests/fixtures'
import type Product from '#models/product'

/*
| Sales at 00:30, 02:30 and 23:59 and every 45 minutes of the days a store's clocks change (a
| 23-hour and a 25-hour day; Lord Howe's change by half an hour), and of a zone half an hour off
| UTC, each on its own store day and hour in the days and hours reports, the months and the CSVs,
| from the lines and from the summaries alike: set against sums worked out here from each sale's
| stored UTC time with luxon.
*/

const csv = (text: string) => Papa.parse<string[]>(text.replace(/^\uFEFF/, '').trim()).data

async function saleAt(fixture: TestStore, product: Product, quantity: number, at: DateTime) {
  const { sale } = await new CheckoutService().createSale({ user: fixture.users.cashier, store: fixture.store }, fixture.register.id, { lines: [{ productId: product.id, quantity }], payment: { method: 'cash' } })
  await db.from('sales').where('id', sale.id).update({ completed_at: dbTimestamp(at.toUTC()) })
}

/** Each store day's and each day's hour's sales, from the stored times */
async function expected(fixture: TestStore) {
  const days = new Map<string, { count: number; total: number }>()
  const hours = new Map<string, { count: number; total: number }>()
  const add = (map: Map<string, { count: number; total: number }>, key: string, total: number) => {
    const entry = map.get(key) ?? map.set(key, { count: 0, total: 0 }).get(key)!
    entry.count++
    entry.total += total
  }
  for (const sale of await db.from('sales').where({ store_id: fixture.store.id, status: 'completed' }).select('completed_at', 'total')) {
    const local = DateTime.fromJSDate(readTimestamp(sale.completed_at)).setZone(fixture.store.timeZone)
    add(days, local.toISODate()!, Number(sale.total))
    add(hours, `${local.toISODate()} ${local.hour}`, Number(sale.total))
  }
  return { days, hours }
}

async function sameAsExpected(fixture: TestStore, client: any, assert: any, from: string, to: string, why: string) {
  const want = await expected(fixture)
  const wantHours = Array.from({ length: 24 }, (_, hour) => ({ hour, count: 0, total: 0 }))
  for (const [key, figures] of want.hours) {
    const [day, hour] = key.split(' ')
    if (day < from || day > to) continue
    wantHours[Number(hour)].count += figures.count
    wantHours[Number(hour)].total += figures.total
  }
  for (const source of ['lines', 'summaries'] as const) {
    const reports = new ReportService(undefined, source)
    const { days, hours } = await reports.byDayAndHour(fixture.store, from, to)
    assert.deepEqual(days.map((d) => [d.day, d.count, d.total]), days.map((d) => [d.day, want.days.get(d.day)?.count ?? 0, want.days.get(d.day)?.total ?? 0]), `${why}, ${source}: days`)
    assert.deepEqual(hours, wantHours, `${why}, ${source}: hours`)
    const daily = await new PeriodReportService(undefined, reports).daily(fixture.store, from, to)
    assert.deepEqual([...daily].map(([day, f]) => [day, f.count, f.total]), [...daily.keys()].map((day) => [day, want.days.get(day)?.count ?? 0, want.days.get(day)?.total ?? 0]), `${why}, ${source}: months' days`)
  }
  const file = csv((await client.get(`/backoffice/reports/csv/days?from=${from}&to=${to}`).loginAs(fixture.users.manager)).text())
  assert.deepEqual(file.slice(1).map((row) => row.slice(0, 3)), file.slice(1).map(([day]) => [day, String(want.days.get(day)?.count ?? 0), ((want.days.get(day)?.total ?? 0) / 100).toFixed(2)]), `${why}: days CSV`)
  const hoursFile = csv((await client.get(`/backoffice/reports/csv/hours?from=${from}&to=${to}`).loginAs(fixture.users.manager)).text())
  assert.deepEqual(hoursFile.slice(1), wantHours.map((h) => [String(h.hour), String(h.count), (h.total / 100).toFixed(2)]), `${why}: hours CSV`)
}

test.group('Reports: the days the clocks change', () => {
  const cases: [string, string[]][] = [
    ['Europe/Berlin', ['2026-03-29', '2026-10-25']],
    ['Australia/Lord_Howe', ['2026-04-05', '2026-10-04']],
    ['Asia/Kolkata', ['2024-02-29', '2025-01-01']],
  ]
  for (const [zone, changes] of cases) {
    test(`${zone}: every sale on its own store day and hour, ${changes.join(' and ')}`, async ({ client, assert }) => {
      const fixture = await createStore()
      fixture.store.timeZone = zone
      await fixture.store.save()
      const tea = await createProduct(fixture, { price: 1234, stock: 1000 })
      for (const day of changes) {
        const start = DateTime.fromISO(day, { zone }).startOf('day')
        for (const [i, time] of ['00:30', '02:30', '23:59'].entries()) await saleAt(fixture, tea, 1 + i, DateTime.fromISO(`${day}T${time}`, { zone }))
        // Every 45 minutes of the day as it is long (23, 24 or 25 hours), and its last second
        for (let at = start; at.toISODate() === day; at = at.plus({ minutes: 45 })) await saleAt(fixture, tea, 1, at)
        await saleAt(fixture, tea, 5, start.plus({ days: 1 }).minus({ seconds: 1 }))
      }
      const from = DateTime.fromISO(changes[0]).minus({ days: 1 }).toISODate()!
      const to = DateTime.fromISO(changes[1]).plus({ days: 1 }).toISODate()!
      await sameAsExpected(fixture, client, assert, from, to, 'before the days are rolled up')
      await rollUpDays(fixture.store)
      await rollUpProductMonths()
      assert.deepEqual(await new SummaryRebuild().check(fixture.store, from, to), [])
      assert.isNull((await new ReportService().split(fixture.store, from, to)).lines)
      await sameAsExpected(fixture, client, assert, from, to, 'rolled up')
      for (const day of changes) await sameAsExpected(fixture, client, assert, day, day, day)
      // The month of each day sums its days
      const want = await expected(fixture)
      for (const day of changes) {
        const { totals } = await new PeriodReportService().compare(fixture.store, 'month', day.slice(0, 7))
        const total = [...want.days].filter(([d]) => d.startsWith(day.slice(0, 7))).reduce((sum, [, f]) => sum + f.total, 0)
        assert.equal(totals.total, total, `${day.slice(0, 7)}`)
      }
    }).timeout(120_000)
  }
})
