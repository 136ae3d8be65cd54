import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { apiToken, countRows, createProduct, createStore, ledgerSum, stockOf } from '#tests/fixtures'
import CatalogService from '#catalog/catalog_service'
import { sellFor } from '#tests/functional/backoffice/helpers'

async function movementsOf(productId: number) {
  return db.from('stock_movements').where('product_id', productId).orderBy('id').select('quantity', 'reason', 'document_type')
}

test.group('Stock API: receiving', () => {
  test('a receipt of two lines raises stock, sets the cost and writes the ledger; a retry is replayed', async ({ client, assert }) => {
    const fixture = await createStore()
    const a = await createProduct(fixture, { stock: 10, cost: 400 })
    const b = await createProduct(fixture, { stock: 0, cost: 100 })
    const token = await apiToken(client, fixture.users.manager)
    const body = { supplier: 'Acme Foods', reference: 'INV-77', items: [{ product_id: a.id, quantity: 24, unit_cost: 420 }, { product_id: b.id, quantity: 6, unit_cost: 95 }] }
    const response = await client.post('/api/stock/receipts').bearerToken(token).header('Idempotency-Key', 'receipt-key-0001').json(body)
    response.assertStatus(201)
    assert.equal(response.body().supplier, 'Acme Foods')
    assert.deepEqual(response.body().items.map((i: any) => [i.product_id, i.quantity, i.unit_cost]), [[a.id, 24, 420], [b.id, 6, 95]])

    const replay = await client.post('/api/stock/receipts').bearerToken(token).header('Idempotency-Key', 'receipt-key-0001').json(body)
    replay.assertStatus(201)
    replay.assertHeader('idempotent-replayed', 'true')
    assert.equal(replay.body().id, response.body().id)

    assert.equal(await stockOf(a.id), 34)
    assert.equal(await ledgerSum(a.id), 34)
    assert.equal(await stockOf(b.id), 6)
    assert.equal(await ledgerSum(b.id), 6)
    const costs = await db.from('products').whereIn('id', [a.id, b.id]).orderBy('id').select('cost')
    assert.deepEqual(costs.map((c) => c.cost), [420, 95])
    assert.deepEqual(await movementsOf(b.id), [{ quantity: 6, reason: 'receipt', document_type: 'receipt' }])
    assert.equal(await countRows('stock_receipts', { store_id: fixture.store.id }), 1)
  })

  test('negative, absurd or archived lines are refused with the field, and nothing is written', async ({ client, assert }) => {
    const fixture = await createStore()
    const a = await createProduct(fixture, { stock: 10 })
    const archived = await createProduct(fixture, { stock: 3 })
    await sellFor(fixture, [{ product: archived, quantity: 1 }])
    assert.equal(await new CatalogService().archiveOrDelete(archived, fixture.users.manager), 'archived')
    const token = await apiToken(client, fixture.users.manager)

    const cases: [any[], string, string][] = [
      [[{ product_id: a.id, quantity: -5, unit_cost: 100 }], 'items.0.quantity', 'negative_quantity'],
      [[{ product_id: a.id, quantity: 1_000_001, unit_cost: 100 }], 'items.0.quantity', 'absurd_quantity'],
      [[{ product_id: a.id, quantity: 2, unit_cost: -1 }], 'items.0.unit_cost', 'negative_quantity'],
      [[{ product_id: a.id, quantity: 2, unit_cost: 100 }, { product_id: archived.id, quantity: 2, unit_cost: 100 }], 'items.1.product_id', 'archived_product'],
      [[{ product_id: a.id, quantity: 2, unit_cost: 100 }, { product_id: a.id, quantity: 2, unit_cost: 100 }], 'items.1.product_id', 'duplicate_line'],
    ]
    for (const [items, field, code] of cases) {
      const response = await client.post('/api/stock/receipts').bearerToken(token).json({ supplier: 'Acme', items })
      response.assertStatus(422)
      assert.equal(response.body().errors[0].field, field, JSON.stringify(response.body()))
      assert.equal(response.body().errors[0].code, code)
    }
    const noSupplier = await client.post('/api/stock/receipts').bearerToken(token).json({ supplier: ' ', items: [{ product_id: a.id, quantity: 1, unit_cost: 1 }] })
    assert.equal(noSupplier.body().errors[0].field, 'supplier')
    assert.equal(await stockOf(a.id), 10)
    assert.equal(await countRows('stock_receipts', { store_id: fixture.store.id }), 0)
    assert.equal(await countRows('stock_movements', { product_id: a.id, reason: 'receipt' }), 0)
  })

  test('a cashier may not receive stock; another store\'s product is not found', async ({ client, assert }) => {
    const fixture = await createStore()
    const other = await createStore()
    const theirs = await createProduct(other, { stock: 5 })
    const cashier = await apiToken(client, fixture.users.cashier)
    const refused = await client.post('/api/stock/receipts').bearerToken(cashier).json({ supplier: 'Acme', items: [{ product_id: theirs.id, quantity: 1, unit_cost: 1 }] })
    refused.assertStatus(403)
    const manager = await apiToken(client, fixture.users.manager)
    const foreign = await client.post('/api/stock/receipts').bearerToken(manager).json({ supplier: 'Acme', items: [{ product_id: theirs.id, quantity: 1, unit_cost: 1 }] })
    foreign.assertStatus(422)
    assert.equal(foreign.body().errors[0].code, 'unknown_product')
    assert.equal(await stockOf(theirs.id), 5)
  })
})

