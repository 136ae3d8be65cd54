import { test } from '@japa/runner'
import { createProduct, createStore, type TestStore } from '#tests/fixtures'
import { REGISTER_COOKIE } from '#sales/till_screen_service'

/*
| A new store's till showed "No products in this category." under "All", in one narrow grid cell:
| the cashier could not tell that the store has no products yet, nor where they are added.
*/

function grid(client: any, fixture: TestStore, query = '') {
  return client.get(`/till/grid${query}`).loginAs(fixture.users.cashier).withCookie(REGISTER_COOKIE, String(fixture.register.id)).header('HX-Request', 'true')
}

test.group('Till: the product buttons when there are none', () => {
  test('a store without products says so and where they are added; an empty category says the category is empty', async ({ client, assert }) => {
    const fixture = await createStore()
    const all = await grid(client, fixture)
    all.assertStatus(200)
    assert.include(all.text(), '<p class="hint grid-note">No products to sell yet: a manager adds them in the back office, under Products.</p>')

    const tea = await createProduct(fixture, { name: 'Green Tea', price: 450, stock: 5 })
    const some = await grid(client, fixture)
    assert.include(some.text(), 'Green Tea')
    assert.notInclude(some.text(), 'No products to sell yet')
    const otherCategory = await grid(client, fixture, `?category=${Number(tea.categoryId) + 100000}`)
    assert.include(otherCategory.text(), '<p class="hint grid-note">No products in this category.</p>')
  })
})
