import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { apiToken, countRows, createProduct, createStore, ledgerSum, stockOf } from '#tests/fixtures'
import { submit } from '#tests/functional/backoffice/helpers'

/*
| A transfer into a product the receiving store archived put stock on a product nobody can sell.
| Sending one is refused on its line; receiving one archived since it was sent is refused on its
| line too, unless nothing of it is received (0): the rest of the transfer can still come in.
*/

const archive = (productId: number) => db.from('products').where('id', productId).update({ archived_at: new Date(), active: false })

test.group('Stock transfers into an archived product', () => {
  test('API: sending to a store whose product of that SKU is archived is a 422 on the line, nothing written', async ({ client, assert }) => {
    const from = await createStore()
    const to = await createStore()
    const fine = await createProduct(from, { stock: 5 })
    await createProduct(to, { sku: fine.sku, stock: 0 })
    const sent = await createProduct(from, { name: 'Old Mug', stock: 5 })
    const target = await createProduct(to, { sku: sent.sku, stock: 0 })
    await archive(target.id)
    const token = await apiToken(client, from.users.manager)

    const response = await client.post('/api/stock/transfers').bearerToken(token).json({ to_store_id: to.store.id, items: [{ product_id: fine.id, quantity: 1 }, { product_id: sent.id, quantity: 2 }] })
    response.assertStatus(422)
    // The same answer as a SKU the other store lacks: what it archived is its own (transfer_disclosure.spec.ts)
    assert.deepInclude(response.body().errors[0], { field: 'items.1.product_id', code: 'no_matching_sku' })
    assert.match(response.body().errors[0].message, /no product on sale/)
    assert.equal(await stockOf(sent.id), 5)
    assert.equal(await stockOf(fine.id), 5)
    assert.equal(await countRows('stock_transfers', { from_store_id: from.store.id }), 0)
  })

  test('API: receiving into a product archived since it was sent is a 422 on the line; 0 of it is taken, and the rest received', async ({ client, assert }) => {
    const from = await createStore()
    const to = await createStore()
    const a = await createProduct(from, { stock: 5 })
    const aThere = await createProduct(to, { sku: a.sku, stock: 0 })
    const b = await createProduct(from, { stock: 5 })
    const bThere = await createProduct(to, { sku: b.sku, stock: 0 })
    const transfer = await client.post('/api/stock/transfers').bearerToken(await apiToken(client, from.users.manager)).json({ to_store_id: to.store.id, items: [{ product_id: a.id, quantity: 2 }, { product_id: b.id, quantity: 3 }] })
    transfer.assertStatus(201)
    const [lineA, lineB] = transfer.body().items.map((item: any) => item.line_id)
    await archive(bThere.id)
    const toToken = await apiToken(client, to.users.manager)
    const receive = (body: any) => client.post(`/api/stock/transfers/${transfer.body().id}/receive`).bearerToken(toToken).json(body)

    const named = await receive({ items: [{ line_id: lineA, quantity_received: 2 }, { line_id: lineB, quantity_received: 3 }] })
    named.assertStatus(422)
    assert.deepInclude(named.body().errors[0], { field: 'items.1.line_id', code: 'archived_product' })
    const whole = await receive({})
    whole.assertStatus(422)
    assert.deepInclude(whole.body().errors[0], { field: 'items', code: 'archived_product' })
    assert.equal(await stockOf(bThere.id), 0)
    assert.equal(await stockOf(aThere.id), 0)
    assert.equal((await db.from('stock_transfers').where('id', transfer.body().id).first()).status, 'in_transit')

    const rest = await receive({ items: [{ line_id: lineB, quantity_received: 0 }] })
    rest.assertStatus(200)
    assert.equal(await stockOf(aThere.id), 2)
    assert.equal(await stockOf(bThere.id), 0)
    assert.equal(await ledgerSum(bThere.id), 0)
  })

  test('the back office: the send form and the receive form show the error on the line', async ({ client, assert }) => {
    const from = await createStore()
    const to = await createStore()
    const a = await createProduct(from, { stock: 9 })
    const there = await createProduct(to, { sku: a.sku, stock: 0 })
    await archive(there.id)
    const sent = await submit(client, from.users.manager, 'post', '/backoffice/stock/transfers', { to_store_id: String(to.store.id), 'items[0][code]': a.sku, 'items[0][quantity]': '5' }, '/backoffice/stock/transfers/new')
    sent.assertStatus(302)
    assert.match(sent.flashMessage('inputErrorsBag')['items.0.code'][0], /no product on sale/)
    assert.equal(await stockOf(a.id), 9)

    // Sent while it was on sale, archived before it arrived
    await db.from('products').where('id', there.id).update({ archived_at: null, active: true })
    const ok = await submit(client, from.users.manager, 'post', '/backoffice/stock/transfers', { to_store_id: String(to.store.id), 'items[0][code]': a.sku, 'items[0][quantity]': '5' })
    ok.assertStatus(302)
    const url = ok.headers().location
    await archive(there.id)
    const line = await db.from('stock_transfer_lines').where('product_id', a.id).firstOrFail()
    const received = await submit(client, to.users.manager, 'post', `${url}/receive`, { [`received[l${line.id}]`]: '5' }, url)
    received.assertStatus(302)
    assert.match(received.flashMessage('inputErrorsBag')[`received.${line.id}`][0], /archived/)
    assert.equal(await stockOf(there.id), 0)
  })
})