test.group('Stock API: adjustments', () => {
  test('damaged takes stock off, found adds it; the reason is kept on the ledger', async ({ client, assert }) => {
    const fixture = await createStore()
    const a = await createProduct(fixture, { stock: 10 })
    const token = await apiToken(client, fixture.users.manager)
    const damaged = await client.post('/api/stock/adjustments').bearerToken(token).header('Idempotency-Key', 'adjust-key-0001').json({ reason: 'damaged', note: 'dropped', items: [{ product_id: a.id, quantity: -3 }] })
    damaged.assertStatus(201)
    const found = await client.post('/api/stock/adjustments').bearerToken(token).json({ reason: 'found', items: [{ product_id: a.id, quantity: 2 }] })
    found.assertStatus(201)
    assert.equal(await stockOf(a.id), 9)
    assert.equal(await ledgerSum(a.id), 9)
    const rows = await db.from('stock_movements').where({ product_id: a.id, reason: 'adjustment' }).orderBy('id').select('quantity', 'note')
    assert.deepEqual(rows, [{ quantity: -3, note: 'damaged: dropped' }, { quantity: 2, note: 'found' }])

    // A long note cut to the column: never through the middle of an emoji (half of it showed as "\uFFFD")
    const long = 'x'.repeat(245) + '\u{1F600}'
    ;(await client.post('/api/stock/adjustments').bearerToken(token).json({ reason: 'damaged', note: long, items: [{ product_id: a.id, quantity: -1 }] })).assertStatus(201)
    const cut = await db.from('stock_movements').where({ product_id: a.id, reason: 'adjustment' }).orderBy('id', 'desc').firstOrFail()
    assert.equal(cut.note, `damaged: ${'x'.repeat(245)}`)
  })

  test('a bad reason, a wrong sign, zero or taking more than is on hand are refused', async ({ client, assert }) => {
    const fixture = await createStore()
    const a = await createProduct(fixture, { stock: 4 })
    const token = await apiToken(client, fixture.users.manager)
    const post = (body: any) => client.post('/api/stock/adjustments').bearerToken(token).json(body)

    const reason = await post({ reason: 'stolen-ish', items: [{ product_id: a.id, quantity: -1 }] })
    reason.assertStatus(422)
    assert.equal(reason.body().errors[0].field, 'reason')
    const sign = await post({ reason: 'lost', items: [{ product_id: a.id, quantity: 2 }] })
    assert.equal(sign.body().errors[0].field, 'items.0.quantity')
    const zero = await post({ reason: 'correction', items: [{ product_id: a.id, quantity: 0 }] })
    assert.equal(zero.body().errors[0].field, 'items.0.quantity')
    // The quantity is signed: "must be at least 1" said a negative one was refused too
    assert.equal(zero.body().errors[0].message, 'An adjustment of 0 changes nothing: enter the units added (5) or taken off (-5)')
    const absurd = await post({ reason: 'correction', items: [{ product_id: a.id, quantity: 5_000_000 }] })
    assert.equal(absurd.body().errors[0].code, 'absurd_quantity')
    const absurdOff = await post({ reason: 'correction', items: [{ product_id: a.id, quantity: -5_000_000 }] })
    assert.deepInclude(absurdOff.body().errors[0], { code: 'absurd_quantity', field: 'items.0.quantity' })
    assert.include(absurdOff.body().errors[0].message, '-5000000')
    const tooMany = await post({ reason: 'damaged', items: [{ product_id: a.id, quantity: -5 }] })
    tooMany.assertStatus(409)
    assert.equal(tooMany.body().errors[0].code, 'insufficient_stock')
    assert.include(tooMany.body().errors[0].message, '4 on hand')

    assert.equal(await stockOf(a.id), 4)
    assert.equal(await ledgerSum(a.id), 4)
    assert.equal(await countRows('stock_adjustments', { store_id: fixture.store.id }), 0)
  })
})

