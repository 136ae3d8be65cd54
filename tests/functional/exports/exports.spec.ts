import { test } from '@japa/runner'
import { DateTime } from 'luxon'
import db from '@adonisjs/lucid/services/db'
import { apiToken, createProduct, createStore } from '#tests/fixtures'
import { enablePluginForTest } from '#tests/plugins'
import { csvRows, minor, seedWeek } from '#tests/functional/exports/helpers'
import { seedBusyStore } from '#accounting/books_seed_service'
import { dbTimestamp } from '#platform/db_time'

/*
| Accounting exports over a seeded week sold through the checkout: each exporter's file,
| balanced per day, matching the sales report, formula cells neutralised, byte-identical
| twice; store days across DST and paged busy days. The page, periods, roles and streaming:
| exports_page.spec.ts.
*/

async function download(client: any, token: string, exporter: string, from: string, to: string) {
  return client.get(`/api/exports/${exporter}?from=${from}&to=${to}`).bearerToken(token)
}

/** The sales report's figures for the period: GET /api/sales, every page */
async function reportTotals(client: any, token: string, from: string, to: string) {
  let page = 1
  const totals = { count: 0, total: 0, tax: 0, discounts: 0, rounding: 0, rounded: 0 }
  while (true) {
    const response = await client.get(`/api/sales?from=${from}&to=${to}&per_page=100&page=${page}`).bearerToken(token)
    response.assertStatus(200)
    for (const sale of response.body().data) {
      totals.count++
      totals.total += sale.total
      totals.tax += sale.tax_total
      totals.discounts += sale.discount_total
      totals.rounding += sale.rounding
      if (sale.rounding !== 0) totals.rounded++
    }
    if (page >= response.body().meta.last_page) return totals
    page++
  }
}

