import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import Bridge from '#models/bridge'
import Device from '#models/device'
import PrintJob from '#models/print_job'
import { createProduct, createStore, type TestStore } from '#tests/fixtures'
import { sellFor } from '#tests/functional/backoffice/helpers'
import { createPairingCode, revokeBridge } from '#hardware/pairing'
import { queueTest } from '#hardware/jobs'
import { dispatcher } from '#hardware/dispatcher'
import { FakePrinter, eventually } from '#tests/functional/hardware/fake_printer'
import { BridgeProcess } from '#tests/functional/hardware/bridge_process'
import { readFile, rm, writeFile } from 'node:fs/promises'
import { REGISTER_COOKIE } from '#sales/till_screen_service'
import { connect, createServer, type Socket } from 'node:net'

const PRINTER_PORT = Number(process.env.PORT ?? 3334) + 2

async function setup() {
  const fixture = await createStore()
  const printer = await Device.create({
    storeId: fixture.store.id,
    registerId: fixture.register.id,
    kind: 'printer',
    name: 'Front printer',
    transport: 'tcp',
    host: '127.0.0.1',
    port: PRINTER_PORT,
  })
  return { fixture, printer }
}

async function pairedBridge(fixture: TestStore, extra: Record<string, string> = {}) {
  const { code } = await createPairingCode(fixture.store, fixture.register.id, fixture.users.manager)
  const bridge = new BridgeProcess().start({ code, name: 'Till 1 PC', ...extra })
  const row = await eventually(
    async () => {
      const found = await Bridge.query().where('register_id', fixture.register.id).whereNull('revoked_at').first()
      return found && dispatcher.connectedIds.includes(found.id) ? found : null
    },
    'the bridge pairs and connects'
  ).catch((error) => {
    throw new Error(`${error.message}\n${bridge.output}`)
  })
  return { bridge, row }
}

const receiptJob = (saleId: number) => eventually(() => PrintJob.query().where({ sale_id: saleId, kind: 'receipt' }).first(), 'the receipt is queued')
const printedSale = (printer: FakePrinter, number: number | null) => printer.texts().filter((t) => t.includes(`Sale #${number}`)).length

/**
 * Between the bridge and the server: forwards every connection, until told to stop passing the
 * bytes of the open event stream without closing it, as a connection cut in the middle (a
 * router's restart, a server that lost power) stays open on the till's side. New connections pass.
 */
