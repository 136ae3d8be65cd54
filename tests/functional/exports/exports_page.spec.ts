import { test } from '@japa/runner'
import { request as httpRequest } from 'node:http'
import { DateTime } from 'luxon'
import db from '@adonisjs/lucid/services/db'
import { apiToken, createProduct, createStore } from '#tests/fixtures'
import { submit, reopen } from '#tests/functional/backoffice/helpers'
import { enablePluginForTest, disablePluginForTest } from '#tests/plugins'
import { pluginHost } from '#plugins/host'
import { csvRows, minor, seedWeek } from '#tests/functional/exports/helpers'
import { seedBusyStore } from '#accounting/books_seed_service'

/*
| The Exports page and its form, the period's rules, who may export, and the streaming path
| (other requests answered meanwhile, a large period sent in chunks).
*/

const EXPORTERS = ['export-journal', 'export-quickbooks', 'export-xero', 'export-sales-lines']

test.group('Accounting exports: the page, the period and roles', (group) => {
  group.each.timeout(60_000)
  // Every exporter on, whichever spec file ran before this one
  group.setup(async () => {
    pluginHost.discover()
    const turnedOn: string[] = []
    for (const id of EXPORTERS) {
      if (pluginHost.list().find((p) => p.id === id)?.state === 'enabled') continue
      await enablePluginForTest(id)
      turnedOn.push(id)
    }
    return async () => {
      for (const id of turnedOn) await disablePluginForTest(id)
    }
  })
  test('the Exports page lists the exporters and is linked from the back office', async ({ client, assert }) => {
    const fixture = await createStore()
    const page = await client.get('/backoffice/exports').loginAs(fixture.users.accountant)
    page.assertStatus(200)
    for (const label of ['Daily journal', 'QuickBooks Online', 'Xero', 'Sales lines']) assert.include(page.text(), label)
    assert.include(page.text(), 'href="/backoffice/exports"')
    const dashboard = await client.get('/backoffice').loginAs(fixture.users.admin)
    assert.include(dashboard.text(), 'href="/backoffice/exports"')
    const managerDashboard = await client.get('/backoffice').loginAs(fixture.users.manager)
    assert.notInclude(managerDashboard.text(), 'href="/backoffice/exports"')
  })

  test('the form downloads the CSV as an attachment', async ({ client, assert }) => {
    const week = await seedWeek()
    const response = await submit(client, week.fixture.users.accountant, 'post', '/backoffice/exports', { exporter: 'journal', from: week.from, to: week.to }, '/backoffice/exports')
    response.assertStatus(200)
    assert.equal(response.header('content-disposition'), `attachment; filename="journal-${week.from}-${week.to}.csv"`)
    assert.equal(csvRows(response.text())[0].join(','), 'date,account,debit,credit,memo')
    const audit = await db.from('audit_logs').where({ store_id: week.fixture.store.id, action: 'accounting_export' }).first()
    assert.include(audit.data, '"exporter":"journal"')
  })

  test('bad periods are refused with the message on the field', async ({ client, assert }) => {
    const fixture = await createStore()
    const today = DateTime.now().setZone(fixture.store.timeZone)
    const day = (d: DateTime) => d.toISODate()!
    const cases: [Record<string, string>, string, RegExp][] = [
      [{ from: day(today.minus({ days: 3 })), to: day(today.minus({ days: 5 })) }, 'to', /on or after the start/],
      [{ from: day(today.minus({ years: 10 })), to: day(today.minus({ days: 1 })) }, 'to', /at most 366 days/],
      [{ from: day(today.minus({ days: 1 })), to: day(today.plus({ days: 2 })) }, 'to', /after today/],
      [{ from: day(today.plus({ days: 1 })), to: day(today.plus({ days: 2 })) }, 'from', /future/],
      [{ from: '2025-02-30', to: day(today) }, 'from', /not a day/],
      [{ from: 'last week', to: day(today) }, 'from', /.+/],
    ]
    const token = await apiToken(client, fixture.users.accountant)
    for (const [period, field, message] of cases) {
      const api = await client.get(`/api/exports/journal?from=${encodeURIComponent(period.from)}&to=${encodeURIComponent(period.to)}`).bearerToken(token)
      api.assertStatus(422)
      const error = api.body().errors.find((e: any) => e.field === field)
      assert.exists(error, `${JSON.stringify(period)} has an error on ${field}`)
      assert.match(error.message, message)

      const form = await submit(client, fixture.users.accountant, 'post', '/backoffice/exports', { exporter: 'journal', ...period }, '/backoffice/exports')
      form.assertStatus(302)
      const page = await reopen(client, fixture.users.accountant, '/backoffice/exports', form)
      assert.include(page.text(), `id="field-${field}-error"`)
    }
    const unknown = await client.get(`/api/exports/nope?from=${day(today)}&to=${day(today)}`).bearerToken(token)
    unknown.assertStatus(422)
    assert.equal(unknown.body().errors[0].field, 'exporter')
    // exactly 366 days up to today is fine
    const year = await client.get(`/api/exports/journal?from=${day(today.minus({ days: 365 }))}&to=${day(today)}`).bearerToken(token)
    year.assertStatus(200)
  })

  test('only admins and accountants export', async ({ client }) => {
    const fixture = await createStore()
    const today = DateTime.now().setZone(fixture.store.timeZone).toISODate()
    for (const role of ['cashier', 'manager'] as const) {
      ;(await client.get('/backoffice/exports').loginAs(fixture.users[role])).assertStatus(403)
      ;(await submit(client, fixture.users[role], 'post', '/backoffice/exports', { exporter: 'journal', from: today, to: today })).assertStatus(403)
      const token = await apiToken(client, fixture.users[role])
      ;(await client.get(`/api/exports/journal?from=${today}&to=${today}`).bearerToken(token)).assertStatus(403)
      ;(await client.get('/api/exports').bearerToken(token)).assertStatus(403)
    }
    for (const role of ['admin', 'accountant'] as const) {
      ;(await client.get('/backoffice/exports').loginAs(fixture.users[role])).assertStatus(200)
      const token = await apiToken(client, fixture.users[role])
      ;(await client.get(`/api/exports/journal?from=${today}&to=${today}`).bearerToken(token)).assertStatus(200)
    }
    ;(await client.get(`/api/exports/journal?from=${today}&to=${today}`)).assertStatus(401)
  })

  test('other requests are answered while an export streams', async ({ assert, client }) => {
    await enablePluginForTest('export-sales-lines')
    const fixture = await createStore()
    const product = await createProduct(fixture, { name: 'Widget' })
    const today = DateTime.now().setZone(fixture.store.timeZone).startOf('day')
    const from = today.minus({ days: 30 }).toISODate()!
    const to = today.minus({ days: 1 }).toISODate()!
    await seedBusyStore(fixture.store, { from, to, lines: 40_000, products: [product] })
    const token = await apiToken(client, fixture.users.accountant)
    /** Resolves with the time the whole answer was in */
    const get = (path: string, onFirstChunk?: () => void) =>
      new Promise<number>((resolve, reject) => {
        const req = httpRequest({ host: '127.0.0.1', port: Number(process.env.PORT), path, headers: { authorization: `Bearer ${token}` } }, (res) => {
          if (res.statusCode !== 200) reject(new Error(`${path} answered ${res.statusCode}`))
          res.once('data', () => onFirstChunk?.())
          res.on('data', () => {})
          res.on('end', () => resolve(performance.now()))
          res.on('error', reject)
        })
        req.on('error', reject)
        req.end()
      })
    // Asked once the export's first chunk is in, answered before its last
    let answered: Promise<number> | null = null
    const exported = await get(`/api/exports/sales-lines?from=${from}&to=${to}`, () => (answered = get('/api/auth/me')))
    assert.isBelow(await answered!, exported)
  })

  test('a large period is streamed: chunked, in several pieces, never with a length up front', async ({ assert, client }) => {
    const fixture = await createStore()
    const product = await createProduct(fixture, { name: 'Widget' })
    const today = DateTime.now().setZone(fixture.store.timeZone).startOf('day')
    const from = today.minus({ days: 60 }).toISODate()!
    const to = today.minus({ days: 1 }).toISODate()!
    const seeded = await seedBusyStore(fixture.store, { from, to, lines: 12_000, products: [product] })
    const token = await apiToken(client, fixture.users.accountant)

    const answer = await new Promise<{ headers: Record<string, any>; chunks: number; bytes: number; text: string }>((resolve, reject) => {
      const req = httpRequest(
        { host: '127.0.0.1', port: Number(process.env.PORT), path: `/api/exports/sales-lines?from=${from}&to=${to}`, headers: { authorization: `Bearer ${token}` } },
        (res) => {
          let chunks = 0
          const parts: Buffer[] = []
          res.on('data', (chunk: Buffer) => {
            chunks++
            parts.push(chunk)
          })
          res.on('end', () => {
            const body = Buffer.concat(parts)
            resolve({ headers: res.headers, chunks, bytes: body.length, text: body.toString('utf8') })
          })
          res.on('error', reject)
        }
      )
      req.on('error', reject)
      req.end()
    })
    assert.equal(answer.headers['transfer-encoding'], 'chunked')
    assert.isUndefined(answer.headers['content-length'])
    assert.isAbove(answer.chunks, 5)
    const rows = csvRows(answer.text)
    assert.equal(rows.length - 1, seeded.lines)
    assert.equal(rows.slice(1).reduce((s, r) => s + minor(r[13]), 0), seeded.total)
  })
})

