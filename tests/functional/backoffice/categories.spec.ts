import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import Category from '#models/category'
import Product from '#models/product'
import { createProduct, createStore } from '#tests/fixtures'
import { reopen, submit } from '#tests/functional/backoffice/helpers'

const NEW = '/backoffice/categories/create'

test.group('Back office: categories', () => {
  test('a manager creates, lists and edits categories', async ({ client, assert }) => {
    const fixture = await createStore()
    const form = await client.get(NEW).loginAs(fixture.users.manager)
    form.assertStatus(200)
    assert.include(form.text(), 'name="name"')

    const created = await submit(client, fixture.users.manager, 'post', '/backoffice/categories', { name: 'Hot Drinks', color: '#aa3300', position: '2' }, NEW)
    created.assertStatus(302)
    created.assertHeader('location', '/backoffice/categories')
    const category = await Category.query().where({ store_id: fixture.store.id, name: 'Hot Drinks' }).firstOrFail()
    assert.equal(category.color, '#aa3300')
    assert.equal(category.position, 2)

    const list = await client.get('/backoffice/categories').loginAs(fixture.users.manager)
    list.assertStatus(200)
    assert.include(list.text(), 'Hot Drinks')
    assert.include(list.text(), 'General')

    const edit = await client.get(`/backoffice/categories/${category.id}/edit`).loginAs(fixture.users.manager)
    assert.include(edit.text(), 'value="Hot Drinks"')
    const updated = await submit(client, fixture.users.manager, 'put', `/backoffice/categories/${category.id}`, { name: 'Warm Drinks', color: '', position: '' })
    updated.assertStatus(302)
    await category.refresh()
    assert.equal(category.name, 'Warm Drinks')
    assert.isNull(category.color)
  })

  test('a name already used in the store is an error on the name field; another store may use it', async ({ client, assert }) => {
    const fixture = await createStore()
    const response = await submit(client, fixture.users.manager, 'post', '/backoffice/categories', { name: 'general' }, NEW)
    response.assertStatus(302)
    response.assertHeader('location', NEW)
    assert.match(response.flashMessage('inputErrorsBag').name[0], /already exists/)
    const count = await db.from('categories').where('store_id', fixture.store.id).count('* as n').first()
    assert.equal(Number(count.n), 1)
    const page = await reopen(client, fixture.users.manager, NEW, response)
    assert.include(page.text(), 'id="field-name-error"')
    assert.include(page.text(), 'value="general"')

    const other = await createStore()
    const elsewhere = await submit(client, other.users.manager, 'post', '/backoffice/categories', { name: 'Snacks' })
    elsewhere.assertFlashMissing('inputErrorsBag')
    const again = await submit(client, fixture.users.manager, 'post', '/backoffice/categories', { name: 'Snacks' })
    again.assertFlashMissing('inputErrorsBag')

    const bad = await submit(client, fixture.users.manager, 'post', '/backoffice/categories', { name: 'Colours', color: 'red' }, NEW)
    assert.property(bad.flashMessage('inputErrorsBag'), 'color')
  })

  test('deleting a category leaves its products uncategorised', async ({ client, assert }) => {
    const fixture = await createStore()
    const product = await createProduct(fixture)
    assert.equal(product.categoryId, fixture.category.id)
    const response = await submit(client, fixture.users.manager, 'delete', `/backoffice/categories/${fixture.category.id}`)
    response.assertStatus(302)
    assert.include(response.flashMessage('notice'), '1 product')
    assert.isNull(await Category.find(fixture.category.id))
    const reloaded = await Product.findOrFail(product.id)
    assert.isNull(reloaded.categoryId)
  })

  test('a cashier and an accountant may not manage categories', async ({ client, assert }) => {
    const fixture = await createStore()
    ;(await client.get('/backoffice/categories').loginAs(fixture.users.cashier)).assertStatus(403)
    ;(await client.get('/backoffice/categories').loginAs(fixture.users.accountant)).assertStatus(403)
    const refused = await submit(client, fixture.users.accountant, 'delete', `/backoffice/categories/${fixture.category.id}`)
    refused.assertStatus(403)
    assert.isNotNull(await Category.find(fixture.category.id))
  })
})