test.group('Stock API: transfers', () => {
  test('sent, in transit, received with a difference recorded; matched by SKU in the other store', async ({ client, assert }) => {
    const from = await createStore()
    const to = await createStore()
    const sent = await createProduct(from, { sku: `TR-${from.tag}`, stock: 10 })
    const target = await createProduct(to, { sku: `TR-${from.tag}`, stock: 1 })
    const fromToken = await apiToken(client, from.users.manager)
    const toToken = await apiToken(client, to.users.manager)

    const response = await client.post('/api/stock/transfers').bearerToken(fromToken).header('Idempotency-Key', 'transfer-key-01').json({ to_store_id: to.store.id, items: [{ product_id: sent.id, quantity: 4 }] })
    response.assertStatus(201)
    assert.equal(response.body().status, 'in_transit')
    assert.equal(response.body().items[0].to_product_id, target.id)
    assert.equal(await stockOf(sent.id), 6)
    assert.equal(await ledgerSum(sent.id), 6)
    assert.equal(await stockOf(target.id), 1)

    // Only the receiving store receives it
    const wrongStore = await client.post(`/api/stock/transfers/${response.body().id}/receive`).bearerToken(fromToken).json({})
    wrongStore.assertStatus(404)

    const lineId = response.body().items[0].line_id
    const received = await client.post(`/api/stock/transfers/${response.body().id}/receive`).bearerToken(toToken).json({ items: [{ line_id: lineId, quantity_received: 3 }] })
    received.assertStatus(200)
    assert.equal(received.body().status, 'received')
    assert.equal(received.body().items[0].quantity_received, 3)
    assert.equal(received.body().items[0].difference, -1)
    assert.equal(await stockOf(target.id), 4)
    assert.equal(await ledgerSum(target.id), 4)
    assert.deepEqual(await movementsOf(target.id), [
      { quantity: 1, reason: 'initial', document_type: null },
      { quantity: 3, reason: 'transfer_in', document_type: 'transfer' },
    ])

    const again = await client.post(`/api/stock/transfers/${response.body().id}/receive`).bearerToken(toToken).json({})
    again.assertStatus(409)
    assert.equal(again.body().errors[0].code, 'already_received')
    assert.equal(await stockOf(target.id), 4)
  })

  test('receiving names each line once: the same line twice is a 422 on the second, and nothing is received', async ({ client, assert }) => {
    const from = await createStore()
    const to = await createStore()
    const sent = await createProduct(from, { sku: `TW-${from.tag}`, stock: 10 })
    const target = await createProduct(to, { sku: `TW-${from.tag}`, stock: 0 })
    const transfer = await client.post('/api/stock/transfers').bearerToken(await apiToken(client, from.users.manager)).json({ to_store_id: to.store.id, items: [{ product_id: sent.id, quantity: 10 }] })
    transfer.assertStatus(201)
    const lineId = transfer.body().items[0].line_id
    const toToken = await apiToken(client, to.users.manager)

    // 3 was booked and 7 ignored without a word
    const twice = await client.post(`/api/stock/transfers/${transfer.body().id}/receive`).bearerToken(toToken).json({ items: [{ line_id: lineId, quantity_received: 3 }, { line_id: lineId, quantity_received: 7 }] })
    twice.assertStatus(422)
    assert.deepInclude(twice.body().errors[0], { field: 'items.1.line_id', code: 'duplicate_line' })
    assert.equal(await stockOf(target.id), 0)
    assert.equal(await ledgerSum(target.id), 0)
    const row = await db.from('stock_transfers').where('id', transfer.body().id).first()
    assert.equal(row.status, 'in_transit')
    assert.isNull((await db.from('stock_transfer_lines').where('id', lineId).first()).quantity_received)

    ;(await client.post(`/api/stock/transfers/${transfer.body().id}/receive`).bearerToken(toToken).json({ items: [{ line_id: lineId, quantity_received: 7 }] })).assertStatus(200)
    assert.equal(await stockOf(target.id), 7)
  })

  test('a transfer to the same store, of a SKU the other store lacks, or of more than is on hand is refused', async ({ client, assert }) => {
    const from = await createStore()
    const to = await createStore()
    const a = await createProduct(from, { stock: 2 })
    await createProduct(to, { sku: a.sku, stock: 0 })
    const lonely = await createProduct(from, { stock: 5 })
    const token = await apiToken(client, from.users.manager)
    const post = (body: any) => client.post('/api/stock/transfers').bearerToken(token).json(body)

    const same = await post({ to_store_id: from.store.id, items: [{ product_id: a.id, quantity: 1 }] })
    same.assertStatus(422)
    assert.deepInclude(same.body().errors[0], { field: 'to_store_id', code: 'same_store' })
    const noSku = await post({ to_store_id: to.store.id, items: [{ product_id: a.id, quantity: 1 }, { product_id: lonely.id, quantity: 1 }] })
    assert.deepInclude(noSku.body().errors[0], { field: 'items.1.product_id', code: 'no_matching_sku' })
    const tooMany = await post({ to_store_id: to.store.id, items: [{ product_id: a.id, quantity: 3 }] })
    tooMany.assertStatus(409)
    const negative = await post({ to_store_id: to.store.id, items: [{ product_id: a.id, quantity: -1 }] })
    assert.equal(negative.body().errors[0].field, 'items.0.quantity')

    assert.equal(await stockOf(a.id), 2)
    assert.equal(await ledgerSum(a.id), 2)
    assert.equal(await countRows('stock_transfers', { from_store_id: from.store.id }), 0)
  })
})

