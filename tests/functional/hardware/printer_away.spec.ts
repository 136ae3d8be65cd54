import { test } from '@japa/runner'
import { PassThrough } from 'node:stream'
import { DateTime } from 'luxon'
import db from '@adonisjs/lucid/services/db'
import Bridge from '#models/bridge'
import Device from '#models/device'
import PrintJob from '#models/print_job'
import { createProduct, createStore, type TestStore } from '#tests/fixtures'
import { reopen, sellFor, submit } from '#tests/functional/backoffice/helpers'
import { eventually } from '#tests/functional/hardware/fake_printer'
import { REGISTER_COOKIE } from '#sales/till_screen_service'
import { createPairingCode } from '#hardware/pairing'
import { dispatcher } from '#hardware/dispatcher'

/*
| While the printer is away (off, out of paper, its bridge offline): a drawer kick (and a
| display's text) is now or never, giving up after a minute rather than popping the drawer open
| later (momentary.ts); a reprint of a receipt still waiting does not queue a second copy.
*/

function till(client: any, fixture: TestStore, method: 'get' | 'post', url: string) {
  return client[method](url).loginAs(fixture.users.cashier).withCsrfToken().withCookie(REGISTER_COOKIE, String(fixture.register.id)).header('HX-Request', 'true')
}

async function printerFor(fixture: TestStore) {
  return Device.create({ storeId: fixture.store.id, registerId: fixture.register.id, kind: 'printer', name: 'Front printer', transport: 'tcp', host: '127.0.0.1', port: 9 })
}

test.group('Hardware: jobs while the printer is away', () => {
  test('a drawer kick the printer cannot take within a minute gives up and says so: the drawer never pops open later', async ({ client, assert }) => {
    const fixture = await createStore()
    const printer = await printerFor(fixture)
    await Device.create({ storeId: fixture.store.id, registerId: fixture.register.id, kind: 'drawer', name: 'Drawer', transport: 'tcp', printerId: printer.id })
    const { code } = await createPairingCode(fixture.store, fixture.register.id, fixture.users.manager)
    const token = (await client.post('/api/bridge/pair').json({ code, name: 'Till PC' })).body().token
    const bridge = await Bridge.query().where('register_id', fixture.register.id).firstOrFail()
    const minutesAgo = (job: PrintJob, minutes: number) => db.from('print_jobs').where('id', job.id).update({ created_at: DateTime.utc().minus({ minutes }).toFormat('yyyy-MM-dd HH:mm:ss') })

    // The printer is off: the bridge reports each attempt failed; after a minute the kick gives up
    ;(await till(client, fixture, 'post', '/till/drawer')).assertStatus(200)
    const kick = await PrintJob.query().where({ register_id: fixture.register.id, kind: 'drawer' }).firstOrFail()
    const fail = () => client.post(`/api/bridge/jobs/${kick.id}/result`).bearerToken(token).json({ ok: false, error: 'The printer Front printer at 127.0.0.1:9 refused the connection' })
    assert.equal((await fail()).body().status, 'queued')
    // What waits is named: it read "receipt queued"
    assert.include((await till(client, fixture, 'get', '/till/hardware')).text(), 'Printer offline — drawer kick queued')
    await minutesAgo(kick, 2)
    assert.equal((await fail()).body().status, 'failed')
    const state = (await till(client, fixture, 'get', '/till/hardware')).text()
    assert.include(state, 'Drawer did not open')
    assert.notInclude(state, 'Receipt not printed')
    // Retry from the back office is refused: past its minute it gave up again at once, and a
    // drawer opened from the office may be far from anyone at the till
    const retried = await submit(client, fixture.users.manager, 'post', `/backoffice/jobs/${kick.id}/retry`, {}, '/backoffice/devices')
    assert.include((await reopen(client, fixture.users.manager, '/backoffice/devices', retried)).text(), 'is now or never and is not retried: press Open drawer on the till')
    assert.equal((await PrintJob.findOrFail(kick.id)).status, 'failed')

    // A kick asked for while the bridge was away is not sent when it comes back minutes later
    ;(await till(client, fixture, 'post', '/till/drawer')).assertStatus(200)
    const late = await PrintJob.query().where({ register_id: fixture.register.id, kind: 'drawer', status: 'queued' }).firstOrFail()
    await minutesAgo(late, 5)
    const stream = new PassThrough()
    let sent = ''
    stream.on('data', (chunk) => (sent += chunk))
    await dispatcher.attach(bridge, stream)
    dispatcher.detach(bridge.id, stream)
    assert.include(sent, 'event: hello')
    assert.notInclude(sent, 'event: job')
    await late.refresh()
    assert.equal(late.status, 'failed')
    assert.match(late.lastError!, /not opened/)
  })

  test('reprint while the sale’s receipt still waits for the printer: it is tried again now, never queued twice', async ({ client, assert }) => {
    const fixture = await createStore()
    await printerFor(fixture)
    const { code } = await createPairingCode(fixture.store, fixture.register.id, fixture.users.manager)
    ;(await client.post('/api/bridge/pair').json({ code, name: 'Till PC' })).assertStatus(201)
    const sale = await sellFor(fixture, [{ product: await createProduct(fixture), quantity: 1 }])
    const waiting = await eventually(() => PrintJob.query().where({ sale_id: sale.id }).first(), 'the receipt is queued')
    // The printer is out of paper: the receipt waits for its next attempt
    const later = DateTime.utc().plus({ seconds: 30 }).toFormat('yyyy-MM-dd HH:mm:ss')
    await db.from('print_jobs').where('id', waiting.id).update({ attempts: 3, last_error: 'The printer Front printer is out of paper', next_attempt_at: later })
    // Said as such on the till (it read "Printer offline": the cashier checked its cable)
    assert.include((await till(client, fixture, 'get', '/till/hardware')).text(), 'Printer out of paper — receipt queued')

    const reprinted = await till(client, fixture, 'post', `/till/receipts/${sale.id}/reprint`)
    reprinted.assertStatus(200)
    assert.include(reprinted.text(), 'already waiting for the printer')
    const jobs = await PrintJob.query().where({ sale_id: sale.id })
    assert.lengthOf(jobs, 1)
    assert.isTrue(jobs[0].nextAttemptAt <= DateTime.utc())

    // Once it printed, a reprint is a new copy
    await db.from('print_jobs').where('id', waiting.id).update({ status: 'done' })
    assert.include((await till(client, fixture, 'post', `/till/receipts/${sale.id}/reprint`)).text(), 'Receipt sent to the printer.')
    assert.equal(await PrintJob.query().where({ sale_id: sale.id }).count('* as n').first().then((r: any) => Number(r.$extras.n)), 2)
  })
})