test.group('Accounting exports: the books of a seeded week', (group) => {
  // A seeded week is 21 sales through the checkout: give a loaded CI machine room
  group.each.timeout(60_000)
  test('the journal balances per day and matches the sales report', async ({ client, assert }) => {
    await enablePluginForTest('export-journal')
    const week = await seedWeek()
    const token = await apiToken(client, week.fixture.users.accountant)
    const response = await download(client, token, 'journal', week.from, week.to)
    response.assertStatus(200)
    assert.match(response.header('content-type'), /^text\/csv/)
    assert.equal(response.header('content-disposition'), `attachment; filename="journal-${week.from}-${week.to}.csv"`)

    const [header, ...rows] = csvRows(response.text())
    assert.deepEqual(header, ['date', 'account', 'debit', 'credit', 'memo'])
    const byDay = new Map<string, { debit: number; credit: number }>()
    for (const [date, , debit, credit] of rows) {
      const day = byDay.get(date) ?? { debit: 0, credit: 0 }
      day.debit += minor(debit)
      day.credit += minor(credit)
      byDay.set(date, day)
    }
    assert.equal(byDay.size, 7)
    for (const [date, day] of byDay) assert.equal(day.debit, day.credit, `debits equal credits on ${date}`)

    const sum = (account: string, column: 2 | 3) => rows.filter((r) => r[1] === account).reduce((s, r) => s + minor(r[column]), 0)
    const report = await reportTotals(client, token, week.from, week.to)
    assert.equal(report.count, 21)
    // sales (gross) - discounts + taxes = what the sales report totals
    const taxes = sum('2200', 3)
    assert.equal(sum('4000', 3) - sum('4100', 2) + taxes, report.total)
    assert.equal(taxes, report.tax)
    assert.equal(sum('4100', 2), report.discounts)
    assert.isAbove(report.rounded, 0, 'the week has cash rounding')
    const rounding = sum('4900', 3) - sum('4900', 2)
    assert.equal(rounding, report.rounding)
    // what came in by cash and card is the total plus the rounding
    assert.equal(sum('1000', 2) + sum('1100', 2), report.total + report.rounding)
    assert.isAbove(sum('1000', 2), 0)
    assert.isAbove(sum('1100', 2), 0)
    // two tax rates, each on its own line
    const taxMemos = new Set(rows.filter((r) => r[1] === '2200').map((r) => r[4]))
    assert.deepEqual([...taxMemos].sort(), ['Reduced 2%', 'Sales tax 8%'])
  })

  test('prices that include tax: each day balances, sales are net of tax, totals match', async ({ client, assert }) => {
    await enablePluginForTest('export-journal')
    const week = await seedWeek({ pricesIncludeTax: true })
    const token = await apiToken(client, week.fixture.users.accountant)
    const rows = csvRows((await download(client, token, 'journal', week.from, week.to)).text()).slice(1)
    const days = new Map<string, number>()
    for (const [date, , debit, credit] of rows) days.set(date, (days.get(date) ?? 0) + minor(debit) - minor(credit))
    assert.equal(days.size, 7)
    for (const [date, balance] of days) assert.equal(balance, 0, `debits equal credits on ${date}`)
    const sum = (account: string, column: 2 | 3) => rows.filter((r) => r[1] === account).reduce((s, r) => s + minor(r[column]), 0)
    const report = await reportTotals(client, token, week.from, week.to)
    assert.equal(sum('2200', 3), report.tax)
    assert.equal(sum('4000', 3) - sum('4100', 2) + sum('2200', 3), report.total)
    // Discounts are booked without the tax they held (at 2% and 8%), as the sales they reduce
    // are: below the discounts off the shelf prices (they were equal), not below them less 8%
    const discounts = sum('4100', 2)
    assert.isBelow(discounts, report.discounts)
    assert.isAtLeast(discounts, Math.floor(report.discounts / 1.08) - 7)
  })

  test('tax payable per rate goes to the account mapped in the settings', async ({ client, assert }) => {
    await enablePluginForTest('export-journal', { account_tax: '2299', tax_accounts: 'standard=2201, reduced=2202', account_cash: '1001' })
    try {
      const week = await seedWeek()
      const token = await apiToken(client, week.fixture.users.admin)
      const rows = csvRows((await download(client, token, 'journal', week.from, week.to)).text()).slice(1)
      const accounts = new Set(rows.map((r) => r[1]))
      assert.isTrue(accounts.has('2201') && accounts.has('2202') && accounts.has('1001'))
      assert.isFalse(accounts.has('2299') || accounts.has('2200') || accounts.has('1000'))

      // A refund today of a sale of both rates: its tax goes back to each rate's account (it all
      // went to the general tax account, 2299 here)
      const lines = await db.from('sale_items').where('sale_id', week.saleIds[0]).select('id', 'quantity', 'tax_total', 'tax_class')
      const refund = await client.post(`/api/sales/${week.saleIds[0]}/refunds`).bearerToken(token).json({ items: lines.map((l) => ({ sale_item_id: l.id, quantity: l.quantity })), reason: 'Returned' })
      refund.assertStatus(201)
      const today = DateTime.now().setZone(week.fixture.store.timeZone).toISODate()!
      const withRefund = csvRows((await download(client, token, 'journal', today, today)).text()).slice(1)
      const refunded = withRefund.filter((r) => r[4].startsWith('Tax refunded')).map((r) => [r[1], minor(r[2])])
      const taxOf = (code: string) => lines.filter((l) => l.tax_class === code).reduce((sum, l) => sum + Number(l.tax_total), 0)
      assert.sameDeepMembers(refunded, [['2201', taxOf('standard')], ['2202', taxOf('reduced')]])
      assert.isFalse(withRefund.some((r) => r[1] === '2299'))
    } finally {
      await enablePluginForTest('export-journal')
    }
  })

  test('QuickBooks and Xero files: their columns, balanced journals, the same totals', async ({ client, assert }) => {
    await enablePluginForTest('export-quickbooks')
    await enablePluginForTest('export-xero')
    const week = await seedWeek()
    const token = await apiToken(client, week.fixture.users.accountant)
    const report = await reportTotals(client, token, week.from, week.to)

    const qb = await download(client, token, 'quickbooks', week.from, week.to)
    qb.assertStatus(200)
    const [qbHeader, ...qbRows] = csvRows(qb.text())
    assert.deepEqual(qbHeader, ['JournalNo', 'JournalDate', 'AccountName', 'Debits', 'Credits', 'Description', 'Name'])
    const entries = new Map<string, number>()
    for (const row of qbRows) entries.set(row[0], (entries.get(row[0]) ?? 0) + minor(row[3]) - minor(row[4]))
    assert.equal(entries.size, 7)
    for (const [no, balance] of entries) assert.equal(balance, 0, `journal ${no} balances`)
    const [y, m, d] = week.from.split('-')
    assert.equal(qbRows[0][0], `POS-${y}${m}${d}`)
    assert.equal(qbRows[0][1], `${m}/${d}/${y}`)
    const qbSales = qbRows.filter((r) => r[2] === 'Sales').reduce((s, r) => s + minor(r[4]), 0)
    const qbDiscounts = qbRows.filter((r) => r[2] === 'Discounts given').reduce((s, r) => s + minor(r[3]), 0)
    const qbTax = qbRows.filter((r) => r[2] === 'Sales Tax Payable').reduce((s, r) => s + minor(r[4]), 0)
    assert.equal(qbSales - qbDiscounts + qbTax, report.total)

    const xero = await download(client, token, 'xero', week.from, week.to)
    xero.assertStatus(200)
    const [xeroHeader, ...xeroRows] = csvRows(xero.text())
    assert.deepEqual(xeroHeader, ['Narration', 'Date', 'Description', 'AccountCode', 'TaxRate', 'Amount', 'TrackingName1', 'TrackingOption1', 'TrackingName2', 'TrackingOption2'])
    const journals = new Map<string, number>()
    for (const row of xeroRows) journals.set(`${row[0]}|${row[1]}`, (journals.get(`${row[0]}|${row[1]}`) ?? 0) + minor(row[5]))
    assert.equal(journals.size, 7)
    for (const [key, balance] of journals) assert.equal(balance, 0, `journal ${key} balances`)
    // credits are negative amounts, written as plain numbers (not neutralised)
    assert.isTrue(xeroRows.some((r) => /^-\d+\.\d\d$/.test(r[5])))
    assert.equal(xeroRows[0][4], 'Tax Exempt')
    assert.match(xeroRows[0][1], /^\d\d [A-Z][a-z]{2} \d{4}$/)
  })

  test('the sales lines add up to the report, and formula cells are neutralised', async ({ client, assert }) => {
    await enablePluginForTest('export-sales-lines')
    const week = await seedWeek({ formulaName: '=HYPERLINK("http://evil.test","Coffee")' })
    await db.from('products').where('store_id', week.fixture.store.id).where('name', 'Bread').update({ name: '+Bread' })
    // the name is copied on the line when sold: rename it on the lines too
    await db.from('sale_items').whereIn('sale_id', week.saleIds).where('name', 'Bread').update({ name: '@Bread' })
    const token = await apiToken(client, week.fixture.users.accountant)
    const response = await download(client, token, 'sales-lines', week.from, week.to)
    response.assertStatus(200)
    const text = response.text()
    const [header, ...rows] = csvRows(text)
    assert.deepEqual(header, ['date', 'completed_at', 'register', 'sale_number', 'sku', 'product', 'quantity', 'unit_price', 'discount', 'tax_code', 'tax_rate', 'tax', 'net', 'total'])
    const products = new Set(rows.map((r) => r[5]))
    assert.isTrue(products.has(`'=HYPERLINK("http://evil.test","Coffee")`))
    assert.isTrue(products.has("'@Bread"))
    for (const row of rows) for (const cell of row) assert.notMatch(cell, /^[=+@\t\r]/)
    assert.notInclude(text, '\n=')

    const report = await reportTotals(client, token, week.from, week.to)
    assert.equal(rows.reduce((s, r) => s + minor(r[13]), 0), report.total)
    assert.equal(rows.reduce((s, r) => s + minor(r[11]), 0), report.tax)
    // in order: by day, then time
    const times = rows.map((r) => Date.parse(r[1]))
    assert.deepEqual(times, [...times].sort((a, b) => a - b))
  })

  test('the same period exported twice is byte-identical', async ({ client, assert }) => {
    const week = await seedWeek()
    const token = await apiToken(client, week.fixture.users.accountant)
    for (const exporter of ['journal', 'quickbooks', 'xero', 'sales-lines']) {
      const first = await download(client, token, exporter, week.from, week.to)
      const second = await download(client, token, exporter, week.from, week.to)
      first.assertStatus(200)
      assert.isAbove(first.text().length, 200)
      assert.equal(second.text(), first.text(), `${exporter} twice`)
    }
  })

  test('days without sales give no rows; another store’s sales never show', async ({ client, assert }) => {
    const week = await seedWeek()
    const other = await createStore()
    const token = await apiToken(client, other.users.accountant)
    const response = await download(client, token, 'journal', week.from, week.to)
    response.assertStatus(200)
    assert.equal(response.text(), 'date,account,debit,credit,memo\r\n')
  })
})

