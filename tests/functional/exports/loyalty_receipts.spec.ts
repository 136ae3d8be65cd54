import { test } from '@japa/runner'
import { randomUUID } from 'node:crypto'
import { DateTime } from 'luxon'
import Bridge from '#models/bridge'
import Customer from '#models/customer'
import Device from '#models/device'
import PrintJob from '#models/print_job'
import { createProduct, createStore, type TestStore } from '#tests/fixtures'
import { enablePluginForTest, disablePluginForTest } from '#tests/plugins'
import { REGISTER_COOKIE } from '#sales/till_screen_service'
import { eventually } from '#tests/functional/hardware/fake_printer'

/*
| The points balance on a receipt is read when the receipt is drawn (the balance at the sale is
| not kept). Drawn as the sale completes it is "Points balance"; any later print (the receipt
| page, the back office, a reprint on paper) says it is today's: a reprint weeks later printed
| today's balance as if it were the sale's.
*/

function till(client: any, fixture: TestStore, method: 'get' | 'post', url: string) {
  return client[method](url).loginAs(fixture.users.cashier).withCsrfToken().withCookie(REGISTER_COOKIE, String(fixture.register.id)).header('HX-Request', 'true')
}

const printedText = (job: PrintJob) => Buffer.from(job.payload, 'base64').toString('latin1')

test.group('Loyalty points on receipts printed again', (group) => {
  group.each.teardown(async () => disablePluginForTest('loyalty-points'))

  test('at the sale "Points balance"; on the receipt page, the sale page and a reprint, the balance of today with its date', async ({ client, assert }) => {
    await enablePluginForTest('loyalty-points', { points_per_unit: 1, point_value: 1, min_redeem: 100 })
    const fixture = await createStore()
    const customer = await Customer.create({ storeId: fixture.store.id, name: 'Ada Lovelace', email: `ada.${fixture.tag}@test.local` })
    const product = await createProduct(fixture, { price: 5000, stock: 100 })
    await Device.create({ storeId: fixture.store.id, registerId: fixture.register.id, kind: 'printer', name: 'Front printer', transport: 'tcp', host: '127.0.0.1', port: 9 })
    await Bridge.create({ storeId: fixture.store.id, registerId: fixture.register.id, name: 'Till PC', tokenHash: randomUUID().replaceAll('-', '').padEnd(64, '0'), lastSeenAt: DateTime.utc() })

    await till(client, fixture, 'post', '/till/items').form({ product_id: product.id })
    ;(await till(client, fixture, 'post', '/till/customer').form({ customer_id: customer.id })).assertStatus(200)
    const done = await till(client, fixture, 'post', '/till/payments').form({ method: 'cash', tendered: '60.00' })
    done.assertStatus(200)
    assert.match(done.text(), />Points balance<\/span><span data-testid="points-balance">\d+ points/)
    const saleId = Number(/data-completed-sale="(\d+)"/.exec(done.text())![1])

    // The receipt queued for the printer as the sale completed
    const first = await eventually(() => PrintJob.query().where({ sale_id: saleId, kind: 'receipt' }).first(), 'the sale’s receipt job')
    assert.match(printedText(first), /Points balance: \d+ points/)

    const today = `Points balance today (${DateTime.now().setZone(fixture.store.timeZone).toFormat('d LLL yyyy')})`
    const page = await client.get(`/till/receipts/${saleId}`).loginAs(fixture.users.cashier)
    assert.include(page.text(), `>${today}</span><span data-testid="points-balance">`)
    const backoffice = await client.get(`/backoffice/sales/${saleId}`).loginAs(fixture.users.manager)
    assert.include(backoffice.text(), `>${today}</span><span data-testid="points-balance">`)

    // Printed (a reprint while it still waits only tries it again: printer_away.spec.ts)
    await first.merge({ status: 'done' }).save()
    ;(await till(client, fixture, 'post', `/till/receipts/${saleId}/reprint`)).assertStatus(200)
    const reprint = await PrintJob.query().where({ sale_id: saleId, kind: 'receipt' }).whereNot('id', first.id).firstOrFail()
    assert.include(printedText(reprint), `${today}: `)
  })
})
