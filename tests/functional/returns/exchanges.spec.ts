import { test } from '@japa/runner'
import { apiToken, createProduct, createStore, countRows, ledgerSum, stockOf } from '#tests/fixtures'
import { verifyChains } from '#sales/chain_verifier'
import { completedSale, returnsFootprint } from './helpers.js'

/*
| POST /api/sales/:id/exchanges: a return and a new sale in one transaction. The new sale is paid
| first by the returned goods ('exchange'); the customer pays the difference, or receives it
| back on the original tender. Fixture tax: standard 8%.
*/

test.group('Exchanges', () => {
  test('the customer pays the difference by card', async ({ client, assert }) => {
    const fixture = await createStore()
    const small = await createProduct(fixture, { name: 'Shirt S', price: 1000, stock: 5 })
    const big = await createProduct(fixture, { name: 'Jacket', price: 2000, stock: 5 })
    const token = await apiToken(client, fixture.users.cashier)
    const sale = await completedSale(client, token, [{ product_id: small.id, quantity: 1 }])

    const response = await client.post(`/api/sales/${sale.id}/exchanges`).bearerToken(token).json({
      return_items: [{ sale_item_id: sale.items[0].id, quantity: 1 }],
      items: [{ product_id: big.id, quantity: 1 }],
      payment_method: 'card_external',
      reason: 'Wants the jacket',
    })
    response.assertStatus(201)
    const body = response.body()
    assert.equal(body.refund.kind, 'exchange')
    assert.equal(body.refund.exchange_sale_id, body.sale.id)
    assert.deepEqual(body.refund.payments, [{ method: 'exchange', amount: 1080 }])
    assert.equal(body.sale.status, 'completed')
    assert.equal(body.sale.total, 2160)
    assert.deepEqual(body.sale.payments.map((p: any) => [p.method, p.amount]), [['exchange', 1080], ['card_external', 1080]])
    assert.equal(body.customer_pays, 1080)
    assert.equal(body.customer_receives, 0)

    assert.equal(await stockOf(small.id), 5)
    assert.equal(await stockOf(big.id), 4)
    assert.equal(await ledgerSum(small.id), 5)
    assert.equal(await ledgerSum(big.id), 4)
    assert.isTrue((await verifyChains(fixture.store.id)).every((v) => v.ok))
  })

  test('the customer receives the difference on the original tender (cash)', async ({ client, assert }) => {
    const fixture = await createStore()
    const pricey = await createProduct(fixture, { price: 1000, stock: 5 })
    const cheap = await createProduct(fixture, { price: 500, stock: 5 })
    const token = await apiToken(client, fixture.users.cashier)
    const sale = await completedSale(client, token, [{ product_id: pricey.id, quantity: 2 }])

    const response = await client.post(`/api/sales/${sale.id}/exchanges`).bearerToken(token).json({
      return_items: [{ sale_item_id: sale.items[0].id, quantity: 2, restock: false }],
      items: [{ product_id: cheap.id, quantity: 1 }],
      reason: 'Swapped for a cheaper one',
    })
    response.assertStatus(201)
    const body = response.body()
    assert.equal(body.refund.total, 2160)
    assert.deepEqual(body.refund.payments, [{ method: 'exchange', amount: 540 }, { method: 'cash', amount: 1620 }])
    assert.deepEqual(body.sale.payments.map((p: any) => [p.method, p.amount]), [['exchange', 540]])
    assert.equal(body.customer_pays, 0)
    assert.equal(body.customer_receives, 1620)
    assert.equal(await stockOf(pricey.id), 3, 'returned to the damaged bin')
    assert.equal(await stockOf(cheap.id), 4)

    const original = await client.get(`/api/sales/${sale.id}`).bearerToken(token)
    assert.equal(original.body().refunded_total, 2160)

    // The new sale, paid by the exchange credit, is returned in turn: the credit comes back as cash
    const back = await client.post(`/api/sales/${body.sale.id}/refunds`).bearerToken(token).json({ items: [{ sale_item_id: body.sale.items[0].id, quantity: 1 }], reason: 'Changed mind again' })
    back.assertStatus(201)
    assert.deepEqual(back.body().payments, [{ method: 'cash', amount: 540 }])
    assert.isTrue((await verifyChains(fixture.store.id)).every((v) => v.ok))
  })

  test('a refused exchange writes neither the return nor the new sale', async ({ client, assert }) => {
    const fixture = await createStore()
    const a = await createProduct(fixture, { price: 1000, stock: 5 })
    const scarce = await createProduct(fixture, { price: 3000, stock: 0 })
    const dear = await createProduct(fixture, { price: 3000, stock: 5 })
    const token = await apiToken(client, fixture.users.cashier)
    const sale = await completedSale(client, token, [{ product_id: a.id, quantity: 1 }])
    const before = { ...(await returnsFootprint(fixture)), sales: await countRows('sales', { store_id: fixture.store.id }), stock: await stockOf(a.id) }
    const footprint = async () => ({ ...(await returnsFootprint(fixture)), sales: await countRows('sales', { store_id: fixture.store.id }), stock: await stockOf(a.id) })

    const noStock = await client.post(`/api/sales/${sale.id}/exchanges`).bearerToken(token).json({
      return_items: [{ sale_item_id: sale.items[0].id, quantity: 1 }],
      items: [{ product_id: scarce.id, quantity: 1 }],
      payment_method: 'cash',
      tendered: 5000,
      reason: 'Out of stock',
    })
    noStock.assertStatus(409)
    assert.equal(noStock.body().errors[0].code, 'insufficient_stock')
    assert.deepEqual(await footprint(), before)

    const unpaid = await client.post(`/api/sales/${sale.id}/exchanges`).bearerToken(token).json({
      return_items: [{ sale_item_id: sale.items[0].id, quantity: 1 }],
      items: [{ product_id: dear.id, quantity: 1 }],
      reason: 'No payment for the difference',
    })
    unpaid.assertStatus(422)
    assert.equal(unpaid.body().errors[0].field, 'payment_method')
    assert.deepEqual(await footprint(), before)

    // Cash tendered with no method for it: refused, not dropped (the credit covers these goods)
    const tenderedAlone = await client.post(`/api/sales/${sale.id}/exchanges`).bearerToken(token).json({
      return_items: [{ sale_item_id: sale.items[0].id, quantity: 1 }],
      items: [{ product_id: a.id, quantity: 1 }],
      tendered: 5000,
      reason: 'Same again',
    })
    tenderedAlone.assertStatus(422)
    assert.equal(tenderedAlone.body().errors[0].field, 'payment_method')
    assert.equal(tenderedAlone.body().errors[0].message, 'Choose the payment method that the amount tendered or the reference is for')
    assert.deepEqual(await footprint(), before)

    const over = await client.post(`/api/sales/${sale.id}/exchanges`).bearerToken(token).json({
      return_items: [{ sale_item_id: sale.items[0].id, quantity: 2 }],
      items: [{ product_id: dear.id, quantity: 1 }],
      payment_method: 'card_external',
      reason: 'Too many',
    })
    over.assertStatus(409)
    assert.equal(over.body().errors[0].code, 'over_return')
    assert.deepEqual(await footprint(), before)
  })
})