test.group('Accounting exports: store days and pages', (group) => {
  group.each.timeout(60_000)

  test('sales and refunds count on their store day, across a DST change in a zone 45 minutes off the hour', async ({ client, assert }) => {
    await enablePluginForTest('export-journal')
    await enablePluginForTest('export-sales-lines')
    const fixture = await createStore()
    // Chatham Islands: UTC+12:45, +13:45 in summer, so store days start at a quarter past a UTC hour
    const zone = 'Pacific/Chatham'
    fixture.store.timeZone = zone
    await fixture.store.save()
    // The last day the clocks changed on, and a day either side of it
    let change = DateTime.now().setZone(zone).startOf('day').minus({ days: 2 })
    while (change.offset === change.plus({ days: 1 }).startOf('day').offset) change = change.minus({ days: 1 })
    const from = change.minus({ days: 1 }).toISODate()!
    const to = change.plus({ days: 1 }).toISODate()!
    const product = await createProduct(fixture, { name: 'Widget', price: 1000 })
    await seedBusyStore(fixture.store, { from, to, lines: 120, products: [product] })

    // Sales and refunds on either side of each store day's start, and one just outside the period
    const bounds = [0, 1, 2, 3].map((n) => DateTime.fromISO(from, { zone }).plus({ days: n }).startOf('day').toUTC())
    const instants = [bounds[0].minus({ seconds: 1 }), bounds[0], bounds[1].minus({ seconds: 1 }), bounds[1], bounds[2].minus({ seconds: 1 }), bounds[2], bounds[3].minus({ seconds: 1 }), bounds[3]]
    const sales = await db.from('sales').where('store_id', fixture.store.id).orderBy('id').select('id')
    for (const [k, at] of instants.entries()) await db.from('sales').where('id', sales[k * 3].id).update({ completed_at: dbTimestamp(at) })
    for (const [k, at] of instants.entries()) {
      const [refundId] = await db.table('refunds').insert({
        store_id: fixture.store.id, register_id: fixture.register.id, user_id: fixture.users.manager.id, reason: 'test',
        total: 1000 + k, tax_total: 80, hash: `refund-${fixture.tag}-${k}`, created_at: dbTimestamp(at),
      })
      // The goods' value (the cash back is a little more on every other one: its smallest coin)
      await db.table('refund_items').insert({ refund_id: refundId, product_id: product.id, quantity: 1, amount: 1000 + k, tax_amount: 80, restock: false })
      await db.table('refund_payments').multiInsert([
        { refund_id: refundId, method: 'cash', amount: 700 + k + (k % 2) * 5 },
        { refund_id: refundId, method: 'card_external', amount: 300 },
      ])
    }

    // What each store day holds, worked out from the stored UTC times with luxon
    const dayOf = (stored: string) => DateTime.fromSQL(stored, { zone: 'utc' }).setZone(zone).toISODate()!
    const expected = new Map<string, { sales: number; received: number; refunded: number; refunds: number; lines: number }>()
    const of = (day: string) => expected.get(day) ?? expected.set(day, { sales: 0, received: 0, refunded: 0, refunds: 0, lines: 0 }).get(day)!
    const inPeriod = (day: string) => day >= from && day <= to
    const stored = await db
      .from('sales')
      .where('store_id', fixture.store.id)
      .select('id', db.raw('cast(completed_at as char) as at'), db.raw('(select count(*) from sale_items where sale_id = sales.id) as line_count'))
      .select(db.raw(`(select sum(amount) from payments where sale_id = sales.id and status = 'approved') as received`))
    for (const sale of stored) {
      const day = dayOf(sale.at)
      if (!inPeriod(day)) continue
      of(day).sales++
      of(day).received += Number(sale.received)
      of(day).lines += Number(sale.line_count)
    }
    const refunds = await db.from('refunds').where('store_id', fixture.store.id).select('id', 'total', 'tax_total', db.raw('cast(created_at as char) as at'))
    for (const refund of refunds) {
      const day = dayOf(refund.at)
      if (!inPeriod(day)) continue
      of(day).refunds += refund.total - refund.tax_total
      of(day).refunded += Number((await db.from('refund_payments').where('refund_id', refund.id).sum('amount as n').first()).n)
    }
    assert.deepEqual([...expected.keys()].sort(), [from, change.toISODate()!, to])

    const token = await apiToken(client, fixture.users.accountant)
    const journal = csvRows((await download(client, token, 'journal', from, to)).text()).slice(1)
    const found = new Map<string, { sales: number; received: number; refunded: number; refunds: number; lines: number }>()
    for (const [date, , debit, credit, memo] of journal) {
      const day = found.get(date) ?? found.set(date, { sales: 0, received: 0, refunded: 0, refunds: 0, lines: expected.get(date)?.lines ?? 0 }).get(date)!
      if (memo.startsWith('Sales (')) day.sales = Number(memo.slice(7, -1))
      if (memo.startsWith('Received: ')) day.received += minor(debit)
      if (memo.startsWith('Refunded: ')) day.refunded += minor(credit)
      if (memo === 'Refunds') day.refunds += minor(debit)
    }
    assert.deepEqual(Object.fromEntries(found), Object.fromEntries(expected))

    const lines = csvRows((await download(client, token, 'sales-lines', from, to)).text()).slice(1)
    assert.equal(lines.length, [...expected.values()].reduce((n, day) => n + day.lines, 0))
    // The time is the store's, with its offset (around the change of clocks too), on the line's date
    for (const [date, completedAt] of lines) {
      assert.match(completedAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$/)
      assert.equal(completedAt.slice(0, 10), date)
      assert.equal(dayOf(new Date(completedAt).toISOString().slice(0, 19).replace('T', ' ')), date, completedAt)
      assert.equal(DateTime.fromISO(completedAt, { setZone: true }).offset, DateTime.fromISO(completedAt).setZone(fixture.store.timeZone).offset, completedAt)
    }
  })

  test('a busy day comes in several pages: every line once, ordered by time, sale and line', async ({ client, assert }) => {
    await enablePluginForTest('export-sales-lines')
    const fixture = await createStore()
    const products = [await createProduct(fixture, { name: 'Tea' }), await createProduct(fixture, { name: 'Milk', taxClass: 'reduced' })]
    const day = DateTime.now().setZone(fixture.store.timeZone).minus({ days: 1 }).toISODate()!
    await seedBusyStore(fixture.store, { from: day, to: day, lines: 12_000, products })
    // Runs of sales completed in the same second, so pages also end between sales of one time
    const sales = await db.from('sales').where('store_id', fixture.store.id).orderBy('id').select('id', db.raw('cast(completed_at as char) as at'))
    for (let k = 1; k < sales.length; k += 3) await db.from('sales').where('id', sales[k].id).update({ completed_at: sales[k - 1].at })

    const token = await apiToken(client, fixture.users.accountant)
    const rows = csvRows((await download(client, token, 'sales-lines', day, day)).text()).slice(1)
    const expected = await db
      .from('sales as s')
      .join('sale_items as i', 'i.sale_id', 's.id')
      .where('s.store_id', fixture.store.id)
      .orderBy([{ column: 's.completed_at' }, { column: 's.id' }, { column: 'i.id' }])
      .select('s.number', 'i.name', 'i.quantity', 'i.total')
    assert.equal(rows.length, 12_000)
    assert.deepEqual(
      rows.map((r) => [Number(r[3]), r[5], Number(r[6]), minor(r[13])]),
      expected.map((e) => [Number(e.number), e.name, Number(e.quantity), Number(e.total)])
    )
  })
})
