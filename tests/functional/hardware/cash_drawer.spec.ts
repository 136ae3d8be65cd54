import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import emitter from '@adonisjs/core/services/emitter'
import Device from '#models/device'
import PrintJob from '#models/print_job'
import { apiToken, createProduct, createStore, type TestStore } from '#tests/fixtures'
import { eventually } from '#tests/functional/hardware/fake_printer'
import { createPairingCode } from '#hardware/pairing'
import { TestDevice } from '#tests/functional/offline/device'
import { submit } from '#tests/functional/backoffice/helpers'

/*
| The cash drawer opens for the cash a sale takes and a refund pays back (app/hardware/cash_drawer.ts),
| before the receipt prints, once each; not for a card sale, and not for a sale made on the offline
| till and synced later (its cash went in, and its receipt was printed, when it was made).
*/

async function tillWithDrawer(client: any) {
  const fixture = await createStore()
  const printer = await Device.create({ storeId: fixture.store.id, registerId: fixture.register.id, kind: 'printer', name: 'Front printer', transport: 'tcp', host: '127.0.0.1', port: 9 })
  await Device.create({ storeId: fixture.store.id, registerId: fixture.register.id, kind: 'drawer', name: 'Drawer', transport: 'tcp', printerId: printer.id })
  const { code } = await createPairingCode(fixture.store, fixture.register.id, fixture.users.manager)
  ;(await client.post('/api/bridge/pair').json({ code, name: 'Till PC' })).assertStatus(201)
  return { fixture, printer }
}

const jobsOf = (fixture: TestStore) => PrintJob.query().where('register_id', fixture.register.id).orderBy('id')

test.group('Hardware: the cash drawer opens for cash', () => {
  test('a cash sale opens the drawer before its receipt prints, once; a card sale opens nothing', async ({ client, assert }) => {
    const { fixture, printer } = await tillWithDrawer(client)
    const tea = await createProduct(fixture, { price: 450, stock: 20 })
    const token = await apiToken(client, fixture.users.cashier)
    const sell = (payment: Record<string, unknown>) => client.post('/api/sales').bearerToken(token).json({ register_id: fixture.register.id, items: [{ product_id: tea.id, quantity: 1 }], ...payment })

    const cash = await sell({ payment_method: 'cash', tendered: 500 })
    cash.assertStatus(201)
    const saleId = cash.body().id
    await eventually(async () => (await jobsOf(fixture)).length === 2 || null, 'the drawer kick and the receipt are queued')
    const [drawer, receipt] = await jobsOf(fixture)
    assert.deepInclude(drawer.serialize(), { kind: 'drawer', saleId, deviceId: printer.id, uniqueKey: `drawer:sale:${saleId}` })
    assert.deepInclude(receipt.serialize(), { kind: 'receipt', saleId })
    // The pulse the drawer is set up for (ESC p, pin 2): the bytes the bridge sends the printer
    assert.equal(Buffer.from(drawer.payload, 'base64').subarray(0, 3).toString('hex'), '1b7000')

    // The event heard again (a second server, a listener retried): still one kick
    emitter.emit('sale:completed', { saleId, storeId: fixture.store.id, registerId: fixture.register.id, number: 1, total: 450, productIds: [tea.id], tenders: [{ method: 'cash', amount: 450 }] })
    await new Promise((resolve) => setTimeout(resolve, 300))
    assert.lengthOf((await jobsOf(fixture)).filter((job) => job.kind === 'drawer'), 1)

    ;(await sell({ payment_method: 'card_external', reference: 'AUTH-1' })).assertStatus(201)
    await eventually(async () => (await jobsOf(fixture)).length === 3 || null, 'the card sale’s receipt is queued')
    assert.deepEqual((await jobsOf(fixture)).map((job) => job.kind), ['drawer', 'receipt', 'receipt'])
  })

  test('Test on the drawer in Devices opens it as a no-sale would: in the audit log, by whom', async ({ client, assert }) => {
    // It opened the drawer from the back office with no word in the audit log: a no-sale the
    // Open drawer button would have recorded (hardware_controller.ts)
    const { fixture } = await tillWithDrawer(client)
    const drawer = await Device.query().where({ register_id: fixture.register.id, kind: 'drawer' }).firstOrFail()
    const printer = await Device.query().where({ register_id: fixture.register.id, kind: 'printer' }).firstOrFail()
    ;(await submit(client, fixture.users.manager, 'post', `/backoffice/devices/${drawer.id}/test`, {}, '/backoffice/devices')).assertStatus(302)
    ;(await submit(client, fixture.users.manager, 'post', `/backoffice/devices/${printer.id}/test`, {}, '/backoffice/devices')).assertStatus(302)
    const kick = await PrintJob.query().where({ register_id: fixture.register.id, kind: 'drawer' }).firstOrFail()
    const audits = await db.from('audit_logs').where({ action: 'drawer_opened_no_sale', store_id: fixture.store.id })
    assert.lengthOf(audits, 1)
    assert.equal(audits[0].user_id, fixture.users.manager.id)
    assert.equal(audits[0].subject_id, fixture.register.id)
    const data = typeof audits[0].data === 'string' ? JSON.parse(audits[0].data) : audits[0].data
    assert.deepEqual(data, { jobId: kick.id, test: true, deviceId: drawer.id })
  })

  test('a refund paid back in cash opens the drawer; an offline sale synced later opens nothing and prints nothing', async ({ client, assert }) => {
    const { fixture } = await tillWithDrawer(client)
    const tea = await createProduct(fixture, { price: 450, stock: 20 })
    const token = await apiToken(client, fixture.users.cashier)
    const sale = (await client.post('/api/sales').bearerToken(token).json({ register_id: fixture.register.id, items: [{ product_id: tea.id, quantity: 2 }], payment_method: 'cash', tendered: 2000 })).body()
    await eventually(async () => (await jobsOf(fixture)).length === 2 || null, 'the sale’s drawer kick and receipt are queued')

    const refund = await client.post(`/api/sales/${sale.id}/refunds`).bearerToken(token).json({ items: [{ sale_item_id: sale.items[0].id, quantity: 1 }], reason: 'Broken seal' })
    refund.assertStatus(201)
    const kick = await eventually(() => PrintJob.query().where({ register_id: fixture.register.id, kind: 'drawer' }).whereNull('sale_id').first(), 'the refund’s drawer kick is queued')
    assert.equal(kick.uniqueKey, `drawer:refund:${refund.body().id}`)

    // Sold in cash on the offline till an hour ago, recorded now
    await db.from('print_jobs').where('register_id', fixture.register.id).delete()
    const device = new TestDevice(fixture)
    ;(await device.takeLease(client)).assertStatus(200)
    const offline = await device.sell([{ product: tea, quantity: 1 }])
    const synced = await device.as(client, 'post', '/till/offline/sales').json({ sales: [offline] })
    assert.equal(synced.body().results[0].outcome, 'recorded', JSON.stringify(synced.body()))
    await new Promise((resolve) => setTimeout(resolve, 500))
    assert.lengthOf(await jobsOf(fixture), 0)
  })
})
