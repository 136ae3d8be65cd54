import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { apiToken, countRows, createProduct, createStore } from '#tests/fixtures'

/*
| Taking a payment off an open API sale, cancelling the sale and deleting a product are writes a
| client retries when the answer is lost, as it retries any other. They took no Idempotency-Key:
| the retry of a payment taken off answered 404 (the payment was gone), of a cancel 409
| sale_voided, of a product's deletion 404, and the client could not tell that its first request
| had done what it asked.
*/
test.group('API: writes retried with their Idempotency-Key', () => {
  test('the same Idempotency-Key answers the first answer again; another body with it is a 409', async ({ client, assert }) => {
    const fixture = await createStore()
    const tea = await createProduct(fixture, { price: 450, stock: 20 })
    const cashier = await apiToken(client, fixture.users.cashier)
    const opened = await client.post('/api/sales').bearerToken(cashier).json({ items: [{ product_id: tea.id, quantity: 2 }] })
    opened.assertStatus(201)
    const saleId = opened.body().id
    const paid = await client.post('/api/payments').bearerToken(cashier).json({ sale_id: saleId, method: 'card_external', amount: 100 })
    paid.assertStatus(201)

    const removeKey = 'remove-' + crypto.randomUUID()
    const removed = await client.delete(`/api/payments/${paid.body().id}`).bearerToken(cashier).header('Idempotency-Key', removeKey)
    removed.assertStatus(200)
    const removedAgain = await client.delete(`/api/payments/${paid.body().id}`).bearerToken(cashier).header('Idempotency-Key', removeKey)
    removedAgain.assertStatus(200)
    assert.deepEqual(removedAgain.body(), removed.body())
    assert.equal((await db.from('payments').where('id', paid.body().id).firstOrFail()).status, 'cancelled')

    const cancelKey = 'cancel-' + crypto.randomUUID()
    const cancelled = await client.post(`/api/sales/${saleId}/cancel`).bearerToken(cashier).header('Idempotency-Key', cancelKey)
    cancelled.assertStatus(200)
    assert.equal(cancelled.body().status, 'voided')
    const cancelledAgain = await client.post(`/api/sales/${saleId}/cancel`).bearerToken(cashier).header('Idempotency-Key', cancelKey)
    cancelledAgain.assertStatus(200)
    assert.deepEqual(cancelledAgain.body(), cancelled.body())
    assert.equal(await countRows('audit_logs', { action: 'cart_voided', subject_id: saleId }), 1)

    // The key of the cancel, sent to take another sale back: a conflict, nothing changed
    const other = await client.post('/api/sales').bearerToken(cashier).json({ items: [{ product_id: tea.id, quantity: 1 }] })
    const reused = await client.post(`/api/sales/${other.body().id}/cancel`).bearerToken(cashier).header('Idempotency-Key', cancelKey)
    reused.assertStatus(409)
    assert.equal(reused.body().errors[0].code, 'idempotency_conflict')
    assert.equal((await db.from('sales').where('id', other.body().id).firstOrFail()).status, 'open')

    // Without a key, a second cancel still says the sale is voided
    const unkeyed = await client.post(`/api/sales/${saleId}/cancel`).bearerToken(cashier)
    unkeyed.assertStatus(409)
    assert.equal(unkeyed.body().errors[0].code, 'sale_voided')
  })

  test('a product deleted or archived, retried: the first answer again', async ({ client, assert }) => {
    const fixture = await createStore()
    const manager = await apiToken(client, fixture.users.manager)
    const unsold = await createProduct(fixture, { price: 100, stock: 0 })
    const key = 'delete-' + crypto.randomUUID()
    const deleted = await client.delete(`/api/products/${unsold.id}`).bearerToken(manager).header('Idempotency-Key', key)
    deleted.assertStatus(204)
    ;(await client.delete(`/api/products/${unsold.id}`).bearerToken(manager).header('Idempotency-Key', key)).assertStatus(204)
    assert.equal(await countRows('products', { id: unsold.id }), 0)

    const sold = await createProduct(fixture, { price: 100, stock: 5 })
    const cashier = await apiToken(client, fixture.users.cashier)
    ;(await client.post('/api/sales').bearerToken(cashier).json({ items: [{ product_id: sold.id, quantity: 1 }], payment_method: 'card_external' })).assertStatus(201)
    const archiveKey = 'archive-' + crypto.randomUUID()
    const archived = await client.delete(`/api/products/${sold.id}`).bearerToken(manager).header('Idempotency-Key', archiveKey)
    archived.assertStatus(200)
    assert.isTrue(archived.body().archived)
    const again = await client.delete(`/api/products/${sold.id}`).bearerToken(manager).header('Idempotency-Key', archiveKey)
    again.assertStatus(200)
    assert.deepEqual(again.body(), archived.body())
    assert.equal(await countRows('audit_logs', { action: 'product_archived', subject_id: sold.id }), 1)

    // Without a key, deleting it again answers the archived product and changes nothing: it
    // archived it anew, its archive time moved to now and a second product_archived was written
    const archivedAt = (await db.from('products').where('id', sold.id).firstOrFail()).archived_at
    await new Promise((resolve) => setTimeout(resolve, 1100))
    const unkeyed = await client.delete(`/api/products/${sold.id}`).bearerToken(manager)
    unkeyed.assertStatus(200)
    assert.deepEqual(unkeyed.body(), archived.body())
    assert.equal(String((await db.from('products').where('id', sold.id).firstOrFail()).archived_at), String(archivedAt))
    assert.equal(await countRows('audit_logs', { action: 'product_archived', subject_id: sold.id }), 1)
  })
})
