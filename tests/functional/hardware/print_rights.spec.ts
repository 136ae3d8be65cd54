import { test } from '@japa/runner'
import { randomUUID } from 'node:crypto'
import { DateTime } from 'luxon'
import Bridge from '#models/bridge'
import Device from '#models/device'
import { countRows, createProduct, createStore } from '#tests/fixtures'
import { sellFor, submit } from '#tests/functional/backoffice/helpers'
import ShiftService from '#shifts/shift_service'

/*
| Printing on the store's printers (a receipt again, a Z report) is for those who sell or manage
| the devices. The accountant reads sales and shifts, and could still send a job to the register's
| printer from those pages: the routes checked only that the back office and reports were theirs.
*/

test.group('Hardware: who may print from the back office', () => {
  test('an accountant may not reprint a receipt nor print a Z report, and is not offered to; a manager may', async ({ client, assert }) => {
    const fixture = await createStore()
    const tea = await createProduct(fixture, { price: 450 })
    const sale = await sellFor(fixture, [{ product: tea, quantity: 1 }])
    const shifts = new ShiftService()
    const open = await shifts.current(fixture.store.id, fixture.register.id)
    const { shift } = await shifts.close({ user: fixture.users.manager, store: fixture.store }, open!.id, { counts: { '1000': 1 } })
    await Device.create({ storeId: fixture.store.id, registerId: fixture.register.id, kind: 'printer', name: 'Front printer', transport: 'tcp', host: '127.0.0.1', port: 9 })
    await Bridge.create({ storeId: fixture.store.id, registerId: fixture.register.id, name: 'Till PC', tokenHash: randomUUID().replaceAll('-', '').padEnd(64, '0'), lastSeenAt: DateTime.utc() })
    const salePage = `/backoffice/sales/${sale.id}`
    const shiftPage = `/backoffice/shifts/${shift.id}`
    const { accountant, manager } = fixture.users

    ;(await submit(client, accountant, 'post', `${salePage}/reprint`, {}, salePage)).assertStatus(403)
    ;(await submit(client, accountant, 'post', `${shiftPage}/print`, {}, shiftPage)).assertStatus(403)
    assert.equal(await countRows('print_jobs', { register_id: fixture.register.id }), 0)
    // Their pages still open, without the buttons
    const saleSeen = await client.get(salePage).loginAs(accountant)
    saleSeen.assertStatus(200)
    assert.notInclude(saleSeen.text(), `action="${salePage}/reprint"`)
    assert.include(saleSeen.text(), `${salePage}/receipt.pdf`)
    const shiftSeen = await client.get(shiftPage).loginAs(accountant)
    shiftSeen.assertStatus(200)
    assert.notInclude(shiftSeen.text(), `action="${shiftPage}/print"`)

    assert.include((await client.get(salePage).loginAs(manager)).text(), `action="${salePage}/reprint"`)
    ;(await submit(client, manager, 'post', `${salePage}/reprint`, {}, salePage)).assertStatus(302)
    ;(await submit(client, manager, 'post', `${shiftPage}/print`, {}, shiftPage)).assertStatus(302)
    assert.equal(await countRows('print_jobs', { register_id: fixture.register.id, kind: 'receipt' }), 1)
    assert.equal(await countRows('print_jobs', { register_id: fixture.register.id, kind: 'z_report' }), 1)
  })
})
