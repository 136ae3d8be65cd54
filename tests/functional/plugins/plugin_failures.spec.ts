import { test } from '@japa/runner'
import { DateTime } from 'luxon'
import db from '@adonisjs/lucid/services/db'
import { pluginHost } from '#plugins/host'
import Customer from '#models/customer'
import { apiToken, createProduct, createStore } from '#tests/fixtures'
import { eventually, pluginPost, resetPlugins, useFolders } from '#tests/functional/plugins/helpers'

/*
| An accounting exporter and a loyalty program are plugin code like any other: one that throws
| or hangs gets a clear answer (never a 500, or a download that never ends), and the admin sees
| why on the Plugins page.
*/

test.group('Plugins: a failing accounting exporter', (group) => {
  group.each.setup(() => useFolders())
  group.each.teardown(() => resetPlugins())

  test('columns() that throws is a 503 saying so; rows() that throws or hangs ends the download; each is recorded', async ({ client, assert }) => {
    const fixture = await createStore({ chainAdmin: true })
    const admin = fixture.users.admin
    const token = await apiToken(client, admin)
    const to = DateTime.now().setZone(fixture.store.timeZone).toISODate()!
    const from = DateTime.fromISO(to).minus({ days: 6 }).toISODate()!
    const download = () => client.get(`/api/exports/broken-export?from=${from}&to=${to}`).bearerToken(token)
    await pluginPost(client, admin, '/backoffice/plugins/throws-in-export/enable')
    assert.equal(pluginHost.get('throws-in-export').state, 'enabled')

    const refused = await download()
    refused.assertStatus(503)
    assert.equal(refused.body().errors[0].code, 'export_failed')
    assert.match(refused.body().errors[0].message, /The export "Broken export" failed: chart of accounts missing/)
    // The error is written after the answer: a MariaDB test reads it back a moment later
    const lastError = (message: string) => eventually(() => db.from('plugins').where({ id: 'throws-in-export', last_error: message }).first())
    await lastError('export columns(): chart of accounts missing')

    // Mid-file: the response cannot turn into an error any more, so the download is cut off, never passed off as whole
    await pluginPost(client, admin, '/backoffice/plugins/throws-in-export/settings', { mode: 'rows' })
    const cut = await download().then((r: any) => r.text(), (error: Error) => error)
    assert.instanceOf(cut, Error)
    await lastError('export rows(): ledger locked')

    await pluginPost(client, admin, '/backoffice/plugins/throws-in-export/settings', { mode: 'hang' })
    pluginHost.exportRowTimeoutMs = 200
    try {
      const hung = await Promise.race([download().then((r: any) => r.text(), (error: Error) => error), new Promise((resolve) => setTimeout(() => resolve('still hanging'), 3000))])
      assert.instanceOf(hung, Error)
    } finally {
      pluginHost.exportRowTimeoutMs = 30_000
    }
    await lastError('export rows(): export rows() did not answer within 0.2 s')
    const page = await client.get('/backoffice/plugins').loginAs(admin)
    assert.include(page.text(), 'export rows(): export rows() did not answer within 0.2 s')
  })
})

test.group('Plugins: a failing loyalty program', (group) => {
  group.each.setup(() => useFolders())
  group.each.teardown(() => resetPlugins())

  test('points that cannot be spent are refused with a 503 saying why (never a 500); cash still sells; the error is recorded', async ({ client, assert }) => {
    const fixture = await createStore({ chainAdmin: true })
    const customer = await Customer.create({ storeId: fixture.store.id, name: 'Ada Lovelace', email: `ada.${fixture.tag}@test.local` })
    const product = await createProduct(fixture, { price: 500, stock: 10 })
    await pluginPost(client, fixture.users.admin, '/backoffice/plugins/throws-in-loyalty/enable')
    assert.equal(pluginHost.get('throws-in-loyalty').state, 'enabled')
    const token = await apiToken(client, fixture.users.cashier)

    const open = await client.post('/api/sales').bearerToken(token).json({ items: [{ product_id: product.id, quantity: 1 }], customer_id: customer.id })
    open.assertStatus(201)
    const points = await client.post('/api/payments').bearerToken(token).json({ sale_id: open.body().id, method: 'loyalty_points', amount: 540 })
    points.assertStatus(503)
    assert.equal(points.body().errors[0].code, 'loyalty_unavailable')
    assert.match(points.body().errors[0].message, /The loyalty program failed \(points ledger unreachable\)/)
    await eventually(() => db.from('plugins').where({ id: 'throws-in-loyalty', last_error: 'loyalty redeem(): points ledger unreachable' }).first())

    const cash = await client.post('/api/payments').bearerToken(token).json({ sale_id: open.body().id, method: 'cash', amount: 540, tendered: 1000 })
    cash.assertStatus(201)
  })
})
