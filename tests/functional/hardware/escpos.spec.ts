import { test } from '@japa/runner'
import { existsSync } from 'node:fs'
import Customer from '#models/customer'
import Sale from '#models/sale'
import { createProduct, createStore } from '#tests/fixtures'
import { sellFor } from '#tests/functional/backoffice/helpers'
import ReceiptService from '#sales/receipt_service'
import { encodeDisplay, encodeDrawerPulse, encodeReceipt } from '#hardware/escpos'
import { send, sendTcp } from '#hardware/transports'
import { FakePrinter } from '#tests/functional/hardware/fake_printer'

const PORT = Number(process.env.PORT ?? 3334) + 1

test.group('Hardware: ESC/POS receipts on a (fake) printer over TCP', (group) => {
  let printer: FakePrinter
  group.each.setup(async () => {
    printer = new FakePrinter(PORT)
    await printer.start()
    return () => printer.stop()
  })

  test('a sale’s receipt prints its lines, taxes, payment, change, QR code and the cut, in the right code pages', async ({ assert }) => {
    const fixture = await createStore()
    fixture.store.name = 'Café Ürün Магазин'
    await fixture.store.save()
    const tea = await createProduct(fixture, { name: 'Thé vert à la menthe', price: 450 })
    const bread = await createProduct(fixture, { name: 'Ekmek çeşitleri ğ', price: 300, taxClass: 'reduced' })
    const soup = await createProduct(fixture, { name: 'Борщ', price: 700 })
    const sale = await sellFor(fixture, [
      { product: tea, quantity: 2 },
      { product: bread, quantity: 1 },
      { product: soup, quantity: 1 },
    ])
    const customer = await Customer.create({ storeId: fixture.store.id, name: 'Zoë Example', email: 'zoe@example.test' })
    await Sale.query().where('id', sale.id).update({ customer_id: customer.id })

    const receipt = await new ReceiptService().forSale(fixture.store, sale.id)
    const encoded = encodeReceipt(receipt)
    assert.deepEqual(encoded.unencodable, [])
    await sendTcp({ id: 1, transport: 'tcp', host: '127.0.0.1', port: PORT }, encoded.data)

    assert.lengthOf(printer.printed, 1)
    const [doc] = printer.printed
    const text = printer.texts()[0]
    assert.isTrue(doc.cut)
    assert.include(text, 'Café Ürün Магазин')
    assert.include(text, `Register 1 · Sale #${sale.number}`)
    assert.include(text, '2 x Thé vert à la menthe $9.00')
    assert.include(text, '@ $4.50')
    assert.include(text, '1 x Ekmek çeşitleri ğ $3.00')
    assert.include(text, '1 x Борщ $7.00')
    assert.include(text, 'Subtotal $19.00')
    assert.include(text, 'Sales tax 8% $1.28') // (9.00 + 7.00) x 8%
    assert.include(text, 'Reduced 2% $0.06')
    assert.include(text, 'TOTAL $20.34')
    assert.include(text, 'Cash $20.34')
    assert.include(text, 'Thank you, Zoë!')
    assert.notInclude(text, 'Example') // a first name only on the receipt
    assert.deepEqual(doc.codes, [`S-${fixture.register.id}-${sale.number}`])
  })

  test('text no code page of the printer has prints as "?" and is reported', async ({ assert }) => {
    const fixture = await createStore()
    const product = await createProduct(fixture, { name: 'Green tea 绿茶', price: 450 })
    const sale = await sellFor(fixture, [{ product, quantity: 1 }])
    const encoded = encodeReceipt(await new ReceiptService().forSale(fixture.store, sale.id), { code: 'barcode' })
    assert.sameMembers(encoded.unencodable, ['绿', '茶'])
    await sendTcp({ id: 1, transport: 'tcp', host: '127.0.0.1', port: PORT }, encoded.data)
    assert.include(printer.texts()[0], '1 x Green tea ?? $4.50')
    assert.deepEqual(printer.printed[0].codes, [`S-${fixture.register.id}-${sale.number}`])
  })

  test('the drawer-kick pulse carries the pin and the timing', async ({ assert }) => {
    await sendTcp({ id: 1, transport: 'tcp', host: '127.0.0.1', port: PORT }, encodeDrawerPulse(5, 120, 240))
    await sendTcp({ id: 1, transport: 'tcp', host: '127.0.0.1', port: PORT }, encodeDrawerPulse(2, 100, 500))
    assert.deepEqual(printer.pulses, [
      { pin: 5, onMs: 120, offMs: 240 },
      { pin: 2, onMs: 100, offMs: 500 },
    ])
    assert.lengthOf(printer.printed, 0)
  })

  test('a printer that accepts the connection and never reads fails with a clear error, in bounded time', async ({ assert }) => {
    printer.mode = 'silent'
    const started = Date.now()
    const error = await sendTcp({ id: 1, name: 'Front', transport: 'tcp', host: '127.0.0.1', port: PORT }, encodeDrawerPulse(), { replyTimeoutMs: 1000 }).catch((e) => e)
    assert.instanceOf(error, Error)
    assert.equal(error.message, `The printer Front at 127.0.0.1:${PORT} accepted the connection but did not answer within 1 s (busy, jammed, or not an ESC/POS printer)`)
    assert.isBelow(Date.now() - started, 10_000)
    assert.lengthOf(printer.pulses, 0)
  })

  test('out of paper and switched off are told apart', async ({ assert }) => {
    printer.mode = 'paper_out'
    const noPaper = await sendTcp({ id: 1, transport: 'tcp', host: '127.0.0.1', port: PORT }, encodeDrawerPulse()).catch((e) => e)
    assert.equal(noPaper.message, `The printer 127.0.0.1:${PORT} is out of paper`)
    await printer.stop()
    const off = await sendTcp({ id: 1, transport: 'tcp', host: '127.0.0.1', port: PORT }, encodeDrawerPulse()).catch((e) => e)
    assert.match(off.message, /refused the connection: is it switched on/)
    const unknown = await send({ id: 9, transport: 'usb' as any }, encodeDrawerPulse()).catch((e) => e)
    assert.match(unknown.message, /transport this bridge does not know/)
  })

  test('a device file that is not there (an unplugged USB printer) fails and is never created', async ({ assert }) => {
    const path = `tmp/lp-${Date.now()}`
    const error = await send({ id: 3, name: 'USB printer', transport: 'file', path }, encodeDrawerPulse(), { anyDeviceFile: true }).catch((e) => e)
    assert.equal(error.message, `The device USB printer at ${path} cannot be opened (ENOENT): is it plugged in, and may the bridge's user write to it?`)
    assert.isFalse(existsSync(path))
    // Without --any-device-file the bridge writes only to printers' and serial lines' device files
    const refused = await send({ id: 3, name: 'USB printer', transport: 'file', path }, encodeDrawerPulse()).catch((e) => e)
    assert.equal(refused.message, `The device USB printer at ${path} is not a printer or a serial line: this bridge writes only to those (or start it with --any-device-file)`)
    assert.isTrue(refused.permanent)
    const unplugged = await send({ id: 3, name: 'USB printer', transport: 'file', path: '/dev/usb/lp97' }, encodeDrawerPulse()).catch((e) => e)
    assert.include(unplugged.message, 'cannot be opened (ENOENT)')
  })

  test('a customer display gets two lines of twenty characters', async ({ assert }) => {
    const encoded = encodeDisplay(['Total', '$20.34'])
    assert.deepEqual([...encoded.data.slice(0, 3)], [0x1b, 0x40, 0x0c])
    assert.equal(Buffer.from(encoded.data.slice(3)).toString('latin1'), 'Total'.padEnd(20) + '$20.34'.padEnd(20))
  })
})
