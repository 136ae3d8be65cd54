import { test } from '@japa/runner'
import { DateTime } from 'luxon'
import { apiToken, createProduct, createStore, errorFields } from '#tests/fixtures'

/*
| GET /api/refunds: the refunds of the store's days, for a program that reads the books (a BI tool,
| an accountant's script). A refund was found only inside its sale (GET /api/sales/{id}), so one
| given today on last month's sale was found only by reading every sale again, and a return
| without a receipt, which has no sale, not at all.
*/
async function setup(client: any) {
  const fixture = await createStore()
  const tea = await createProduct(fixture, { price: 1000, stock: 50 })
  const cashier = await apiToken(client, fixture.users.cashier)
  const manager = await apiToken(client, fixture.users.manager)
  const sale = await client.post('/api/sales').bearerToken(cashier).json({ items: [{ product_id: tea.id, quantity: 3 }], payment_method: 'card_external' })
  sale.assertStatus(201)
  const withReceipt = await client
    .post(`/api/sales/${sale.body().id}/refunds`)
    .bearerToken(cashier)
    .json({ items: [{ sale_item_id: sale.body().items[0].id, quantity: 1 }], reason: 'Broken lid' })
  withReceipt.assertStatus(201)
  const withoutReceipt = await client.post('/api/refunds').bearerToken(manager).json({ items: [{ product_id: tea.id, quantity: 2, restock: false }], reason: 'No receipt', method: 'card_external' })
  withoutReceipt.assertStatus(201)
  const today = DateTime.now().setZone(fixture.store.timeZone).toISODate()!
  return { fixture, tea, cashier, manager, withReceipt: withReceipt.body(), withoutReceipt: withoutReceipt.body(), today }
}

test.group('API: GET /api/refunds', () => {
  test('lists the store’s refunds, newest first, as POST answered them; by receipt, by day, by page', async ({ client, assert }) => {
    const { fixture, manager, withReceipt, withoutReceipt, today } = await setup(client)
    // Another store's refund is not listed
    const other = await setup(client)

    const all = await client.get('/api/refunds').bearerToken(manager)
    all.assertStatus(200)
    assert.deepEqual(all.body().data, [withoutReceipt, withReceipt])
    assert.deepEqual(all.body().meta, { total: 2, per_page: 25, current_page: 1, last_page: 1 })
    assert.notInclude(all.body().data.map((r: any) => r.id), other.withReceipt.id)

    const without = await client.get('/api/refunds').qs({ receipt: 'without' }).bearerToken(manager)
    assert.deepEqual(without.body().data.map((r: any) => r.id), [withoutReceipt.id])
    const withSale = await client.get('/api/refunds').qs({ receipt: 'with' }).bearerToken(manager)
    assert.deepEqual(withSale.body().data.map((r: any) => r.id), [withReceipt.id])

    const days = await client.get('/api/refunds').qs({ from: today, to: today }).bearerToken(manager)
    assert.equal(days.body().meta.total, 2)
    const tomorrow = DateTime.fromISO(today).plus({ days: 1 }).toISODate()!
    const none = await client.get('/api/refunds').qs({ from: tomorrow }).bearerToken(manager)
    assert.deepEqual(none.body().data, [])

    const second = await client.get('/api/refunds').qs({ per_page: 1, page: 2 }).bearerToken(manager)
    assert.deepEqual(second.body().data.map((r: any) => r.id), [withReceipt.id])
    assert.deepEqual(second.body().meta, { total: 2, per_page: 1, current_page: 2, last_page: 2 })

    // Those who read the reports: an accountant too, not a cashier
    ;(await client.get('/api/refunds').bearerToken(await apiToken(client, fixture.users.accountant))).assertStatus(200)
    const cashier = await client.get('/api/refunds').bearerToken(await apiToken(client, fixture.users.cashier))
    cashier.assertStatus(403)
    ;(await client.get('/api/refunds')).assertStatus(401)
  })

  test('bad filters are a 422 naming each', async ({ client, assert }) => {
    const { manager } = await setup(client)
    const cases: [Record<string, string>, string][] = [
      [{ from: '2026-02-30' }, 'from'],
      [{ to: 'yesterday' }, 'to'],
      [{ from: '2026-12-07', to: '2026-12-01' }, 'to'],
      [{ receipt: 'maybe' }, 'receipt'],
      [{ page: '0' }, 'page'],
      [{ per_page: '1000' }, 'per_page'],
    ]
    for (const [qs, field] of cases) {
      const response = await client.get('/api/refunds').qs(qs).bearerToken(manager)
      response.assertStatus(422)
      assert.deepEqual(errorFields(response), [field], JSON.stringify(qs))
    }
  })
})
