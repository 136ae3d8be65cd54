import { test } from '@japa/runner'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { DateTime } from 'luxon'
import Papa from 'papaparse'
import db from '@adonisjs/lucid/services/db'
import CheckoutService from '#sales/checkout_service'
import ReportService from '#reports/report_service'
import PeriodReportService from '#reports/period_report_service'
import SummaryRebuild from '#reports/summary_rebuild'
import { rollUpDays } from '#reports/day_rollup'
import { createProduct, createStore, type TestStore } from '#tests/fixtures'
import type Product from '#models/product'

/*
| The edges of a store's days the reports once got wrong, read from the lines and from the
| summaries alike.
*/

const run = promisify(execFile)
const csv = (text: string) => Papa.parse<string[]>(text.trim()).data

async function saleAt(fixture: TestStore, product: Product, quantity: number, local: string) {
  const { sale } = await new CheckoutService().createSale({ user: fixture.users.cashier, store: fixture.store }, fixture.register.id, { lines: [{ productId: product.id, quantity }], payment: { method: 'cash' } })
  const at = DateTime.fromISO(local, { zone: fixture.store.timeZone }).toUTC().toFormat('yyyy-MM-dd HH:mm:ss')
  await db.from('sales').where('id', sale.id).update({ completed_at: at })
  return sale
}

