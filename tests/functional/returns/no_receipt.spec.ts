import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { apiToken, cashIntoDrawer, createProduct, createStore, countRows, ledgerSum, stockOf, PINS } from '#tests/fixtures'
import { verifyChains } from '#sales/chain_verifier'

/*
| POST /api/refunds: a return without a receipt needs a manager and refunds at the current price
| (with tax), to cash unless another tender is chosen. It is a link of the register's chain.
*/

test.group('Returns without a receipt', () => {
  test('a cashier needs a manager’s PIN; the refund is at today’s price', async ({ client, assert }) => {
    const fixture = await createStore()
    const mug = await createProduct(fixture, { name: 'Mug', price: 1000, stock: 4 })
    await db.from('products').where('id', mug.id).update({ price: 1200 })
    const token = await apiToken(client, fixture.users.cashier)
    const body = { items: [{ product_id: mug.id, quantity: 1 }], reason: 'Gift, no receipt' }
    await cashIntoDrawer(fixture, 5000)

    const refused = await client.post('/api/refunds').bearerToken(token).json(body)
    refused.assertStatus(403)
    assert.equal(refused.body().errors[0].code, 'manager_required')
    assert.equal(await countRows('refunds', { store_id: fixture.store.id }), 0)

    const done = await client.post('/api/refunds').bearerToken(token).json({ ...body, manager_pin: PINS.manager })
    done.assertStatus(201)
    assert.equal(done.body().total, 1296)
    assert.isNull(done.body().sale_id)
    assert.equal(done.body().approved_by, fixture.users.manager.id)
    assert.deepEqual(done.body().payments, [{ method: 'cash', amount: 1296 }])
    assert.equal(await stockOf(mug.id), 5)
    assert.equal(await ledgerSum(mug.id), 5)
    assert.equal(await countRows('audit_logs', { store_id: fixture.store.id, action: 'refund_without_receipt' }), 1)
    assert.isTrue((await verifyChains(fixture.store.id)).every((v) => v.ok))

    // A manager approves their own; an unknown product is named
    const manager = await apiToken(client, fixture.users.manager)
    const unknown = await client.post('/api/refunds').bearerToken(manager).json({ items: [{ product_id: 99_999_999, quantity: 1 }], reason: 'What is it' })
    unknown.assertStatus(404)
    assert.equal(unknown.body().errors[0].field, 'items.0.product_id')
    const twice = await client.post('/api/refunds').bearerToken(manager).json({ items: [{ product_id: mug.id, quantity: 1 }, { product_id: mug.id, quantity: 2 }], reason: 'Two mugs' })
    twice.assertStatus(422)
    assert.deepInclude(twice.body().errors[0], { code: 'duplicate_line', field: 'items.1.product_id' })
    const noReason = await client.post('/api/refunds').bearerToken(manager).json({ items: [{ product_id: mug.id, quantity: 1 }] })
    noReason.assertStatus(422)
    assert.equal(noReason.body().errors[0].field, 'reason')
    assert.equal(await countRows('refunds', { store_id: fixture.store.id }), 1)
  })
})
