import { test } from '@japa/runner'
import { randomUUID } from 'node:crypto'
import db from '@adonisjs/lucid/services/db'
import { apiToken, createProduct, createStore, countRows, ledgerSum, stockOf, PINS } from '#tests/fixtures'
import { refundShare } from '#returns/refund_service'
import { verifyChains } from '#sales/chain_verifier'
import { completedSale, returnsFootprint } from './helpers.js'

/*
| POST /api/sales/:id/refunds: money in proportion to what was paid for the line, stock back
| or to the damaged bin, the original tender by default, and never more than was sold.
| Fixture taxes: standard 8%.
*/

test.group('Refunds: money and stock', () => {
  test('two partial refunds of a discounted line add up to the line total; a damaged line moves no stock', async ({ client, assert }) => {
    const fixture = await createStore()
    const a = await createProduct(fixture, { price: 999, stock: 10 })
    const b = await createProduct(fixture, { price: 500, stock: 10 })
    const token = await apiToken(client, fixture.users.cashier)
    const sale = await completedSale(client, token, [
      { product_id: a.id, quantity: 3, discount_percent: 12.5 },
      { product_id: b.id, quantity: 2 },
    ])
    const [lineA, lineB] = sale.items
    assert.equal(await stockOf(a.id), 7)

    const first = await client
      .post(`/api/sales/${sale.id}/refunds`)
      .bearerToken(token)
      .header('Idempotency-Key', randomUUID())
      .json({ items: [{ sale_item_id: lineA.id, quantity: 1, restock: true }, { sale_item_id: lineB.id, quantity: 2, restock: false }], reason: 'Changed mind; B broken' })
    first.assertStatus(201)
    const firstA = Math.floor(lineA.total / 3)
    assert.equal(first.body().total, firstA + lineB.total)
    assert.deepEqual(first.body().payments, [{ method: 'cash', amount: firstA + lineB.total }])
    assert.deepEqual(
      first.body().items.map((i: any) => [i.sale_item_id, i.quantity, i.amount, i.restock]),
      [[lineA.id, 1, firstA, true], [lineB.id, 2, lineB.total, false]]
    )
    assert.equal(await stockOf(a.id), 8)
    assert.equal(await stockOf(b.id), 8, 'damaged units do not go back on the shelf')
    assert.equal(await ledgerSum(a.id), 8)
    assert.equal(await ledgerSum(b.id), 8)

    const second = await client
      .post(`/api/sales/${sale.id}/refunds`)
      .bearerToken(token)
      .json({ items: [{ sale_item_id: lineA.id, quantity: 2 }], reason: 'The rest' })
    second.assertStatus(201)
    assert.equal(second.body().total, lineA.total - firstA, 'the last units get the remainder')

    const shown = await client.get(`/api/sales/${sale.id}`).bearerToken(token)
    shown.assertStatus(200)
    assert.equal(shown.body().refunded_total, sale.total)
    assert.lengthOf(shown.body().refunds, 2)
    assert.deepEqual(shown.body().items.map((i: any) => i.refunded_quantity), [3, 2])
    assert.equal(await stockOf(a.id), 10)
    assert.equal(await ledgerSum(a.id), 10)
    assert.equal(await countRows('stock_movements', { product_id: a.id, reason: 'refund' }), 2)
    assert.equal(await countRows('audit_logs', { store_id: fixture.store.id, action: 'refund' }), 2)

    // Nothing is left to return
    const third = await client.post(`/api/sales/${sale.id}/refunds`).bearerToken(token).json({ items: [{ sale_item_id: lineA.id, quantity: 1 }], reason: 'Again' })
    third.assertStatus(409)
    assert.equal(third.body().errors[0].code, 'over_return')
    assert.equal(third.body().errors[0].field, 'items.0.quantity')
  })

  test('refundShare: cumulative floors, the remainder last, never more than the line', async ({ assert }) => {
    // 100 for 3 units, returned one at a time: 33, 33, 34
    assert.equal(refundShare(100, 3, 0, 0, 1), 33)
    assert.equal(refundShare(100, 3, 1, 33, 1), 33)
    assert.equal(refundShare(100, 3, 2, 66, 1), 34)
    // Every split of 7 units of 1001 adds up to 1001
    for (const split of [[1, 6], [3, 4], [2, 2, 3], [1, 1, 1, 1, 1, 1, 1]]) {
      let quantity = 0
      let amount = 0
      for (const q of split) {
        amount += refundShare(1001, 7, quantity, amount, q)
        quantity += q
      }
      assert.equal(amount, 1001, split.join('+'))
    }
    // Large totals stay exact (BigInt)
    assert.equal(refundShare(99_999_999_99, 9999, 0, 0, 9998), Math.floor((99_999_999_99 * 9998) / 9999))
  })

  test('split tender: the card gets its part back first, then cash; another tender needs a manager’s PIN', async ({ client, assert }) => {
    const fixture = await createStore()
    const a = await createProduct(fixture, { price: 1000, stock: 10 })
    const cashier = await apiToken(client, fixture.users.cashier)
    const open = await client.post('/api/sales').bearerToken(cashier).json({ items: [{ product_id: a.id, quantity: 2 }] })
    open.assertStatus(201)
    await client.post('/api/payments').bearerToken(cashier).json({ sale_id: open.body().id, method: 'card_external', amount: 500 })
    const paid = await client.post('/api/payments').bearerToken(cashier).json({ sale_id: open.body().id, method: 'cash', amount: 1660 })
    paid.assertStatus(201)
    const line = open.body().items[0]

    const back = await client.post(`/api/sales/${open.body().id}/refunds`).bearerToken(cashier).json({ items: [{ sale_item_id: line.id, quantity: 1 }], reason: 'Too big' })
    back.assertStatus(201)
    assert.deepEqual(back.body().payments, [{ method: 'card_external', amount: 500 }, { method: 'cash', amount: 580 }])

    const before = await returnsFootprint(fixture)
    const refused = await client
      .post(`/api/sales/${open.body().id}/refunds`)
      .bearerToken(cashier)
      .json({ items: [{ sale_item_id: line.id, quantity: 1 }], reason: 'Wants it on card', method: 'card_external' })
    refused.assertStatus(403)
    assert.equal(refused.body().errors[0].code, 'manager_required')
    assert.equal(refused.body().errors[0].field, 'manager_pin')
    assert.deepEqual(await returnsFootprint(fixture), before)
    // A PIN that is none, or the wrong one, is named by the body's field too (it said "pin")
    for (const [pin, code] of [['abc', 'invalid_pin'], ['0000', 'wrong_pin']]) {
      const wrong = await client.post(`/api/sales/${open.body().id}/refunds`).bearerToken(cashier).json({ items: [{ sale_item_id: line.id, quantity: 1 }], reason: 'Wants it on card', method: 'card_external', manager_pin: pin })
      assert.deepInclude(wrong.body().errors[0], { code, field: 'manager_pin' })
    }

    const approved = await client
      .post(`/api/sales/${open.body().id}/refunds`)
      .bearerToken(cashier)
      .json({ items: [{ sale_item_id: line.id, quantity: 1 }], reason: 'Wants it on card', method: 'card_external', manager_pin: PINS.manager })
    approved.assertStatus(201)
    assert.deepEqual(approved.body().payments, [{ method: 'card_external', amount: 1080 }])
    assert.equal(approved.body().approved_by, fixture.users.manager.id)
  })

})

