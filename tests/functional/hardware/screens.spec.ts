import { test } from '@japa/runner'
import { randomUUID } from 'node:crypto'
import { DateTime } from 'luxon'
import { ApiRequest } from '@japa/api-client'
import db from '@adonisjs/lucid/services/db'
import Bridge from '#models/bridge'
import Customer from '#models/customer'
import Device from '#models/device'
import PrintJob from '#models/print_job'
import Sale from '#models/sale'
import { apiToken, countRows, createProduct, createStore, type TestStore } from '#tests/fixtures'
import { reopen, sellFor, submit } from '#tests/functional/backoffice/helpers'
import { REGISTER_COOKIE } from '#sales/till_screen_service'
import { eventually } from '#tests/functional/hardware/fake_printer'
import { pdfText } from '#tests/pdf_text'
import { clearRateLimits } from '#platform/rate_limits'
import { createPairingCode } from '#hardware/pairing'
import ShiftService from '#shifts/shift_service'
import { forgetBrowserLocation } from '#platform/browser_locator'
import { closePdfBrowser } from '#platform/pdf_service'

// PDFs arrive as bytes, to be read back with unpdf
ApiRequest.addParser('application/pdf', (res: any, done: any) => {
  const chunks: Buffer[] = []
  res.on('data', (chunk: Buffer) => chunks.push(chunk))
  res.on('end', () => done(null, Buffer.concat(chunks)))
})

function till(client: any, fixture: TestStore, method: 'get' | 'post', url: string) {
  return client[method](url).loginAs(fixture.users.cashier).withCsrfToken().withCookie(REGISTER_COOKIE, String(fixture.register.id)).header('HX-Request', 'true')
}

async function printerFor(fixture: TestStore) {
  return Device.create({ storeId: fixture.store.id, registerId: fixture.register.id, kind: 'printer', name: 'Front printer', transport: 'tcp', host: '127.0.0.1', port: 9 })
}

async function bridgeFor(fixture: TestStore, lastSeen = DateTime.utc()) {
  return Bridge.create({ storeId: fixture.store.id, registerId: fixture.register.id, name: 'Till PC', tokenHash: randomUUID().replaceAll('-', '').padEnd(64, '0'), lastSeenAt: lastSeen })
}

