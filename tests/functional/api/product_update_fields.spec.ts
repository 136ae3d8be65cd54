import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { apiToken, createProduct, createStore } from '#tests/fixtures'
import { submit } from '#tests/functional/backoffice/helpers'

/*
| product_updated records every field an edit changed, old and new (money in minor units, as every
| audit entry holds amounts), and nothing when nothing changed. It recorded price, cost, tax class
| and stock only: a renamed product, a new SKU or barcode, a move to another category or taking it
| off sale left no trace.
*/

async function entries(storeId: number) {
  const rows = await db.from('audit_logs').where({ store_id: storeId, action: 'product_updated' }).orderBy('id').select('data')
  return rows.map((row) => JSON.parse(row.data))
}

test.group('product_updated: every field that changed', () => {
  test('API: name, SKU, barcodes, category, price, cost, tax class, active and stock, each old and new', async ({ client, assert }) => {
    const fixture = await createStore()
    const product = await createProduct(fixture, { name: 'Kettle', sku: `KET-${fixture.tag}`, price: 2500, cost: 1000, stock: 10, barcode: '4006381333931' })
    const token = await apiToken(client, fixture.users.manager)
    const response = await client.put(`/api/products/${product.id}`).bearerToken(token).json({
      name: 'Steel Kettle', sku: `KET2-${fixture.tag}`, barcodes: ['5901234123457'], category: 'Kitchen', price: 2750, cost: 900, tax_class: 'reduced', active: false, stock: 8,
    })
    response.assertStatus(200)
    assert.deepEqual(await entries(fixture.store.id), [{
      name: { from: 'Kettle', to: 'Steel Kettle' },
      sku: { from: `KET-${fixture.tag}`, to: `KET2-${fixture.tag}` },
      barcodes: { from: ['4006381333931'], to: ['5901234123457'] },
      category: { from: 'General', to: 'Kitchen' },
      price: { from: 2500, to: 2750 },
      cost: { from: 1000, to: 900 },
      tax_class: { from: 'standard', to: 'reduced' },
      active: { from: true, to: false },
      stock: { from: 10, to: 8 },
    }])

    // The same values again: nothing changed, nothing recorded
    const same = await client.put(`/api/products/${product.id}`).bearerToken(token).json({
      name: 'Steel Kettle', sku: `KET2-${fixture.tag}`, barcodes: ['5901234123457'], category: 'kitchen', price: 2750, cost: 900, tax_class: 'reduced', active: false, stock: 8,
    })
    same.assertStatus(200)
    assert.lengthOf(await entries(fixture.store.id), 1)
  })

  test('the back office form: an unchanged save records nothing; a rename alone is recorded', async ({ client, assert }) => {
    const fixture = await createStore()
    const product = await createProduct(fixture, { name: 'Mug', price: 500, cost: 200, stock: 3, barcode: '4006381333931' })
    const form = (name: string) => ({ name, sku: product.sku, barcodes: '4006381333931', category_id: String(fixture.category.id), price: '5.00', cost: '2.00', tax_class: 'standard', stock: '3', stock_was: '3', active: ['', 'on'] })
    ;(await submit(client, fixture.users.manager, 'put', `/backoffice/products/${product.id}`, form('Mug'))).assertStatus(302)
    assert.deepEqual(await entries(fixture.store.id), [])
    ;(await submit(client, fixture.users.manager, 'put', `/backoffice/products/${product.id}`, form('Big Mug'))).assertStatus(302)
    assert.deepEqual(await entries(fixture.store.id), [{ name: { from: 'Mug', to: 'Big Mug' } }])
  })
})
