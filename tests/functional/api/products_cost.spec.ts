import { test } from '@japa/runner'
import { apiToken, createProduct, createStore } from '#tests/fixtures'

/*
| What a product cost the store is for those who manage products: the offline catalog leaves it out
| on purpose, and GET /api/products gave it to every cashier.
*/

test.group('API products: the cost', () => {
  test('only those who may manage products read a product’s cost, in the list and alone', async ({ client, assert }) => {
    const fixture = await createStore()
    const tea = await createProduct(fixture, { price: 500, cost: 213 })
    for (const role of ['cashier', 'accountant'] as const) {
      const token = await apiToken(client, fixture.users[role])
      const list = await client.get('/api/products').bearerToken(token)
      list.assertStatus(200)
      const listed = list.body().data.find((p: any) => p.id === tea.id)
      assert.equal(listed.price, 500, role)
      assert.notProperty(listed, 'cost', role)
      const one = await client.get(`/api/products/${tea.id}`).bearerToken(token)
      one.assertStatus(200)
      assert.notProperty(one.body(), 'cost', role)
    }
    for (const role of ['manager', 'admin'] as const) {
      const token = await apiToken(client, fixture.users[role])
      const list = await client.get('/api/products').bearerToken(token)
      assert.equal(list.body().data.find((p: any) => p.id === tea.id).cost, 213, role)
      const one = await client.get(`/api/products/${tea.id}`).bearerToken(token)
      assert.equal(one.body().cost, 213, role)
    }
  })
})