test.group('Refunds: two tills at once', () => {
  test('12 parallel returns of the last returnable unit, from two registers: one refund, 11 over_return', async ({ client, assert }) => {
    const fixture = await createStore()
    const a = await createProduct(fixture, { price: 1000, stock: 5 })
    const token = await apiToken(client, fixture.users.cashier)
    const sale = await completedSale(client, token, [{ product_id: a.id, quantity: 2 }])
    const line = sale.items[0]
    const first = await client.post(`/api/sales/${sale.id}/refunds`).bearerToken(token).json({ items: [{ sale_item_id: line.id, quantity: 1 }], reason: 'One back' })
    first.assertStatus(201)

    const registers = await db.from('registers').where('store_id', fixture.store.id).orderBy('id').select('id')
    const responses = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        client
          .post(`/api/sales/${sale.id}/refunds`)
          .bearerToken(token)
          .json({ items: [{ sale_item_id: line.id, quantity: 1 }], reason: 'Race', register_id: registers[i % 2].id })
      )
    )
    const statuses = responses.map((r) => r.status())
    assert.equal(statuses.filter((s) => s === 201).length, 1, statuses.join(','))
    assert.equal(statuses.filter((s) => s === 409).length, 11, statuses.join(','))
    for (const r of responses.filter((r) => r.status() === 409)) assert.equal(r.body().errors[0].code, 'over_return')

    assert.equal(await countRows('refunds', { sale_id: sale.id }), 2)
    assert.equal(Number((await db.from('sale_items').where('id', line.id).first()).refunded_quantity), 2)
    const row = await db.from('sales').where('id', sale.id).first()
    assert.equal(Number(row.refunded_total), sale.total)
    assert.equal(await stockOf(a.id), 5)
    assert.equal(await ledgerSum(a.id), 5)
  })
})

test.group('Refunds and sales racing on one register', () => {
  test('parallel refunds and sales on one register keep one unbroken chain and the ledger', async ({ client, assert }) => {
    const fixture = await createStore()
    const a = await createProduct(fixture, { price: 1000, stock: 100 })
    const token = await apiToken(client, fixture.users.cashier)
    const sales = []
    for (let i = 0; i < 6; i++) sales.push(await completedSale(client, token, [{ product_id: a.id, quantity: 2 }]))

    const responses = await Promise.all([
      ...sales.map((sale) =>
        client.post(`/api/sales/${sale.id}/refunds`).bearerToken(token).json({ items: [{ sale_item_id: sale.items[0].id, quantity: 1 }], reason: 'Race' })
      ),
      ...sales.map(() => client.post('/api/sales').bearerToken(token).json({ items: [{ product_id: a.id, quantity: 1 }], payment_method: 'card_external' })),
    ])
    assert.deepEqual(responses.map((r) => r.status()), [...Array(6).fill(201), ...Array(6).fill(201)])

    const verdicts = await verifyChains(fixture.store.id)
    assert.isTrue(verdicts[0].ok, verdicts[0].problem ?? '')
    assert.equal(verdicts[0].records, 18)
    assert.equal(await stockOf(a.id), 100 - 12 + 6 - 6)
    assert.equal(await ledgerSum(a.id), 88)
  })
})

