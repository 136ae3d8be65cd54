import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import Product from '#models/product'
import { apiToken, createProduct, createStore } from '#tests/fixtures'
import { ean13 } from '#core/barcode'
import { reopen, sellFor, submit } from '#tests/functional/backoffice/helpers'

const NEW = '/backoffice/products/new'

function productForm(overrides: Record<string, unknown> = {}) {
  return {
    name: 'Blue Mug',
    sku: `MUG-${Math.random().toString(36).slice(2, 10)}`,
    barcodes: '',
    category_id: '',
    price: '12.99',
    cost: '4.5',
    tax_class: 'standard',
    stock: '7',
    // the checkbox component sends a hidden "" before the box
    active: ['', 'on'],
    ...overrides,
  }
}

async function productCount(storeId: number) {
  const row = await db.from('products').where('store_id', storeId).count('* as n').first()
  return Number(row.n)
}

test.group('Back office: products', () => {
  test('a manager creates a product: decimal prices become minor units, barcodes a list, stock a ledger entry', async ({ client, assert }) => {
    const fixture = await createStore()
    const page = await client.get(NEW).loginAs(fixture.users.manager)
    page.assertStatus(200)
    assert.include(page.text(), 'name="sku"')
    assert.include(page.text(), 'Reduced (2%)')
    assert.include(page.text(), '>General</option>')

    const code = ean13('401234567890')
    const response = await submit(client, fixture.users.manager, 'post', '/backoffice/products', productForm({
      sku: 'MUG-1', barcodes: `${code}, INT-77`, category_id: String(fixture.category.id), tax_class: 'reduced',
    }), NEW)
    response.assertStatus(302)
    response.assertHeader('location', '/backoffice/products')
    assert.include(response.flashMessage('notice'), 'Blue Mug')

    const product = await Product.query().where({ store_id: fixture.store.id, sku: 'MUG-1' }).preload('barcodes').firstOrFail()
    assert.equal(product.price, 1299)
    assert.equal(product.cost, 450)
    assert.equal(product.taxClass, 'reduced')
    assert.equal(product.categoryId, fixture.category.id)
    assert.equal(product.stock, 7)
    assert.isTrue(product.active)
    assert.sameMembers(product.barcodes.map((b) => b.code), [code, 'INT-77'])
    const movements = await db.from('stock_movements').where('product_id', product.id).select('quantity', 'reason')
    assert.deepEqual(movements, [{ quantity: 7, reason: 'initial' }])

    const list = await client.get('/backoffice/products?search=blue').loginAs(fixture.users.manager)
    list.assertStatus(200)
    assert.include(list.text(), 'Blue Mug')
    assert.include(list.text(), '$12.99')
    assert.include(list.text(), `${code}, INT-77`)
  })

  test('editing shows decimals, saves changes, and a changed stock figure becomes an adjustment', async ({ client, assert }) => {
    const fixture = await createStore()
    const product = await createProduct(fixture, { name: 'Tea Pot', price: 2500, cost: 1000, stock: 10 })
    const edit = await client.get(`/backoffice/products/${product.id}/edit`).loginAs(fixture.users.manager)
    edit.assertStatus(200)
    assert.include(edit.text(), 'value="25.00"')
    assert.include(edit.text(), 'value="10.00"')
    assert.include(edit.text(), `action="/backoffice/products/${product.id}?_method=PUT"`)

    const response = await submit(client, fixture.users.manager, 'put', `/backoffice/products/${product.id}`, {
      ...productForm({ name: 'Tea Pot XL', sku: product.sku, price: '27.5', cost: '', stock: '4', stock_was: '10', tax_class: 'zero' }),
      active: '',
    })
    response.assertStatus(302)
    response.assertHeader('location', '/backoffice/products')
    await product.refresh()
    assert.equal(product.name, 'Tea Pot XL')
    assert.equal(product.price, 2750)
    assert.equal(product.cost, 0)
    assert.equal(product.taxClass, 'zero')
    assert.equal(product.stock, 4)
    assert.isFalse(product.active)
    assert.isNull(product.categoryId)
    const adjustment = await db.from('stock_movements').where({ product_id: product.id, reason: 'adjustment' }).first()
    assert.equal(adjustment.quantity, -6)
  })

  test('a stock figure left as loaded is not written back over sales made meanwhile', async ({ client, assert }) => {
    const fixture = await createStore()
    const product = await createProduct(fixture, { stock: 10 })
    await sellFor(fixture, [{ product, quantity: 3 }])
    await submit(client, fixture.users.manager, 'put', `/backoffice/products/${product.id}`, productForm({ name: product.name, sku: product.sku, stock: '10', stock_was: '10' }))
      .then((r: any) => r.assertStatus(302))
    await product.refresh()
    assert.equal(product.stock, 7)
  })

  test('a product with a completed sale is archived, not deleted, and can be restored; an unsold one is deleted', async ({ client, assert }) => {
    const fixture = await createStore()
    const sold = await createProduct(fixture, { name: 'Sold Thing' })
    const unsold = await createProduct(fixture, { name: 'Never Sold' })
    const sale = await sellFor(fixture, [{ product: sold, quantity: 1 }])
    assert.equal(sale.status, 'completed')

    const archive = await submit(client, fixture.users.manager, 'delete', `/backoffice/products/${sold.id}`)
    archive.assertStatus(302)
    assert.include(archive.flashMessage('notice'), 'archived')
    await sold.refresh()
    assert.isNotNull(sold.archivedAt)
    assert.isFalse(sold.active)

    const remove = await submit(client, fixture.users.manager, 'delete', `/backoffice/products/${unsold.id}`)
    remove.assertStatus(302)
    assert.include(remove.flashMessage('notice'), 'deleted')
    assert.isNull(await Product.find(unsold.id))

    const hidden = await client.get('/backoffice/products').loginAs(fixture.users.manager)
    assert.notInclude(hidden.text(), 'Sold Thing')
    const shown = await client.get('/backoffice/products?archived=1').loginAs(fixture.users.manager)
    assert.include(shown.text(), 'Sold Thing')
    assert.include(shown.text(), 'Archived')
    assert.include(shown.text(), `action="/backoffice/products/${sold.id}/restore"`)

    const restore = await submit(client, fixture.users.manager, 'post', `/backoffice/products/${sold.id}/restore`)
    restore.assertStatus(302)
    await sold.refresh()
    assert.isNull(sold.archivedAt)
    assert.isTrue(sold.active)
  })

  test('a duplicate SKU lands on the SKU field with the input kept, and nothing is written', async ({ client, assert }) => {
    const fixture = await createStore()
    const existing = await createProduct(fixture, { name: 'First One', sku: 'DUP-1' })
    const before = await productCount(fixture.store.id)

    const response = await submit(client, fixture.users.manager, 'post', '/backoffice/products', productForm({ name: 'Second One', sku: 'DUP-1' }), NEW)
    response.assertStatus(302)
    response.assertHeader('location', NEW)
    const errors = response.flashMessage('inputErrorsBag')
    assert.match(errors.sku[0], /already used by "First One"/)
    assert.equal(await productCount(fixture.store.id), before)

    const form = await reopen(client, fixture.users.manager, NEW, response)
    form.assertStatus(200)
    assert.include(form.text(), 'id="field-sku-error"')
    assert.include(form.text(), 'already used by &quot;First One&quot;')
    assert.include(form.text(), 'value="Second One"')
    assert.include(form.text(), 'value="12.99"')

    // editing another product onto a taken SKU is refused the same way
    const other = await createProduct(fixture, { sku: 'OTHER-1' })
    const edit = await submit(client, fixture.users.manager, 'put', `/backoffice/products/${other.id}`, productForm({ sku: existing.sku }), `/backoffice/products/${other.id}/edit`)
    assert.property(edit.flashMessage('inputErrorsBag'), 'sku')
    await other.refresh()
    assert.equal(other.sku, 'OTHER-1')
  })

  test('an EAN-13 with a wrong check digit lands on the barcodes field, and nothing is written', async ({ client, assert }) => {
    const fixture = await createStore()
    const before = await productCount(fixture.store.id)
    const response = await submit(client, fixture.users.manager, 'post', '/backoffice/products', productForm({ name: 'Bad Code', barcodes: '4006381333932' }), NEW)
    response.assertStatus(302)
    const errors = response.flashMessage('inputErrorsBag')
    assert.property(errors, 'barcodes')
    assert.match(errors.barcodes[0], /check digit should be 1/)
    assert.equal(await productCount(fixture.store.id), before)

    const form = await reopen(client, fixture.users.manager, NEW, response)
    assert.include(form.text(), 'id="field-barcodes-error"')
    assert.include(form.text(), 'value="4006381333932"')
    assert.include(form.text(), 'value="Bad Code"')
  })

  test('a price that is not an amount, or a missing name, is a validation error on its field', async ({ client, assert }) => {
    const fixture = await createStore()
    const response = await submit(client, fixture.users.manager, 'post', '/backoffice/products', productForm({ name: '', price: '12,99x' }), NEW)
    response.assertStatus(302)
    const errors = response.flashMessage('inputErrorsBag')
    assert.property(errors, 'price')
    assert.property(errors, 'name')
    const tooPrecise = await submit(client, fixture.users.manager, 'post', '/backoffice/products', productForm({ price: '1.999' }), NEW)
    assert.property(tooPrecise.flashMessage('inputErrorsBag'), 'price')
    const badTax = await submit(client, fixture.users.manager, 'post', '/backoffice/products', productForm({ tax_class: 'luxury' }), NEW)
    assert.property(badTax.flashMessage('inputErrorsBag'), 'tax_class')
    // On the form's own field (it was flashed as "category", which no field shows)
    const noCategory = await submit(client, fixture.users.manager, 'post', '/backoffice/products', productForm({ category_id: '999999' }), NEW)
    assert.deepEqual(noCategory.flashMessage('inputErrorsBag').category_id, ['This category does not exist'])
    const worded = await submit(client, fixture.users.manager, 'post', '/backoffice/products', productForm({ price: 'abc' }), NEW)
    assert.deepEqual(worded.flashMessage('inputErrorsBag').price, ['Enter the price as a number of 0 or more, such as 12.50'])
    // Past what a line may carry, as the API says (the form let 9,999,999.99 through)
    const tooHigh = await submit(client, fixture.users.manager, 'post', '/backoffice/products', productForm({ price: '9999999.99', cost: '1000000.01' }), NEW)
    assert.deepEqual(tooHigh.flashMessage('inputErrorsBag').price, ['The price can be at most $1,000,000.00'])
    const costly = await submit(client, fixture.users.manager, 'post', '/backoffice/products', productForm({ price: '1000000.00', cost: '1000000.01' }), NEW)
    assert.deepEqual(costly.flashMessage('inputErrorsBag').cost, ['The cost can be at most $1,000,000.00'])
    assert.equal(await productCount(fixture.store.id), 0)
  })

  test('a price or cost of more than 7 digits is refused at its field with the limit, on the form (new and edit) and the API', async ({ client, assert }) => {
    const fixture = await createStore()
    const product = await createProduct(fixture, { price: 300 })
    const created = await submit(client, fixture.users.manager, 'post', '/backoffice/products', productForm({ price: '12345678', cost: '123456789012345678901234.50' }), NEW)
    assert.deepEqual(created.flashMessage('inputErrorsBag').price, ['The price can be at most $1,000,000.00'])
    const costly = await submit(client, fixture.users.manager, 'post', '/backoffice/products', productForm({ cost: '100000000' }), NEW)
    assert.deepEqual(costly.flashMessage('inputErrorsBag').cost, ['The cost can be at most $1,000,000.00'])
    const edited = await submit(client, fixture.users.manager, 'put', `/backoffice/products/${product.id}`, productForm({ name: product.name, sku: product.sku, price: '99999999.99' }), `/backoffice/products/${product.id}/edit`)
    assert.deepEqual(edited.flashMessage('inputErrorsBag').price, ['The price can be at most $1,000,000.00'])
    // The API takes minor units: its refusal names the limit in them
    const token = await apiToken(client, fixture.users.manager)
    const api = await client.post('/api/products').bearerToken(token).json({ name: 'Pen', sku: 'PEN-1', price: 12_345_678_901 })
    api.assertStatus(422)
    assert.deepEqual(api.body().errors.map((e: any) => [e.field, e.message]), [['price', 'The price can be at most 100000000 (in minor units, such as cents)']])
    const put = await client.put(`/api/products/${product.id}`).bearerToken(token).json({ cost: 100_000_001 })
    assert.deepEqual(put.body().errors.map((e: any) => [e.field, e.message]), [['cost', 'The cost can be at most 100000000 (in minor units, such as cents)']])
    assert.equal(await productCount(fixture.store.id), 1)
    assert.equal((await Product.findOrFail(product.id)).price, 300)
  })

  test('a list opened with a page number it cannot use opens without it and says why (it went to the dashboard)', async ({ client, assert }) => {
    const fixture = await createStore()
    for (const page of ['-1', 'abc', '0']) {
      const refused = await client.get(`/backoffice/products?page=${page}&search=mug`).loginAs(fixture.users.manager).redirects(0)
      refused.assertStatus(302)
      // The values it can use stay
      refused.assertHeader('location', '/backoffice/products?search=mug')
      const shown = await client.get('/backoffice/products').loginAs(fixture.users.manager).withFlashMessages(refused.flashMessages())
      shown.assertStatus(200)
      assert.include(shown.text(), 'This page was opened with a value it cannot use (page: ')
    }
    // A page past the last one says so and links to the last
    await createProduct(fixture, { name: 'Only Mug' })
    const past = await client.get('/backoffice/products?page=99').loginAs(fixture.users.manager)
    past.assertStatus(200)
    assert.include(past.text(), 'Page 99 is past the last one · 1 in all')
    assert.include(past.text(), 'href="/backoffice/products?page=1">Go to page 1</a>')
    // Every paged list takes a page past its end
    await sellFor(fixture, [{ product: await createProduct(fixture, { price: 100 }), quantity: 1 }])
    for (const list of ['/backoffice/sales', '/backoffice/customers', '/backoffice/shifts', '/backoffice/audit']) {
      const response = await client.get(`${list}?page=99`).loginAs(fixture.users.admin)
      response.assertStatus(200)
    }
  })

  test('HTML in a product name is escaped in the list', async ({ client, assert }) => {
    const fixture = await createStore()
    await createProduct(fixture, { name: '<script>alert("x")</script> Cookie' })
    const list = await client.get('/backoffice/products').loginAs(fixture.users.manager)
    list.assertStatus(200)
    assert.notInclude(list.text(), '<script>alert')
    assert.include(list.text(), '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; Cookie')
  })

  test('the list pages by 25 and searches by name', async ({ client, assert }) => {
    const fixture = await createStore()
    for (let i = 1; i <= 27; i++) await createProduct(fixture, { name: `Widget ${String(i).padStart(2, '0')}` })
    await createProduct(fixture, { name: 'Zebra Crayon' })
    const first = await client.get('/backoffice/products').loginAs(fixture.users.manager)
    assert.include(first.text(), 'Widget 01')
    assert.include(first.text(), 'Widget 25')
    assert.notInclude(first.text(), 'Widget 26')
    assert.include(first.text(), 'Page 1 of 2')
    assert.include(first.text(), 'href="/backoffice/products?page=2"')
    const second = await client.get('/backoffice/products?page=2').loginAs(fixture.users.manager)
    assert.include(second.text(), 'Widget 26')
    assert.include(second.text(), 'Zebra Crayon')
    const search = await client.get('/backoffice/products?search=zeb').loginAs(fixture.users.manager)
    assert.include(search.text(), 'Zebra Crayon')
    assert.notInclude(search.text(), 'Widget 01')
  })

  test('roles: a cashier gets 403 in the back office; an accountant sees products but may not edit them', async ({ client, assert }) => {
    const fixture = await createStore()
    const product = await createProduct(fixture)
    for (const url of ['/backoffice', '/backoffice/products', '/backoffice/sales', NEW, '/backoffice/categories']) {
      const response = await client.get(url).loginAs(fixture.users.cashier)
      response.assertStatus(403)
    }
    // A refused form post answers 403 too, and writes nothing
    const before = await productCount(fixture.store.id)
    const post = await submit(client, fixture.users.cashier, 'post', '/backoffice/products', productForm())
    post.assertStatus(403)
    assert.equal(await productCount(fixture.store.id), before)

    const list = await client.get('/backoffice/products').loginAs(fixture.users.accountant)
    list.assertStatus(200)
    assert.notInclude(list.text(), 'New product')
    assert.notInclude(list.text(), `/backoffice/products/${product.id}/edit`)
    ;(await client.get(NEW).loginAs(fixture.users.accountant)).assertStatus(403)
    ;(await submit(client, fixture.users.accountant, 'delete', `/backoffice/products/${product.id}`)).assertStatus(403)
    assert.isNotNull(await Product.find(product.id))
  })

  test('a product of another store is not found', async ({ client }) => {
    const fixture = await createStore()
    const other = await createStore()
    const foreign = await createProduct(other)
    const response = await client.get(`/backoffice/products/${foreign.id}/edit`).loginAs(fixture.users.manager)
    response.assertStatus(404)
  })
})