test.group('Reports: the edges of a store day', () => {
  test('a range that starts on a day whose midnight does not exist (Santiago springs forward at 00:00) keeps its last day', async ({ client, assert }) => {
    const fixture = await createStore()
    fixture.store.timeZone = 'America/Santiago'
    await fixture.store.save()
    const tea = await createProduct(fixture, { name: 'Tea', price: 1000, taxClass: 'zero' })
    await saleAt(fixture, tea, 1, '2026-09-06T12:00:00') // the day begins at 01:00
    await saleAt(fixture, tea, 2, '2026-09-08T12:00:00')

    const check = async (why: string) => {
      const { days, hours } = await new ReportService().byDayAndHour(fixture.store, '2026-09-06', '2026-09-08')
      assert.deepEqual(days.map((d) => [d.day, d.total]), [['2026-09-06', 1000], ['2026-09-07', 0], ['2026-09-08', 2000]], why)
      assert.equal(hours[12].total, 3000, why)
      const page = await client.get('/backoffice/reports?from=2026-09-06&to=2026-09-08').loginAs(fixture.users.manager)
      page.assertStatus(200)
      assert.include(page.text(), '<tr data-day="2026-09-08"><td>2026-09-08</td><td class="num">1</td>', why)
      const file = csv((await client.get('/backoffice/reports/csv/days?from=2026-09-06&to=2026-09-08').loginAs(fixture.users.manager)).text())
      assert.deepEqual(file.slice(1).map((row) => [row[0], row[2]]), [['2026-09-06', '10.00'], ['2026-09-07', '0.00'], ['2026-09-08', '20.00']], why)
    }
    await check('from the lines')
    await rollUpDays(fixture.store)
    await new SummaryRebuild().rebuild(fixture.store, '2026-09-06', '2026-09-08')
    assert.isNull((await new ReportService().split(fixture.store, '2026-09-06', '2026-09-08')).lines)
    await check('from the summaries')
  })

  test('a period to date is set against the one before up to the same date, leap years included', async ({ client, assert }) => {
    const fixture = await createStore()
    const tea = await createProduct(fixture, { name: 'Tea', price: 1000, taxClass: 'zero' })
    await saleAt(fixture, tea, 1, '2024-03-01T12:00:00')
    await saleAt(fixture, tea, 2, '2025-03-01T12:00:00')
    const periods = new PeriodReportService()
    const at = (local: string) => DateTime.fromISO(local, { zone: fixture.store.timeZone })
    const span = (p: { from: string; to: string; toDate: boolean }) => [p.from, p.to, p.toDate]

    // 1 March 2025: 2024 to 1 March too (it was "the same 60 days": to 29 February)
    const march = periods.periods(fixture.store, 'year', null, at('2025-03-01T15:00'))
    assert.deepEqual(span(march.current), ['2025-01-01', '2025-03-01', true])
    assert.deepEqual(span(march.previous), ['2024-01-01', '2024-03-01', true])
    const [now, before] = await Promise.all([periods.figures(fixture.store, march.current), periods.figures(fixture.store, march.previous)])
    assert.deepEqual(now.buckets.map((b) => [b.key, b.count]), [['2025-01', 0], ['2025-02', 0], ['2025-03', 1]])
    assert.deepEqual(before.buckets.map((b) => [b.key, b.count]), [['2024-01', 0], ['2024-02', 0], ['2024-03', 1]])
    // 15 June 2024 against 15 June 2023 (not 16 June); 29 February against 28 February
    assert.deepEqual(span(periods.periods(fixture.store, 'year', null, at('2024-06-15T09:00')).previous), ['2023-01-01', '2023-06-15', true])
    assert.deepEqual(span(periods.periods(fixture.store, 'year', null, at('2024-02-29T09:00')).previous), ['2023-01-01', '2023-02-28', true])
    // A month: the 31st against the whole of a shorter month, the 15th against the 15th
    assert.deepEqual(span(periods.periods(fixture.store, 'month', null, at('2025-03-31T09:00')).previous), ['2025-02-01', '2025-02-28', true])
    assert.deepEqual(span(periods.periods(fixture.store, 'month', null, at('2025-03-15T09:00')).previous), ['2025-02-01', '2025-02-15', true])
    // A period over is set against the whole one before
    assert.deepEqual(span(periods.periods(fixture.store, 'year', '2025', at('2026-06-15T09:00')).previous), ['2024-01-01', '2024-12-31', false])
    // The page says which days it sets side by side
    const page = await client.get('/backoffice/reports/periods?view=month&period=2025-03').loginAs(fixture.users.manager)
    assert.include(page.text(), 'March 2025 (2025-03-01 to 2025-03-31) against February 2025 (2025-02-01 to 2025-02-28)')
  })

  test('a report asked for with only its last day shows that day, as with only its first', async ({ client, assert }) => {
    const fixture = await createStore()
    const tea = await createProduct(fixture, { name: 'Tea', price: 1000, taxClass: 'zero' })
    await saleAt(fixture, tea, 1, '2026-01-10T12:00:00')
    const page = await client.get('/backoffice/reports?to=2026-01-10').loginAs(fixture.users.manager)
    page.assertStatus(200)
    assert.notInclude(page.text(), 'The first day was after the last')
    assert.include(page.text(), '<tr data-day="2026-01-10"><td>2026-01-10</td><td class="num">1</td>')
    assert.notInclude(page.text(), 'data-day="2026-01-11"')
    const file = await client.get('/backoffice/reports/csv/days?to=2026-01-10').loginAs(fixture.users.manager)
    file.assertStatus(200)
    assert.deepEqual(csv(file.text()), [['Day', 'Sales', 'Total', 'Tax', 'Discounts', 'Cash rounding'], ['2026-01-10', '1', '10.00', '0.00', '0.00', '0.00']])
  })

  test('a day that is not one is a 422 at its field with no figures (a report of other days was shown), page and CSV', async ({ client, assert }) => {
    const fixture = await createStore()
    const tea = await createProduct(fixture, { name: 'Tea', price: 1000, taxClass: 'zero' })
    await saleAt(fixture, tea, 1, '2026-01-10T12:00:00')
    await new CheckoutService().createSale({ user: fixture.users.cashier, store: fixture.store }, fixture.register.id, { lines: [{ productId: tea.id, quantity: 1 }], payment: { method: 'cash' } })
    for (const [query, field] of [['from=2026-01-1&to=2026-01-10', 'from'], ['from=2026-13-01', 'from'], ['from=2026-01-10&to=abc', 'to'], ['to[]=2026-01-10', 'to'], ['from=2026-02-29', 'from']]) {
      const page = await client.get(`/backoffice/reports?${query}`).loginAs(fixture.users.manager)
      page.assertStatus(422)
      const html = page.text()
      assert.match(html, new RegExp(`id="field-${field}-error" data-error-for="${field}">[^<]*is not a day \\(yyyy-mm-dd\\) from 2000 to 2100`), query)
      assert.notInclude(html, 'data-day=', `${query}: no figures of other days`)
      assert.notInclude(html, 'data-testid="by-method"', query)
      ;(await client.get(`/backoffice/reports/csv/days?${query}`).loginAs(fixture.users.manager)).assertStatus(422)
    }
    // Days the wrong way round are still days: shown the right way round, and said so
    const swapped = await client.get('/backoffice/reports?from=2026-01-11&to=2026-01-10').loginAs(fixture.users.manager)
    swapped.assertStatus(200)
    assert.include(swapped.text(), 'The first day was after the last. Shown from 2026-01-10 to 2026-01-11.')
  })

  test('pos:summaries refuses a day outside the years a store holds (a rebuild to 9026 never ended)', async ({ assert }) => {
    const fixture = await createStore()
    const tea = await createProduct(fixture, { name: 'Tea', price: 1000, taxClass: 'zero' })
    await saleAt(fixture, tea, 1, '2026-01-10T12:00:00')
    await rollUpDays(fixture.store)
    for (const args of [['--rebuild', '--to=9026-12-31'], ['--check', '--from=1999-12-31']]) {
      const failed = await run('node', ['ace.js', 'pos:summaries', `--store=${fixture.store.id}`, ...args], { timeout: 30_000 }).then(() => null, (error) => error)
      assert.equal(failed?.code, 2, `${args.join(' ')}: ${failed?.killed ? 'still running after 30 s' : 'not refused'}`)
      assert.include(failed.stdout + failed.stderr, `Not a day: ${args[1].slice(-10)} (yyyy-MM-dd, from 2000 to 2100)`)
    }
  }).timeout(90_000)

  test('pos:summaries --store=0 is no store: refused, not every store checked and rebuilt', async ({ assert }) => {
    for (const args of [['--check', '--store=0'], ['--rebuild', '--store=0']]) {
      const failed = await run('node', ['ace.js', 'pos:summaries', ...args], { timeout: 60_000 }).then(() => null, (error) => error)
      assert.equal(failed?.code, 2, `${args.join(' ')}: not refused`)
      assert.include(failed.stdout + failed.stderr, 'No store 0')
    }
  }).timeout(150_000)

  test('a month set against a longer one keeps the last days of the longer one in its rows and CSV (their sales were only in the totals)', async ({ client, assert }) => {
    const fixture = await createStore()
    const tea = await createProduct(fixture, { name: 'Tea', price: 1000, taxClass: 'zero' })
    await saleAt(fixture, tea, 1, '2026-01-28T12:00:00')
    await saleAt(fixture, tea, 3, '2026-01-30T12:00:00')
    await saleAt(fixture, tea, 2, '2026-02-03T12:00:00')
    const page = await client.get('/backoffice/reports/periods?view=month&period=2026-02').loginAs(fixture.users.manager)
    page.assertStatus(200)
    const html = page.text()
    assert.match(html, /data-total="total">\s*<td>Total<\/td>\s*<td class="num">\$20\.00<\/td>\s*<td class="num">\$40\.00<\/td>/)
    // The 30th of January has no day of February beside it: a row of its own, February's side empty
    assert.include(html, '<tr data-key="" data-previous="2026-01-30"><td>–</td><td class="num"></td><td class="num"></td><td class="num"></td><td class="num">$30.00</td><td class="num">–</td></tr>')
    const rows = csv((await client.get('/backoffice/reports/periods/csv/periods?view=month&period=2026-02').loginAs(fixture.users.manager)).text())
    assert.lengthOf(rows, 1 + 31)
    assert.deepEqual(rows[28], ['2026-02-28', '0', '0.00', '0.00', '0.00', '0', '0.00', '2026-01-28', '1', '10.00', '-100', '0.00'])
    assert.deepEqual(rows[30], ['', '', '', '', '', '', '', '2026-01-30', '1', '30.00', '', ''])
    // Each column adds up to the period's total on the page
    const sum = (column: number) => rows.slice(1).reduce((total, row) => total + Number(row[column] || 0), 0)
    assert.equal(sum(2), 20)
    assert.equal(sum(9), 40)
  })
})