test.group('Hardware in the back office', () => {
  test('a closed shift’s Z report prints on the register’s printer; without a printer the manager is told why', async ({ client, assert }) => {
    const fixture = await createStore()
    const tea = await createProduct(fixture, { name: 'Green Tea', price: 450 })
    await sellFor(fixture, [{ product: tea, quantity: 2 }])
    const shifts = new ShiftService()
    const open = await shifts.current(fixture.store.id, fixture.register.id)
    const { shift } = await shifts.close({ user: fixture.users.manager, store: fixture.store }, open!.id, { counts: { '1000': 1 } })
    const { manager } = fixture.users
    const page = `/backoffice/shifts/${shift.id}`
    assert.include((await client.get(page).loginAs(manager)).text(), `action="/backoffice/shifts/${shift.id}/print"`)

    const refused = await submit(client, manager, 'post', `${page}/print`, {}, page)
    assert.include((await reopen(client, manager, page, refused)).text(), 'This register has no receipt printer')
    assert.equal(await countRows('print_jobs', { register_id: fixture.register.id }), 0)

    await printerFor(fixture)
    await bridgeFor(fixture)
    ;(await submit(client, manager, 'post', `${page}/print`, {}, page)).assertStatus(302)
    const job = await PrintJob.query().where({ register_id: fixture.register.id, kind: 'z_report' }).firstOrFail()
    assert.equal(job.status, 'queued')
    const printed = Buffer.from(job.payload, 'base64').toString('latin1')
    assert.include(printed, 'Z report #1')
    // Opened and closed at the store's time, as on the report's page and PDF (they were UTC: five hours on in New York)
    const local = (at: DateTime) => at.setZone(fixture.store.timeZone).toFormat('yyyy-MM-dd HH:mm')
    assert.match(printed, new RegExp(`Opened +${local(shift.openedAt)}`))
    assert.match(printed, new RegExp(`Closed +${local(shift.closedAt!)}`))
    assert.notInclude(printed, shift.openedAt.toUTC().toFormat('yyyy-MM-dd HH:mm'))
    assert.include(printed, '$9.72') // the shift's one sale
    assert.include(printed, '$10.00') // counted
    // The word says the sign, as the report's page: "Short $x", never "Difference -$x"
    assert.match(printed, /(Short|Over) +\$\d+\.\d\d/)
    assert.notInclude(printed, '-$')
  })

  test('a manager adds a printer and a drawer, pairs a bridge with the code shown, sees it online, and revokes it', async ({ client, assert }) => {
    const fixture = await createStore()
    const { manager } = fixture.users
    const added = await submit(client, manager, 'post', `/backoffice/registers/${fixture.register.id}/devices`, { kind: 'printer', name: 'Kitchen Epson', transport: 'tcp', host: '192.168.1.50', port: 9100 })
    added.assertStatus(302)
    const printer = await Device.query().where({ register_id: fixture.register.id, kind: 'printer' }).firstOrFail()
    assert.equal(printer.address, '192.168.1.50:9100')
    await submit(client, manager, 'post', `/backoffice/registers/${fixture.register.id}/devices`, { kind: 'drawer', name: 'Drawer', transport: 'tcp', printer_id: printer.id, drawer_pin: '5', pulse_on_ms: 120, pulse_off_ms: 240 })
    const drawer = await Device.query().where({ register_id: fixture.register.id, kind: 'drawer' }).firstOrFail()
    assert.deepInclude(drawer.$attributes, { printerId: printer.id, drawerPin: 5, pulseOnMs: 120, pulseOffMs: 240 })

    const paired = await submit(client, manager, 'post', `/backoffice/registers/${fixture.register.id}/pair`)
    paired.assertStatus(200)
    const code = paired.text().match(/data-testid="pairing-code">([A-Z0-9-]+)</)![1]
    assert.match(code, /^[A-Z2-9]{4}-[A-Z2-9]{4}$/)
    assert.include(paired.text(), `--code ${code}`)
    const stored = await db.from('bridge_pairing_codes').orderBy('id', 'desc').first()
    assert.notInclude(JSON.stringify(stored), code.replace('-', '')) // kept hashed only

    const bridge = await client.post('/api/bridge/pair').json({ code, name: 'Till PC' })
    bridge.assertStatus(201)
    const page = await client.get('/backoffice/devices').loginAs(manager)
    page.assertStatus(200)
    assert.include(page.text(), 'Till PC')
    assert.include(page.text(), 'data-testid="bridge-state">Online')
    assert.include(page.text(), 'Kitchen Epson')
    assert.include(page.text(), 'href="/backoffice/devices"')

    const revoked = await submit(client, manager, 'post', `/backoffice/bridges/${bridge.body().bridge_id}/revoke`)
    revoked.assertStatus(302)
    assert.isNotNull((await Bridge.findOrFail(bridge.body().bridge_id)).revokedAt)
    ;(await client.get('/api/bridge/events').header('authorization', `Bearer ${bridge.body().token}`)).assertStatus(401)
    assert.equal(await countRows('audit_logs', { action: 'bridge_revoked', store_id: fixture.store.id }), 1)
  })

  test('guessing pairing codes is blocked after ten refusals from one address', async ({ client, assert, cleanup }) => {
    cleanup(() => clearRateLimits())
    const fixture = await createStore()
    for (let i = 0; i < 10; i++) (await client.post('/api/bridge/pair').json({ code: `WRONG${i}` })).assertStatus(401)
    const { code } = await createPairingCode(fixture.store, fixture.register.id, fixture.users.manager)
    const blocked = await client.post('/api/bridge/pair').json({ code })
    blocked.assertStatus(429)
    // With the wait, in words and as Retry-After ("Too many requests" said neither)
    assert.match(blocked.body().errors[0].message, /^Too many attempts: try again in (1[0-5]|[1-9]) minute\(s\)$/)
    assert.equal(blocked.body().errors[0].code, 'too_many_requests')
    assert.isAbove(Number(blocked.header('retry-after')), 14 * 60)
    assert.equal(await countRows('bridges', { register_id: fixture.register.id }), 0)
  })

  test('the recent jobs show what failed and why; a failed job can be queued again', async ({ client, assert }) => {
    const fixture = await createStore()
    const printer = await printerFor(fixture)
    await bridgeFor(fixture)
    const job = await PrintJob.create({
      storeId: fixture.store.id,
      registerId: fixture.register.id,
      deviceId: printer.id,
      kind: 'test',
      payload: '',
      status: 'failed',
      attempts: 40,
      nextAttemptAt: DateTime.utc(),
      lastError: 'The printer Front printer at 127.0.0.1:9 is out of paper',
    })
    const page = await client.get('/backoffice/devices').loginAs(fixture.users.manager)
    assert.include(page.text(), 'The printer Front printer at 127.0.0.1:9 is out of paper')
    assert.include(page.text(), `/backoffice/jobs/${job.id}/retry`)
    ;(await submit(client, fixture.users.manager, 'post', `/backoffice/jobs/${job.id}/retry`)).assertStatus(302)
    const again = await PrintJob.findOrFail(job.id)
    assert.equal(again.status, 'queued')
    assert.equal(again.attempts, 0)
    const twice = await submit(client, fixture.users.manager, 'post', `/backoffice/jobs/${job.id}/retry`, {}, '/backoffice/devices')
    const shown = await reopen(client, fixture.users.manager, '/backoffice/devices', twice)
    assert.include(shown.text(), `Job #${job.id} is queued: only a failed job can be retried`)
  })

  test('the Devices page says how to start and pair a bridge, with the command to copy (an admin has no docs/ folder in front of them)', async ({ client, assert }) => {
    const fixture = await createStore()
    const { admin } = fixture.users
    const page: string = (await client.get('/backoffice/devices').loginAs(admin)).text()
    const steps = page.match(/<details class="card u-mb2" data-testid="bridge-steps"\s*open>([\s\S]*?)<\/details>/)
    assert.isNotNull(steps, 'the steps are open while no register has a bridge')
    assert.match(steps![1], /<pre><code>node ace bridge --server http:\/\/[^ <]+ --code XXXX-XXXX<\/code><\/pre>/)
    assert.include(steps![1], '<code>node ace bridge</code>')
    const paired = await submit(client, admin, 'post', `/backoffice/registers/${fixture.register.id}/pair`)
    const code = paired.text().match(/data-testid="pairing-code">([A-Z0-9-]+)</)![1]
    assert.match(paired.text(), new RegExp(`<pre><code>node ace bridge --server http://[^ <]+ --code ${code}</code></pre>`))
    // The Host header is the client's: one that is not a plain host never reaches the command
    const forged: string = (await client.get('/backoffice/devices').header('host', 'till.local;touch${IFS}x').loginAs(admin)).text()
    assert.include(forged, 'node ace bridge --server http://THIS-SERVER --code XXXX-XXXX')
    assert.notInclude(forged, 'touch')
  })

  test('a device refused on the second register opens that form again with its errors; each form has its own ids', async ({ client, assert }) => {
    const fixture = await createStore()
    const { manager } = fixture.users
    const second = await db.from('registers').where('store_id', fixture.store.id).where('name', 'Register 2').firstOrFail()
    const from = '/backoffice/devices'
    const body = { register_id: second.id, kind: 'printer', name: 'Back printer', transport: 'tcp' }
    const refused = await submit(client, manager, 'post', `/backoffice/registers/${second.id}/devices`, body, from)
    refused.assertFlashMessage('inputErrorsBag', { host: ['Enter the network address'] } as any)
    const html: string = (await reopen(client, manager, from, refused)).text()
    // Both forms used to share field-name, field-host...: a label of the second focused the first's
    // field, and the errors went into both forms, each closed, under "check the errors below"
    const forms = html.split('<details').slice(1)
    const first = forms.find((form) => form.includes(`registers/${fixture.register.id}/devices`))!
    const refusedForm = forms.find((form) => form.includes(`registers/${second.id}/devices`))!
    assert.match(refusedForm, /^\s*open/)
    assert.include(refusedForm, 'Enter the network address')
    assert.include(refusedForm, 'value="Back printer"')
    assert.notMatch(first, /^\s*open/)
    assert.notInclude(first, 'Enter the network address')
    assert.notInclude(first, 'Back printer')
    const ids = [...html.matchAll(/ id="([^"]+)"/g)].map((match) => match[1])
    assert.deepEqual(ids.filter((id, index) => ids.indexOf(id) !== index), [])
    assert.include(html, `for="device-${second.id}-host"`)
  })

  test('bad device input is refused on the form; a drawer needs a printer; roles are checked', async ({ client, assert }) => {
    const fixture = await createStore()
    const { manager, cashier, accountant } = fixture.users
    const from = '/backoffice/devices'
    const noHost = await submit(client, manager, 'post', `/backoffice/registers/${fixture.register.id}/devices`, { kind: 'printer', name: 'P', transport: 'tcp' }, from)
    noHost.assertStatus(302)
    noHost.assertFlashMessage('inputErrorsBag', { host: ['Enter the network address'] } as any)
    const drawer = await submit(client, manager, 'post', `/backoffice/registers/${fixture.register.id}/devices`, { kind: 'drawer', name: 'D', transport: 'tcp' }, from)
    const again = await reopen(client, manager, from, drawer)
    assert.include(again.text(), 'A cash drawer opens through a printer of this register')
    assert.equal(await countRows('devices', { store_id: fixture.store.id }), 0)
    // The bridge appends to a device's file: a device file, never any file of the till's computer
    for (const path of ['/etc/passwd', '/home/till/.bashrc', '/dev/../etc/passwd', 'C:\\Windows\\win.ini', '/dev/sda', '/dev/shm/notes', '/dev/fd/3', '/dev/pos/../sda', '/dev/pos/.hidden', '/dev/pos/a/b']) {
      const notADevice = await submit(client, manager, 'post', `/backoffice/registers/${fixture.register.id}/devices`, { kind: 'printer', name: 'USB', transport: 'file', path }, from)
      notADevice.assertFlashMessage('inputErrorsBag', { path: ['A device path is a printer or serial line such as /dev/usb/lp0, /dev/ttyUSB0, /dev/serial/by-id/... or a udev name under /dev/pos/, or COM3 on Windows'] } as any)
    }
    const newline = await submit(client, manager, 'post', `/backoffice/registers/${fixture.register.id}/devices`, { kind: 'printer', name: 'USB\u0000\u202Eevil', transport: 'file', path: '/dev/usb/lp0' }, from)
    assert.deepEqual(Object.keys(newline.flashMessages()?.inputErrorsBag ?? {}), ['name'])
    assert.equal(await countRows('devices', { store_id: fixture.store.id }), 0)
    for (const path of ['/dev/usb/lp0', '/dev/serial/by-id/usb-EPSON_TM-T20III-if00', '/dev/pos/receipt-printer', 'COM3']) {
      ;(await submit(client, manager, 'post', `/backoffice/registers/${fixture.register.id}/devices`, { kind: 'printer', name: `USB ${path}`, transport: 'file', path }, from)).assertStatus(302)
    }
    assert.equal(await countRows('devices', { store_id: fixture.store.id }), 4)

    ;(await client.get('/backoffice/devices').loginAs(cashier)).assertStatus(403)
    ;(await client.get('/backoffice/devices').loginAs(accountant)).assertStatus(403)
    ;(await submit(client, accountant, 'post', `/backoffice/registers/${fixture.register.id}/pair`)).assertStatus(403)
    const other = await createStore()
    ;(await submit(client, manager, 'post', `/backoffice/registers/${other.register.id}/pair`)).assertStatus(302)
    assert.equal(await countRows('bridge_pairing_codes', { register_id: other.register.id }), 0)
  })

  test('a sale’s page reprints its receipt and downloads it as PDF and as an A4 invoice with the customer', async ({ client, assert }) => {
    const fixture = await createStore()
    const tea = await createProduct(fixture, { name: 'Green Tea', price: 450 })
    const sale = await sellFor(fixture, [{ product: tea, quantity: 2 }])
    const customer = await Customer.create({ storeId: fixture.store.id, name: 'Zoë Example', email: 'zoe@example.test', phone: '+1 555 0100' })
    await Sale.query().where('id', sale.id).update({ customer_id: customer.id })
    const { manager } = fixture.users

    const page = await client.get(`/backoffice/sales/${sale.id}`).loginAs(manager)
    assert.include(page.text(), `/backoffice/sales/${sale.id}/receipt.pdf`)
    assert.include(page.text(), `/backoffice/sales/${sale.id}/invoice.pdf`)

    // no printer yet: a clear message, nothing queued
    const refused = await submit(client, manager, 'post', `/backoffice/sales/${sale.id}/reprint`, {}, `/backoffice/sales/${sale.id}`)
    const shown = await reopen(client, manager, `/backoffice/sales/${sale.id}`, refused)
    assert.include(shown.text(), 'This register has no receipt printer')
    assert.equal(await countRows('print_jobs', { sale_id: sale.id }), 0)

    await printerFor(fixture)
    await bridgeFor(fixture)
    await submit(client, manager, 'post', `/backoffice/sales/${sale.id}/reprint`, {}, `/backoffice/sales/${sale.id}`)
    // pressed again while that copy still waits for the printer: tried again, not queued twice (printer_away.spec.ts)
    const again = await submit(client, manager, 'post', `/backoffice/sales/${sale.id}/reprint`, {}, `/backoffice/sales/${sale.id}`)
    assert.include((await reopen(client, manager, `/backoffice/sales/${sale.id}`, again)).text(), 'already waiting for the printer')
    assert.equal(await countRows('print_jobs', { sale_id: sale.id, kind: 'receipt', status: 'queued' }), 1)

    const receipt = await client.get(`/backoffice/sales/${sale.id}/receipt.pdf`).loginAs(fixture.users.accountant)
    receipt.assertStatus(200)
    receipt.assertHeader('content-type', 'application/pdf')
    assert.include(receipt.header('content-disposition'), `receipt-S-${fixture.register.id}-${sale.number}.pdf`)
    const receiptText = await pdfText(receipt.body())
    assert.include(receiptText, '2 × Green Tea $9.00')
    assert.include(receiptText, 'Sales tax 8% $0.72')
    assert.include(receiptText, 'Total $9.72')
    assert.include(receiptText, 'Thank you, Zoë!')
    assert.notInclude(receiptText, 'zoe@example.test')

    const invoice = await client.get(`/backoffice/sales/${sale.id}/invoice.pdf`).loginAs(manager)
    invoice.assertStatus(200)
    const invoiceText = await pdfText(invoice.body())
    assert.include(invoiceText, `Invoice S-${fixture.register.id}-${sale.number}`)
    assert.include(invoiceText, 'Zoë Example')
    assert.include(invoiceText, 'zoe@example.test')
    assert.include(invoiceText, 'Green Tea 2 $4.50 8% $9.00')
    assert.include(invoiceText, 'Total $9.72')
    // A tag in the middle of a line was printed as text ("#12@if(receipt.status ...")
    assert.notMatch(invoiceText, /@if|@end|receipt\.status/)
    assert.notInclude(invoiceText, 'VOIDED')
    const token = await apiToken(client, manager)
    ;(await client.post(`/api/sales/${sale.id}/void`).bearerToken(token).json({ reason: 'Rung up twice' })).assertStatus(200)
    const voided = await pdfText((await client.get(`/backoffice/sales/${sale.id}/invoice.pdf`).loginAs(manager)).body())
    assert.include(voided, `Sale #${sale.number} · VOIDED`)

    // A cart still open has no receipt yet ("Receipt #null", an invoice numbered by the sale's id)
    const open = await client.post('/api/sales').bearerToken(token).json({ items: [{ product_id: tea.id, quantity: 1 }] })
    const refusedAll = async () => {
      for (const url of [`/till/receipts/${open.body().id}`, `/backoffice/sales/${open.body().id}/invoice.pdf`, `/backoffice/sales/${open.body().id}/receipt.pdf`]) {
        const refused = await client.get(url).loginAs(manager)
        refused.assertStatus(409)
        assert.include(refused.text(), 'not completed yet', url)
      }
    }
    await refusedAll()
    // Nor a cart abandoned (voided before it completed), as the till's Void leaves it
    await db.from('sales').where('id', open.body().id).update({ status: 'voided' })
    await refusedAll()

    const other = await createStore()
    ;(await client.get(`/backoffice/sales/${sale.id}/receipt.pdf`).loginAs(other.users.manager)).assertStatus(404)
  })
})