test.group('Accounting exports: no exporter enabled', (group) => {
  // Every exporter off for this group, and back as it was after
  group.setup(async () => {
    pluginHost.discover()
    const turnedOff: string[] = []
    for (const id of EXPORTERS) {
      if (pluginHost.list().find((p) => p.id === id)?.state !== 'enabled') continue
      await disablePluginForTest(id)
      turnedOff.push(id)
    }
    return async () => {
      for (const id of turnedOff) await enablePluginForTest(id)
    }
  })
  // The page sent people to "Settings → Plugins", a menu the back office does not have
  test('the page says where exporters are enabled: a link for an admin who may, words for the others', async ({ client, assert }) => {
    // An admin of every store (chainAdmin) may manage plugins; the accountant may not
    const fixture = await createStore({ chainAdmin: true })
    const hint = (html: string) => html.match(/<p class="hint" data-testid="no-exporters">([\s\S]*?)<\/p>/)?.[1].replace(/\s+/g, ' ').trim()
    const admin = await client.get('/backoffice/exports').loginAs(fixture.users.admin)
    admin.assertStatus(200)
    assert.equal(hint(admin.text()), 'No accounting-export plugin is enabled. Enable one under <a href="/backoffice/plugins">Plugins</a>.')
    const accountant = await client.get('/backoffice/exports').loginAs(fixture.users.accountant)
    accountant.assertStatus(200)
    assert.equal(hint(accountant.text()), 'No accounting-export plugin is enabled. An admin enables one under Plugins.')
  })
})
