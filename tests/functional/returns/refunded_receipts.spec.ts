import { test } from '@japa/runner'
import { randomUUID } from 'node:crypto'
import { DateTime } from 'luxon'
import Bridge from '#models/bridge'
import Device from '#models/device'
import PrintJob from '#models/print_job'
import { apiToken, createProduct, createStore, type TestStore } from '#tests/fixtures'
import { REGISTER_COOKIE } from '#sales/till_screen_service'
import { completedSale } from './helpers.js'

/*
| A sale's receipt printed again after a refund lists the refunds (number, time, lines, the
| tenders paid back, the total), on the page and on paper: it printed as if nothing had come
| back. Fixture tax: 8%, so 3 x $4.50 = $14.58 and one unit back is $4.86.
*/

async function refund(client: any, token: string, saleId: number, saleItemId: number, quantity: number) {
  const response = await client.post(`/api/sales/${saleId}/refunds`).bearerToken(token).header('Idempotency-Key', randomUUID()).json({ items: [{ sale_item_id: saleItemId, quantity, restock: true }], reason: 'Changed mind' })
  response.assertStatus(201)
  return response.body()
}

function till(client: any, fixture: TestStore, method: 'get' | 'post', url: string) {
  return client[method](url).loginAs(fixture.users.cashier).withCsrfToken().withCookie(REGISTER_COOKIE, String(fixture.register.id))
}

test.group('Receipts of refunded sales', () => {
  test('the reprinted receipt lists each refund and what came back in all; the sale page too', async ({ client, assert }) => {
    const fixture = await createStore()
    const tea = await createProduct(fixture, { name: 'Green Tea', price: 450, stock: 10 })
    const token = await apiToken(client, fixture.users.cashier)
    const sale = await completedSale(client, token, [{ product_id: tea.id, quantity: 3 }])

    const untouched = await till(client, fixture, 'get', `/till/receipts/${sale.id}`)
    assert.notInclude(untouched.text(), 'data-testid="receipt-refunds"')
    assert.notInclude(untouched.text(), 'REFUNDED')

    const first = await refund(client, token, sale.id, sale.items[0].id, 1)
    const partly = await till(client, fixture, 'get', `/till/receipts/${sale.id}`)
    partly.assertStatus(200)
    const text = partly.text()
    assert.include(text, 'data-testid="refund-note">PARTLY REFUNDED')
    const when = DateTime.fromISO(first.created_at).setZone(fixture.store.timeZone).toFormat('yyyy-LL-dd HH:mm')
    assert.include(text, `Refund ${first.id} · ${when}`)
    assert.include(text, '1 × Green Tea</span><span class="money">−$4.86')
    assert.include(text, 'Back: Cash</span><span class="money">$4.86')
    assert.include(text, 'data-testid="receipt-refunded">−$4.86')

    const second = await refund(client, token, sale.id, sale.items[0].id, 2)
    const full = await till(client, fixture, 'get', `/till/receipts/${sale.id}`)
    assert.include(full.text(), 'data-testid="refund-note">REFUNDED')
    assert.include(full.text(), `Refund ${second.id} · `)
    assert.include(full.text(), '2 × Green Tea</span><span class="money">−$9.72')
    assert.include(full.text(), 'data-testid="receipt-refunded">−$14.58')

    const page = await client.get(`/backoffice/sales/${sale.id}`).loginAs(fixture.users.manager)
    page.assertStatus(200)
    assert.include(page.text(), 'data-testid="receipt-refunded">−$14.58')
  })

  test('a reprint on the register’s printer says the same', async ({ client, assert }) => {
    const fixture = await createStore()
    const tea = await createProduct(fixture, { name: 'Green Tea', price: 450, stock: 10 })
    const token = await apiToken(client, fixture.users.cashier)
    const sale = await completedSale(client, token, [{ product_id: tea.id, quantity: 3 }])
    const done = await refund(client, token, sale.id, sale.items[0].id, 1)
    await Device.create({ storeId: fixture.store.id, registerId: fixture.register.id, kind: 'printer', name: 'Front printer', transport: 'tcp', host: '127.0.0.1', port: 9 })
    await Bridge.create({ storeId: fixture.store.id, registerId: fixture.register.id, name: 'Till PC', tokenHash: randomUUID().replaceAll('-', '').padEnd(64, '0'), lastSeenAt: DateTime.utc() })

    const reprinted = await till(client, fixture, 'post', `/till/receipts/${sale.id}/reprint`).header('HX-Request', 'true')
    reprinted.assertStatus(200)
    const job = await PrintJob.query().where({ sale_id: sale.id, kind: 'receipt' }).orderBy('id', 'desc').firstOrFail()
    const printed = Buffer.from(job.payload, 'base64').toString('latin1')
    assert.include(printed, 'PARTLY REFUNDED')
    assert.match(printed, new RegExp(`Refund ${done.id} . \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d +-\\$4\\.86`))
    assert.match(printed, /  1 x Green Tea +-\$4\.86/)
    assert.match(printed, /  Back: Cash +\$4\.86/)
    assert.match(printed, /Refunded +-\$4\.86/)
  })
})
