import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { apiToken, countRows, createProduct, createStore, errorFields } from '#tests/fixtures'
import { submit } from '#tests/functional/backoffice/helpers'
import { SKU_TEXT_MESSAGE } from '#validators/fields'

/*
| A name, a SKU, a reference or a reason is one line: a line break in it printed a line of its
| own on the paper receipt ("Milk\nTOTAL 0.00" added a fake total under the real lines). Notes
| and addresses keep their lines; a browser's CR LF is kept as LF.
*/

const BREAKS = ['Milk\nTOTAL 0.00', 'Bob\r\nVOID', 'Cr\rlf', 'Line\u2028separator']

test.group('Single-line fields refuse line breaks', () => {
  test('product, category and customer names, SKUs, references and reasons refuse a line break, writing nothing', async ({ client, assert }) => {
    const fixture = await createStore()
    const tea = await createProduct(fixture, { price: 500, stock: 10 })
    const manager = await apiToken(client, fixture.users.manager)
    const before = { products: await countRows('products', { store_id: fixture.store.id }), customers: await countRows('customers', { store_id: fixture.store.id }) }

    for (const text of BREAKS) {
      const cases: [string, 'post' | 'put', Record<string, unknown>, string][] = [
        ['/api/products', 'post', { name: text, sku: 'ONE-LINE-1', price: 100 }, 'name'],
        ['/api/products', 'post', { name: 'Tea', sku: 'ONE-LINE-2', price: 100, category: text }, 'category'],
        [`/api/products/${tea.id}`, 'put', { name: text }, 'name'],
        ['/api/customers', 'post', { name: text }, 'name'],
        ['/api/sales', 'post', { items: [{ product_id: tea.id, quantity: 1 }], payment_method: 'card_external', reference: text }, 'reference'],
        ['/api/stock/receipts', 'post', { supplier: text, items: [{ product_id: tea.id, quantity: 1, unit_cost: 100 }] }, 'supplier'],
        ['/api/refunds', 'post', { items: [{ product_id: tea.id, quantity: 1 }], reason: text }, 'reason'],
      ]
      for (const [path, method, body, field] of cases) {
        const response = await client[method](path).bearerToken(manager).json(body)
        response.assertStatus(422)
        assert.deepEqual(errorFields(response), [field], `${path} ${JSON.stringify(text)}`)
      }
    }
    // A SKU takes no control character either (it took a NUL: only white space was refused)
    const sku = await client.post('/api/products').bearerToken(manager).json({ name: 'Tea', sku: 'TEA\u0000X', price: 100 })
    sku.assertStatus(422)
    assert.deepEqual(errorFields(sku), ['sku'])
    assert.equal(sku.body().errors[0].message, SKU_TEXT_MESSAGE)

    assert.deepEqual({ products: await countRows('products', { store_id: fixture.store.id }), customers: await countRows('customers', { store_id: fixture.store.id }) }, before)
    assert.equal(await countRows('sales', { store_id: fixture.store.id }), 0)
    assert.equal(await countRows('stock_receipts', { store_id: fixture.store.id }), 0)
    assert.equal((await db.from('products').where('id', tea.id).first()).name, tea.name)
  })

  test('a store’s and a register’s names, set in the back office, are one line too', async ({ client, assert }) => {
    const fixture = await createStore()
    const admin = fixture.users.admin
    const edit = `/backoffice/stores/${fixture.store.id}/edit`
    const store = await submit(client, admin, 'put', `/backoffice/stores/${fixture.store.id}`, { name: 'Corner\nShop', currency: 'USD', time_zone: 'America/New_York', cash_rounding: '1' }, edit)
    store.assertStatus(302)
    assert.deepEqual(Object.keys(store.flashMessages().inputErrorsBag ?? {}), ['name'])
    const register = await submit(client, admin, 'put', `/backoffice/stores/${fixture.store.id}/registers/${fixture.register.id}`, { name: 'Till\r\n2' }, edit)
    register.assertStatus(302)
    assert.deepEqual(Object.keys(register.flashMessages().inputErrorsBag ?? {}), ['name'])
    assert.equal((await db.from('stores').where('id', fixture.store.id).first()).name, fixture.store.name)
    assert.equal((await db.from('registers').where('id', fixture.register.id).first()).name, 'Register 1')
  })

  test('a note keeps its lines, a browser’s CR LF kept as LF; other control characters are still refused', async ({ client, assert }) => {
    const fixture = await createStore()
    const tea = await createProduct(fixture, { stock: 10 })
    const manager = await apiToken(client, fixture.users.manager)
    const customer = await client.post('/api/customers').bearerToken(manager).json({ name: 'Ada', notes: 'Prefers email\r\nNo calls\rafter 6' })
    customer.assertStatus(201)
    assert.equal(customer.body().notes, 'Prefers email\nNo calls\nafter 6')
    const adjusted = await client.post('/api/stock/adjustments').bearerToken(manager).json({ reason: 'damaged', note: 'Dropped\r\nby the door', items: [{ product_id: tea.id, quantity: -1 }] })
    adjusted.assertStatus(201)
    assert.equal((await db.from('stock_adjustments').where('store_id', fixture.store.id).first()).note, 'Dropped\nby the door')
    const tab = await client.post('/api/customers').bearerToken(manager).json({ name: 'Bo', notes: 'a\tb' })
    tab.assertStatus(422)
    assert.deepEqual(errorFields(tab), ['notes'])
  })
})
