import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import Customer from '#models/customer'
import Sale from '#models/sale'
import { createProduct, createStore } from '#tests/fixtures'
import { sellFor } from '#tests/functional/backoffice/helpers'
import ReceiptService from '#sales/receipt_service'
import { encodeDisplay, encodeDocument, encodeReceipt } from '#hardware/escpos'
import { sendTcp } from '#hardware/transports'
import { FakePrinter } from '#tests/functional/hardware/fake_printer'

// The fake printer's port, as escpos.spec.ts's (spec files run one after the other)
const PORT = Number(process.env.PORT ?? 3334) + 1

/*
| Names are one line now, but rows saved before may still hold a line break: on paper it started
| a line of its own, so a product named "Milk\nTOTAL 0.00" printed a fake total. The printer
| flattens a break in a printed name to a space; the store's address keeps its lines.
*/
test.group('Hardware: ESC/POS prints a stored name on one line', (group) => {
  let printer: FakePrinter
  group.each.setup(async () => {
    printer = new FakePrinter(PORT)
    await printer.start()
    return () => printer.stop()
  })

  test('line breaks in older rows (product, register, cashier, customer, reference) print as spaces', async ({ assert }) => {
    const fixture = await createStore()
    const milk = await createProduct(fixture, { name: 'Milk', price: 450 })
    const sale = await sellFor(fixture, [{ product: milk, quantity: 1 }])
    // Written as older versions let them be written
    await db.from('sale_items').where('sale_id', sale.id).update({ name: 'Milk\nTOTAL 0.00' })
    await db.from('registers').where('id', fixture.register.id).update({ name: 'Till\r\nVOIDED' })
    await db.from('users').where('id', fixture.users.cashier.id).update({ name: 'Sam\nX' })
    await db.from('payments').where('sale_id', sale.id).update({ reference: 'A1\nREFUNDED' })
    await db.from('stores').where('id', fixture.store.id).update({ address: '1 Test Street\r\nSpringfield', receipt_footer: 'Thanks\nNo returns' })
    const customer = await Customer.create({ storeId: fixture.store.id, name: 'Bob\r\nVOID' })
    await Sale.query().where('id', sale.id).update({ customer_id: customer.id })
    await fixture.store.refresh()

    const receipt = await new ReceiptService().forSale(fixture.store, sale.id)
    await sendTcp({ id: 1, transport: 'tcp', host: '127.0.0.1', port: PORT }, encodeReceipt(receipt).data)
    const lines = printer.printed[0].lines.map((l) => l.replace(/\s+/g, ' ').trim())
    assert.isTrue(lines.some((l) => l.startsWith('1 x Milk TOTAL 0.00 ')), lines.join('|'))
    assert.include(lines, `Till VOIDED · Sale #${sale.number}`)
    assert.isTrue(lines.some((l) => l.startsWith('Cash A1 REFUNDED ')), lines.join('|'))
    assert.include(lines, 'Thank you, Bob!')
    assert.include(lines, 'Thanks No returns')
    for (const fake of ['TOTAL 0.00', 'VOIDED', 'VOID', 'REFUNDED', 'No returns']) assert.notInclude(lines, fake)
    // The address is lines on purpose: each printed as a line
    assert.includeMembers(lines, ['1 Test Street', 'Springfield'])
  })

  test('a document and a customer display flatten them too, and no other control character reaches the paper', async ({ assert }) => {
    await sendTcp({ id: 1, transport: 'tcp', host: '127.0.0.1', port: PORT }, encodeDocument('Z report\nFAKE', [['Cash\r\nVOID', '$1.00'], ['Tea\u0000\u001b@', '']]).data)
    const lines = printer.printed[0].lines.map((l) => l.replace(/\s+/g, ' ').trim())
    assert.include(lines, 'Z report FAKE')
    assert.include(lines, 'Cash VOID $1.00')
    assert.include(lines, 'Tea@')
    assert.notInclude(lines, 'FAKE')

    const display = encodeDisplay(['Milk\nTOTAL', '$1.00'])
    assert.equal(Buffer.from(display.data.slice(3)).toString('latin1'), 'Milk TOTAL'.padEnd(20) + '$1.00'.padEnd(20))
  })
})