test.group('Stock API: a product\'s ledger', () => {
  test('movements come newest first with the balance after each', async ({ client, assert }) => {
    const fixture = await createStore()
    const a = await createProduct(fixture, { stock: 10 })
    await sellFor(fixture, [{ product: a, quantity: 3 }])
    const token = await apiToken(client, fixture.users.manager)
    await client.post('/api/stock/adjustments').bearerToken(token).json({ reason: 'found', items: [{ product_id: a.id, quantity: 5 }] })

    const response = await client.get(`/api/products/${a.id}/movements`).bearerToken(token)
    response.assertStatus(200)
    assert.equal(response.body().stock, 12)
    assert.deepEqual(response.body().data.map((m: any) => [m.reason, m.quantity, m.balance]), [['adjustment', 5, 12], ['sale', -3, 7], ['initial', 10, 10]])
    assert.match(response.body().data[0].created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/)

    const page2 = await client.get(`/api/products/${a.id}/movements?per_page=1&page=2`).bearerToken(token)
    assert.deepEqual(page2.body().data.map((m: any) => m.balance), [7])

    const other = await createStore()
    const theirs = await createProduct(other)
    const foreign = await client.get(`/api/products/${theirs.id}/movements`).bearerToken(token)
    foreign.assertStatus(404)
  })

  test('a cashier may not read a product\'s ledger (adjustment notes, who moved what), as in the back office', async ({ client, assert }) => {
    const fixture = await createStore()
    const a = await createProduct(fixture, { stock: 10 })
    const refused = await client.get(`/api/products/${a.id}/movements`).bearerToken(await apiToken(client, fixture.users.cashier))
    refused.assertStatus(403)
    assert.notProperty(refused.body(), 'data')
    ;(await client.get('/backoffice/stock').loginAs(fixture.users.cashier)).assertStatus(403)
  })
})
