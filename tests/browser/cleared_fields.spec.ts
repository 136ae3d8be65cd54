import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { createProduct, createStore, PASSWORD } from '#tests/fixtures'

/*
| An edit form with a required field cleared and saved is refused at that field. The body parser
| turns an empty field into null, and the field component took a flashed null for "nothing
| flashed": the field came back holding the saved value again ("Open POS Demo Grocery" under
| "Enter the name"), as if the cashier's edit were not the one refused.
*/
test.group('A cleared field refused in Chromium', () => {
  test('a store name and a product price cleared come back empty, with the error at the field', async ({ visit, assert }) => {
    const fixture = await createStore()
    const product = await createProduct(fixture, { name: 'Honey Jar', price: 968, stock: 3 })
    const page = await visit('/login')
    await page.getByLabel('Email').fill(fixture.users.admin.email)
    await page.getByLabel('Password').fill(PASSWORD)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.waitForURL('**/backoffice')

    await page.goto(new URL(`/backoffice/stores/${fixture.store.id}/edit`, page.url()).href)
    const store = page.locator(`form[action^="/backoffice/stores/${fixture.store.id}?"]`)
    await store.locator('input[name="name"]').fill('')
    await store.locator('button[type="submit"]').click()
    await page.waitForLoadState('load')
    await store.locator('[data-error-for="name"]').waitFor()
    assert.equal(await store.locator('input[name="name"]').inputValue(), '')
    // What was typed in the other fields still comes back as typed
    assert.equal(await store.locator('input[name="currency"], select[name="currency"]').inputValue(), 'USD')

    await page.goto(new URL(`/backoffice/products/${product.id}/edit`, page.url()).href)
    await page.getByLabel('Price').fill('')
    await page.getByLabel('Name').fill('Honey Jar, large')
    await page.locator('main form button[type="submit"]').first().click()
    await page.waitForLoadState('load')
    await page.locator('[data-error-for="price"]').waitFor()
    assert.equal(await page.getByLabel('Price').inputValue(), '')
    assert.equal(await page.getByLabel('Name').inputValue(), 'Honey Jar, large')
    const saved = await db.from('products').where('id', product.id).firstOrFail()
    assert.deepEqual([saved.name, saved.price], ['Honey Jar', 968])
  })
})