test.group('Refunds: bad input writes nothing', () => {
  test('over-return, another store, open and voided sales, no reason, a reused key', async ({ client, assert }) => {
    const fixture = await createStore()
    const other = await createStore()
    const a = await createProduct(fixture, { price: 1000, stock: 10 })
    const o = await createProduct(other, { price: 1000, stock: 10 })
    const token = await apiToken(client, fixture.users.cashier)
    const manager = await apiToken(client, fixture.users.manager)
    const sale = await completedSale(client, token, [{ product_id: a.id, quantity: 2 }])
    const line = sale.items[0]
    const foreign = await completedSale(client, await apiToken(client, other.users.cashier), [{ product_id: o.id, quantity: 1 }])
    const open = await client.post('/api/sales').bearerToken(token).json({ items: [{ product_id: a.id, quantity: 1 }] })
    const voided = await completedSale(client, token, [{ product_id: a.id, quantity: 1 }])
    ;(await client.post(`/api/sales/${voided.id}/void`).bearerToken(manager).json({ reason: 'Rung up twice' })).assertStatus(200)

    const before = await returnsFootprint(fixture)
    const refund = (saleId: number, body: object, key?: string) => {
      const request = client.post(`/api/sales/${saleId}/refunds`).bearerToken(token)
      return (key ? request.header('Idempotency-Key', key) : request).json(body)
    }

    const over = await refund(sale.id, { items: [{ sale_item_id: line.id, quantity: 3 }], reason: 'Too many' })
    over.assertStatus(409)
    assert.deepInclude(over.body().errors[0], { code: 'over_return', field: 'items.0.quantity' })
    assert.include(over.body().errors[0].message, 'Only 2')

    const elsewhere = await refund(foreign.id, { items: [{ sale_item_id: foreign.items[0].id, quantity: 1 }], reason: 'Not ours' })
    elsewhere.assertStatus(404)

    const notMine = await refund(sale.id, { items: [{ sale_item_id: foreign.items[0].id, quantity: 1 }], reason: 'Another sale’s line' })
    notMine.assertStatus(404)
    assert.equal(notMine.body().errors[0].field, 'items.0.sale_item_id')

    const openSale = await refund(open.body().id, { items: [{ sale_item_id: open.body().items[0].id, quantity: 1 }], reason: 'Open' })
    openSale.assertStatus(409)
    assert.equal(openSale.body().errors[0].code, 'sale_open')

    const voidedSale = await refund(voided.id, { items: [{ sale_item_id: voided.items[0].id, quantity: 1 }], reason: 'Voided' })
    voidedSale.assertStatus(409)
    assert.equal(voidedSale.body().errors[0].code, 'sale_voided')

    const noReason = await refund(sale.id, { items: [{ sale_item_id: line.id, quantity: 1 }], reason: '   ' })
    noReason.assertStatus(422)
    assert.equal(noReason.body().errors[0].field, 'reason')

    const noLines = await refund(sale.id, { items: [], reason: 'Nothing' })
    noLines.assertStatus(422)
    assert.equal(noLines.body().errors[0].field, 'items')

    assert.deepEqual(await returnsFootprint(fixture), before)

    const key = randomUUID()
    const kept = await refund(sale.id, { items: [{ sale_item_id: line.id, quantity: 1 }], reason: 'Keyed' }, key)
    kept.assertStatus(201)
    const replay = await refund(sale.id, { items: [{ sale_item_id: line.id, quantity: 1 }], reason: 'Keyed' }, key)
    replay.assertStatus(201)
    assert.deepEqual(replay.body(), kept.body())
    const afterKept = await returnsFootprint(fixture)
    const reused = await refund(sale.id, { items: [{ sale_item_id: line.id, quantity: 1 }], reason: 'Another body' }, key)
    reused.assertStatus(409)
    assert.equal(reused.body().errors[0].code, 'idempotency_conflict')
    assert.deepEqual(await returnsFootprint(fixture), afterKept)
    assert.equal(afterKept.refunds, before.refunds + 1)
  })

  test('an accountant may not refund', async ({ client, assert }) => {
    const fixture = await createStore()
    const a = await createProduct(fixture, { stock: 10 })
    const sale = await completedSale(client, await apiToken(client, fixture.users.cashier), [{ product_id: a.id, quantity: 1 }])
    const response = await client
      .post(`/api/sales/${sale.id}/refunds`)
      .bearerToken(await apiToken(client, fixture.users.accountant))
      .json({ items: [{ sale_item_id: sale.items[0].id, quantity: 1 }], reason: 'No' })
    response.assertStatus(403)
    assert.equal(await countRows('refunds', { sale_id: sale.id }), 0)
  })
})
