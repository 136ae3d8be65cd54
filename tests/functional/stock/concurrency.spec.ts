import { test } from '@japa/runner'
import { apiToken, createProduct, createStore, ledgerSum, stockOf } from '#tests/fixtures'

/*
| Sales, transfers, receipts and adjustments of the same products at once, through the real API:
| whatever is refused, the stock of every product must equal its ledger afterwards.
*/
test.group('Stock concurrency', () => {
  test('parallel sales, transfers, receipts and adjustments never make stock drift from its ledger', async ({ client, assert }) => {
    const from = await createStore()
    const to = await createStore()
    const a = await createProduct(from, { sku: `CA-${from.tag}`, stock: 30 })
    const b = await createProduct(from, { sku: `CB-${from.tag}`, stock: 30 })
    const a2 = await createProduct(to, { sku: a.sku, stock: 0 })
    const b2 = await createProduct(to, { sku: b.sku, stock: 0 })
    const cashier = await apiToken(client, from.users.cashier)
    const manager = await apiToken(client, from.users.manager)

    const requests: Promise<any>[] = []
    for (let i = 0; i < 12; i++) {
      const items = i % 2 ? [{ product_id: a.id, quantity: 2 }, { product_id: b.id, quantity: 1 }] : [{ product_id: b.id, quantity: 2 }, { product_id: a.id, quantity: 1 }]
      requests.push(client.post('/api/sales').bearerToken(cashier).json({ items, payment_method: 'cash' }))
    }
    for (let i = 0; i < 6; i++) {
      requests.push(client.post('/api/stock/transfers').bearerToken(manager).json({ to_store_id: to.store.id, items: [{ product_id: i % 2 ? a.id : b.id, quantity: 3 }, { product_id: i % 2 ? b.id : a.id, quantity: 1 }] }))
      requests.push(client.post('/api/stock/adjustments').bearerToken(manager).json({ reason: 'damaged', items: [{ product_id: b.id, quantity: -2 }, { product_id: a.id, quantity: -1 }] }))
      requests.push(client.post('/api/stock/receipts').bearerToken(manager).json({ supplier: 'Acme', items: [{ product_id: a.id, quantity: 2, unit_cost: 100 }, { product_id: b.id, quantity: 1, unit_cost: 100 }] }))
    }
    const responses = await Promise.all(requests)
    const statuses = responses.map((r) => r.status())
    // Every request either went through or was refused for want of stock; nothing failed
    assert.isTrue(statuses.every((s) => s === 201 || s === 409), statuses.join(','))
    for (const r of responses.filter((r) => r.status() === 409)) assert.equal(r.body().errors[0].code, 'insufficient_stock')
    assert.isAtLeast(statuses.filter((s) => s === 201).length, 10)

    for (const p of [a, b]) {
      const stock = await stockOf(p.id)
      assert.equal(stock, await ledgerSum(p.id))
      assert.isAtLeast(stock, 0)
    }

    // The transfers received on the other side while sales continue there
    const transfers = responses.filter((r) => r.status() === 201 && r.body().status === 'in_transit')
    const receiver = await apiToken(client, to.users.manager)
    const seller = await apiToken(client, to.users.cashier)
    const more = await Promise.all([
      ...transfers.map((t) => client.post(`/api/stock/transfers/${t.body().id}/receive`).bearerToken(receiver).json({})),
      ...transfers.map(() => client.post('/api/sales').bearerToken(seller).json({ items: [{ product_id: a2.id, quantity: 1 }], payment_method: 'cash' })),
    ])
    assert.isTrue(more.every((r) => [200, 201, 409].includes(r.status())), more.map((r) => r.status()).join(','))
    for (const p of [a, b, a2, b2]) assert.equal(await stockOf(p.id), await ledgerSum(p.id))
  }).timeout(120_000)
})