test.group('Hardware on the till', () => {
  test('the printer state: nothing without devices, no bridge, ready, offline with the receipt queued, bridge offline', async ({ client, assert }) => {
    const fixture = await createStore()
    const state = async () => (await till(client, fixture, 'get', '/till/hardware')).text()
    const nothing = await till(client, fixture, 'get', '/till/hardware')
    nothing.assertStatus(286) // htmx stops polling a till without devices
    assert.notInclude(nothing.text(), 'printer-state')

    const printer = await printerFor(fixture)
    assert.include(await state(), 'No printer bridge paired')
    const bridge = await bridgeFor(fixture)
    assert.include(await state(), 'Printer ready')

    // a completed sale queues its receipt; the printer does not answer
    const sale = await sellFor(fixture, [{ product: await createProduct(fixture), quantity: 1 }])
    assert.equal(sale.status, 'completed')
    const job = await eventually(() => PrintJob.query().where({ sale_id: sale.id }).first(), 'the receipt is queued')
    assert.equal(job.deviceId, printer.id)
    await job.merge({ attempts: 1, lastError: 'The printer Front printer at 127.0.0.1:9 refused the connection: is it switched on and on the network?' }).save()
    const offline = await state()
    assert.include(offline, 'data-testid="printer-state"')
    assert.match(offline, /data-testid="printer-state"[^>]*>\s*Printer offline — receipt queued\s*<span class="sr-only" data-testid="printer-detail">: The printer Front printer at 127.0.0.1:9 refused the connection/)
    assert.include(offline, 'badge-bad')

    await bridge.merge({ lastSeenAt: DateTime.utc().minus({ minutes: 5 }) }).save()
    assert.include(await state(), 'Printer bridge offline — receipt queued')
  })

  test('open the drawer without a sale: a pulse job through its printer, audited; no drawer says so', async ({ client, assert }) => {
    const fixture = await createStore()
    const none = await till(client, fixture, 'post', '/till/drawer')
    none.assertStatus(409)
    assert.include(none.text(), 'This register has no cash drawer set up')

    const printer = await printerFor(fixture)
    await Device.create({ storeId: fixture.store.id, registerId: fixture.register.id, kind: 'drawer', name: 'Drawer', transport: 'tcp', printerId: printer.id, drawerPin: 5, pulseOnMs: 120, pulseOffMs: 240 })
    await bridgeFor(fixture)
    const state = await till(client, fixture, 'get', '/till/hardware')
    assert.include(state.text(), 'data-action="open-drawer"')

    const opened = await till(client, fixture, 'post', '/till/drawer')
    opened.assertStatus(200)
    assert.include(opened.text(), 'Drawer opening (no sale, recorded).')
    const job = await PrintJob.query().where({ register_id: fixture.register.id, kind: 'drawer' }).firstOrFail()
    assert.equal(job.deviceId, printer.id)
    assert.deepEqual([...Buffer.from(job.payload, 'base64')], [0x1b, 0x70, 1, 60, 120])
    const audit = await db.from('audit_logs').where({ action: 'drawer_opened_no_sale', store_id: fixture.store.id }).firstOrFail()
    assert.equal(audit.user_id, fixture.users.cashier.id)
    assert.equal(audit.subject_id, fixture.register.id)
  })

  test('the till’s receipt offers reprint (with a printer) and the PDF; reprint queues a job', async ({ client, assert }) => {
    const fixture = await createStore()
    const sale = await sellFor(fixture, [{ product: await createProduct(fixture), quantity: 1 }])
    const plain = await till(client, fixture, 'get', `/till/receipts/${sale.id}/actions`)
    assert.notInclude(plain.text(), 'data-action="reprint"')
    assert.include(plain.text(), `/till/receipts/${sale.id}/pdf`)

    await printerFor(fixture)
    await bridgeFor(fixture)
    const actions = await till(client, fixture, 'get', `/till/receipts/${sale.id}/actions`)
    assert.include(actions.text(), 'data-action="reprint"')
    const reprinted = await till(client, fixture, 'post', `/till/receipts/${sale.id}/reprint`)
    assert.include(reprinted.text(), 'Receipt sent to the printer.')
    assert.equal(await countRows('print_jobs', { sale_id: sale.id, kind: 'receipt' }), 1)

    const pdf = await till(client, fixture, 'get', `/till/receipts/${sale.id}/pdf`)
    pdf.assertStatus(200)
    assert.include(await pdfText(pdf.body()), `Sale #${sale.number}`)
  })

  test('without a browser a PDF answers 503 saying what to install, on the page and in the till', async ({ client, assert, cleanup }) => {
    const fixture = await createStore()
    const tea = await createProduct(fixture, { name: 'Green Tea', price: 450 })
    const sale = await sellFor(fixture, [{ product: tea, quantity: 1 }])
    const previous = process.env.CHROMIUM_PATH
    await closePdfBrowser()
    process.env.CHROMIUM_PATH = '/nonexistent/chromium'
    forgetBrowserLocation()
    cleanup(() => {
      if (previous === undefined) delete process.env.CHROMIUM_PATH
      else process.env.CHROMIUM_PATH = previous
      forgetBrowserLocation()
    })

    const page = await client.get(`/backoffice/sales/${sale.id}/receipt.pdf`).loginAs(fixture.users.manager)
    page.assertStatus(503)
    assert.include(page.text(), 'No Chromium to render PDFs')
    assert.include(page.text(), 'CHROMIUM_PATH')
    const fromTill = await till(client, fixture, 'get', `/till/receipts/${sale.id}/pdf`)
    fromTill.assertStatus(503)
    assert.include(fromTill.text(), 'apt-get install chromium')
  })
})
