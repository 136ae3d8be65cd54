import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { apiToken, createProduct, createStore } from '#tests/fixtures'

/*
| A product archived by DELETE /api/products/{id} (it had sales) comes back with PUT
| {active: true}, as the back office's Restore brings it back. The PUT answered 200 and kept it
| archived (`active: false` in the answer it gave), and the API had no other way back: a shop
| that put an item on sale again could not sell it at the till.
*/
test.group('API: an archived product put back on sale', () => {
  test('PUT active: true restores it (listed, sold again, audited); another edit leaves it archived', async ({ client, assert }) => {
    const fixture = await createStore()
    const manager = await apiToken(client, fixture.users.manager)
    const cashier = await apiToken(client, fixture.users.cashier)
    const mug = await createProduct(fixture, { name: 'Mug', price: 800, stock: 10 })
    ;(await client.post('/api/sales').bearerToken(cashier).json({ items: [{ product_id: mug.id, quantity: 1 }], payment_method: 'card_external' })).assertStatus(201)
    const archived = await client.delete(`/api/products/${mug.id}`).bearerToken(manager)
    archived.assertStatus(200)
    assert.isTrue(archived.body().archived)

    // An edit that does not ask for it back keeps it archived
    const repriced = await client.put(`/api/products/${mug.id}`).bearerToken(manager).json({ price: 900 })
    repriced.assertStatus(200)
    assert.deepInclude(repriced.body(), { price: 900, active: false, archived: true })

    const restored = await client.put(`/api/products/${mug.id}`).bearerToken(manager).json({ active: true })
    restored.assertStatus(200)
    assert.deepInclude(restored.body(), { active: true, archived: false })
    const listed = await client.get('/api/products').qs({ search: 'Mug' }).bearerToken(manager)
    assert.deepEqual(listed.body().data.map((p: any) => p.id), [mug.id])
    ;(await client.post('/api/sales').bearerToken(cashier).json({ items: [{ product_id: mug.id, quantity: 1 }], payment_method: 'card_external' })).assertStatus(201)
    const audit = await db.from('audit_logs').where({ store_id: fixture.store.id, action: 'product_updated', subject_id: mug.id }).orderBy('id', 'desc').first()
    assert.deepEqual(JSON.parse(audit.data), { active: { from: false, to: true } })
  })
})