async function streamCutter(port: number) {
  const frozen = new Set<() => void>()
  const sockets = new Set<Socket>()
  const server = createServer((inbound) => {
    const outbound = connect(Number(process.env.PORT ?? 3334), '127.0.0.1')
    sockets.add(inbound).add(outbound)
    inbound.on('error', () => {})
    outbound.on('error', () => {})
    inbound.once('data', (first) => {
      outbound.write(first)
      inbound.pipe(outbound)
      outbound.pipe(inbound)
      if (first.toString().startsWith('GET /api/bridge/events')) {
        frozen.add(() => {
          inbound.unpipe(outbound)
          outbound.unpipe(inbound)
          inbound.pause()
          outbound.pause()
        })
      }
    })
  })
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${port}`,
    freeze: () => frozen.forEach((cut) => cut()),
    close: () => {
      for (const socket of sockets) socket.destroy()
      server.close()
    },
  }
}

test.group('Hardware bridge: pairing, jobs and printing through a real bridge process', (group) => {
  let printer: FakePrinter
  let bridges: BridgeProcess[] = []
  group.each.setup(async () => {
    printer = new FakePrinter(PRINTER_PORT)
    await printer.start()
    bridges = []
    return async () => {
      for (const bridge of bridges) await bridge.stop()
      for (const bridge of bridges) await rm(bridge.stateFile, { force: true })
      await printer.stop()
    }
  })

  test('a bridge pairs with a one-time code and prints a completed sale’s receipt; its health reaches the server', async ({ assert }) => {
    const { fixture, printer: device } = await setup()
    const { bridge, row } = await pairedBridge(fixture)
    bridges.push(bridge)
    assert.equal(row.name, 'Till 1 PC')

    const tea = await createProduct(fixture, { name: 'Green Tea', price: 450 })
    const sale = await sellFor(fixture, [{ product: tea, quantity: 2 }])
    const job = await receiptJob(sale.id)
    await eventually(async () => (await PrintJob.findOrFail(job.id)).status === 'done', 'the receipt prints')
    assert.equal(printedSale(printer, sale.number), 1)
    const text = printer.texts().find((t) => t.includes(`Sale #${sale.number}`))!
    assert.include(text, '2 x Green Tea $9.00')
    assert.include(text, 'TOTAL $9.72')
    assert.isTrue(printer.printed.at(-1)!.cut)

    const health = await eventually(async () => {
      const fresh = await Bridge.findOrFail(row.id)
      return fresh.status?.devices?.length ? fresh.status : null
    }, 'the bridge reports its health')
    assert.deepEqual(health.devices, [{ id: device.id, ok: true, message: 'Ready' }])
    // a second event for the same sale does not queue a second receipt
    assert.equal(await PrintJob.query().where({ sale_id: sale.id }).count('* as n').first().then((r: any) => Number(r.$extras.n)), 1)
  })

  test('a customer display on a device file shows the total; text the printer cannot encode prints as "?" and the till says so', async ({ assert, client }) => {
    const { fixture } = await setup()
    const displayFile = `tmp/display-${fixture.tag}.bin`
    await writeFile(displayFile, '')
    await Device.create({ storeId: fixture.store.id, registerId: fixture.register.id, kind: 'display', name: 'Pole display', transport: 'file', path: displayFile })
    // A plain file stands in for the display's device: the till's own bridge is told to write to it
    const { bridge } = await pairedBridge(fixture, { 'any-device-file': 'true' })
    bridges.push(bridge)

    const tea = await createProduct(fixture, { name: 'Green tea 绿茶', price: 450 })
    const sale = await sellFor(fixture, [{ product: tea, quantity: 1 }])
    const job = await receiptJob(sale.id)
    await eventually(async () => (await PrintJob.query().where({ register_id: fixture.register.id }).whereNot('status', 'done').count('* as n').first().then((r: any) => Number(r.$extras.n))) === 0 && (await PrintJob.query().where({ register_id: fixture.register.id }).count('* as n').first().then((r: any) => Number(r.$extras.n))) === 2, 'the receipt and the display job are done')
    assert.equal((await PrintJob.findOrFail(job.id)).warning, 'The printer\'s code pages lack "绿", "茶": printed as "?"')
    assert.include(printer.texts().at(-1)!, '1 x Green tea ?? $4.50')
    const shown = await readFile(displayFile)
    assert.deepEqual([...shown.subarray(0, 3)], [0x1b, 0x40, 0x0c])
    assert.equal(shown.subarray(3).toString('latin1'), 'Total $4.86'.padEnd(20) + 'Thank you!'.padEnd(20))
    await rm(displayFile, { force: true })

    const state = await client.get('/till/hardware').loginAs(fixture.users.cashier).withCookie(REGISTER_COOKIE, String(fixture.register.id))
    assert.match(state.text(), /Printed with &quot;\?&quot;\s*<span class="sr-only" data-testid="printer-detail">: The printer&#x27;s code pages lack/)
  })

  test('a device whose path is not a printer or serial line (saved before the rule, or sent by a server) is never written to', async ({ assert }) => {
    const { fixture } = await setup()
    const notADevice = `tmp/not-a-device-${fixture.tag}.txt`
    await writeFile(notADevice, 'the till computer\'s own file\n')
    const display = await Device.create({ storeId: fixture.store.id, registerId: fixture.register.id, kind: 'display', name: 'Pole display', transport: 'file', path: notADevice })
    const { bridge } = await pairedBridge(fixture)
    bridges.push(bridge)
    const tea = await createProduct(fixture, { name: 'Tea', price: 450 })
    await sellFor(fixture, [{ product: tea, quantity: 1 }])
    const failed = await eventually(async () => (await PrintJob.query().where({ device_id: display.id, status: 'failed' }).first()) ?? null, 'the display job fails')
    assert.include(failed.lastError, 'is not a printer or a serial line: this bridge writes only to those')
    assert.equal(await readFile(notADevice, 'utf8'), 'the till computer\'s own file\n')
    await rm(notADevice, { force: true })
  })

  test('a wrong code and a used code are refused; the bridge says so and stops', async ({ assert, client }) => {
    const { fixture } = await setup()
    const wrong = new BridgeProcess().start({ code: 'ZZZZ-ZZZZ' })
    bridges.push(wrong)
    assert.equal(await wrong.exited, 1)
    assert.include(wrong.output, 'This pairing code is wrong, expired or already used')

    const { code } = await createPairingCode(fixture.store, fixture.register.id, fixture.users.manager)
    const first = await client.post('/api/bridge/pair').json({ code: code.toLowerCase(), name: 'A' })
    first.assertStatus(201)
    const again = await client.post('/api/bridge/pair').json({ code, name: 'B' })
    again.assertStatus(401)
    assert.equal(again.body().errors[0].code, 'invalid_pairing_code')
    assert.equal(again.body().errors[0].field, 'code')

    const expired = await createPairingCode(fixture.store, fixture.register.id, fixture.users.manager)
    await db.from('bridge_pairing_codes').where('id', (await db.from('bridge_pairing_codes').orderBy('id', 'desc').first()).id).update({ expires_at: '2000-01-01 00:00:00' })
    ;(await client.post('/api/bridge/pair').json({ code: expired.code })).assertStatus(401)
    assert.equal(await Bridge.query().where('register_id', fixture.register.id).count('* as n').first().then((r: any) => Number(r.$extras.n)), 1)
  })

  test('the printer offline, then back: the receipt waits, is retried, and prints once', async ({ assert }) => {
    const { fixture } = await setup()
    const { bridge } = await pairedBridge(fixture)
    bridges.push(bridge)
    await printer.stop()

    const sale = await sellFor(fixture, [{ product: await createProduct(fixture, { name: 'Oat Milk', price: 299 }), quantity: 1 }])
    assert.equal(sale.status, 'completed') // the sale never waits for the printer
    const job = await receiptJob(sale.id)
    const failing = await eventually(async () => {
      const fresh = await PrintJob.findOrFail(job.id)
      return fresh.attempts >= 1 && fresh.status !== 'done' ? fresh : null
    }, 'a failed attempt is recorded')
    assert.match(failing.lastError!, /refused the connection: is it switched on/)

    await printer.start()
    await eventually(async () => (await PrintJob.findOrFail(job.id)).status === 'done', 'the receipt prints once the printer is back', 40_000)
    assert.equal(printedSale(printer, sale.number), 1)
  })

  test('the event stream cut without a close: the bridge hears no ping, reconnects by itself, and the receipt prints once', async ({ assert, cleanup }) => {
    const { fixture } = await setup()
    const cutter = await streamCutter(PRINTER_PORT + 1)
    cleanup(() => cutter.close())
    const { bridge } = await pairedBridge(fixture, { server: cutter.url, 'stream-timeout': '1500' })
    bridges.push(bridge)
    cutter.freeze()

    const sale = await sellFor(fixture, [{ product: await createProduct(fixture, { name: 'Rye Bread', price: 450 }), quantity: 1 }])
    const job = await receiptJob(sale.id)
    await eventually(async () => (await PrintJob.findOrFail(job.id)).status === 'done', 'the bridge reconnects and prints the receipt', 20_000).catch((error) => {
      throw new Error(`${error.message}\n${bridge.output}`)
    })
    assert.equal(printedSale(printer, sale.number), 1)
    assert.include(bridge.output, 'no word from the server')
  })

  test('the bridge killed mid-job and restarted: the job is not lost and not printed twice', async ({ assert }) => {
    const { fixture } = await setup()
    const { bridge } = await pairedBridge(fixture, { 'reply-timeout': '20000' })
    bridges.push(bridge)
    printer.mode = 'hold'

    const sale = await sellFor(fixture, [{ product: await createProduct(fixture, { name: 'Rye Bread', price: 350 }), quantity: 1 }])
    const job = await receiptJob(sale.id)
    await eventually(async () => (await PrintJob.findOrFail(job.id)).status === 'sent' && printer.connections > 0, 'the job reaches the printer')
    await bridge.kill()
    assert.equal((await PrintJob.findOrFail(job.id)).status, 'sent')
    assert.equal(printedSale(printer, sale.number), 0)

    printer.mode = 'ok'
    const restarted = new BridgeProcess(bridge.stateFile).start()
    bridges.push(restarted)
    await eventually(async () => (await PrintJob.findOrFail(job.id)).status === 'done', 'the restarted bridge prints the job')
    assert.equal(printedSale(printer, sale.number), 1)

    // the acknowledgement lost on the way (the bridge died right after printing): the job is
    // sent again on reconnect, and the bridge acknowledges it without printing it again
    await restarted.kill()
    await db.from('print_jobs').where('id', job.id).update({ status: 'sent', completed_at: null })
    const third = new BridgeProcess(bridge.stateFile).start()
    bridges.push(third)
    await eventually(async () => (await PrintJob.findOrFail(job.id)).status === 'done', 'the resent job is acknowledged')
    assert.include(third.output, `job #${job.id} was printed already`)
    assert.equal(printedSale(printer, sale.number), 1)
  })

  test('a revoked bridge is refused and stops', async ({ assert, client }) => {
    const { fixture } = await setup()
    const { bridge, row } = await pairedBridge(fixture)
    bridges.push(bridge)
    const token = JSON.parse(await (await import('node:fs/promises')).readFile(bridge.stateFile, 'utf8')).token
    await revokeBridge(fixture.store, row.id, fixture.users.manager, null)
    assert.equal(await bridge.exited, 2)
    ;(await client.get('/api/bridge/events').header('authorization', `Bearer ${token}`)).assertStatus(401)
    ;(await client.post('/api/bridge/health').header('authorization', `Bearer ${token}`).json({})).assertStatus(401)
    const restarted = new BridgeProcess(bridge.stateFile).start()
    bridges.push(restarted)
    assert.equal(await restarted.exited, 2)
    assert.include(restarted.output, 'pair it again')
  })

  test('a job for a device that does not exist fails with a clear error, and the next job still prints', async ({ assert }) => {
    const { fixture, printer: device } = await setup()
    await assert.rejects(() => queueTest(fixture.store, 999_999, fixture.users.manager.id), /The device was not found/)
    const { bridge } = await pairedBridge(fixture)
    bridges.push(bridge)
    // a job queued for a printer that was removed afterwards
    const orphan = await PrintJob.create({
      storeId: fixture.store.id,
      registerId: fixture.register.id,
      deviceId: 999_999,
      kind: 'test',
      payload: Buffer.from('x').toString('base64'),
      status: 'queued',
      attempts: 0,
      nextAttemptAt: (await import('luxon')).DateTime.utc(),
    })
    const test = await queueTest(fixture.store, device.id, fixture.users.manager.id)
    await eventually(async () => (await PrintJob.findOrFail(test.id)).status === 'done', 'the test page prints')
    const failed = await PrintJob.findOrFail(orphan.id)
    assert.equal(failed.status, 'failed')
    assert.equal(failed.lastError, 'Device #999999 does not exist (removed?): nothing was printed')
    assert.include(printer.texts().at(-1)!, 'TEST PAGE')
    assert.include(printer.texts().at(-1)!, 'Cyrillic Привет')
    assert.include(printer.texts().at(-1)!, 'Turkish ğışçöü İĞŞ')
  })

  test('node ace bridge takes the same timing flags as bin/bridge.ts (--reply-timeout, --health-interval, --stream-timeout)', async ({ assert }) => {
    const { execFile } = await import('node:child_process')
    const { fileURLToPath } = await import('node:url')
    const root = fileURLToPath(new URL('../../../', import.meta.url))
    const args = ['ace.js', 'bridge', '--reply-timeout', '1000', '--health-interval', '500', '--stream-timeout', '45000', '--server', 'http://127.0.0.1:9', '--code', 'ABCD-EFGH', '--state', 'tmp/ace-bridge-flags.json']
    const outcome = await new Promise<{ code: number; output: string }>((resolve) =>
      execFile(process.execPath, args, { cwd: root, timeout: 60_000 }, (error: any, stdout, stderr) => resolve({ code: error?.code ?? 0, output: stdout + stderr }))
    )
    // Past the flags: it tried the (closed) server, and said so
    assert.notInclude(outcome.output, 'Unknown flag')
    assert.include(outcome.output, 'Cannot reach the POS server')
    assert.equal(outcome.code, 1)
  })
})
