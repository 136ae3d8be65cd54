import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import Product from '#models/product'
import { createProduct, createStore, type TestStore } from '#tests/fixtures'
import { submit } from '#tests/functional/backoffice/helpers'

/*
| Money typed in the back office is read by one rule, parseMoney (app/core/money.ts), in the
| store's currency: a store in euros types "1,20". The product form refused it ("such as 12.50")
| while the products CSV took "3,50", and the CSV refused "1,234.50", which the form took.
*/

async function euroStore(): Promise<TestStore> {
  const fixture = await createStore()
  await fixture.store.merge({ currency: 'EUR' }).save()
  return fixture
}

const productForm = (overrides: Record<string, unknown> = {}) => ({
  name: 'Blue Mug', sku: `MUG-${Math.random().toString(36).slice(2, 10)}`, barcodes: '', category_id: '',
  price: '12.99', cost: '4.5', tax_class: 'standard', stock: '7', active: ['', 'on'], ...overrides,
})

async function settled(importId: number) {
  for (;;) {
    const job = await db.from('product_imports').where('id', importId).first()
    if (!['checking', 'running'].includes(job.status)) return { ...job, errors: job.errors ? JSON.parse(job.errors) : [] }
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

test.group('Back office: money typed with a decimal comma', () => {
  test('the product form takes "1,20" and "1.234,50" on new and edit, and refuses a typo with the other fields at once', async ({ client, assert }) => {
    const fixture = await euroStore()
    const created = await submit(client, fixture.users.manager, 'post', '/backoffice/products', productForm({ sku: 'EU-1', price: '1,20', cost: '0,5' }), '/backoffice/products/new')
    assert.deepEqual(created.flashMessage('inputErrorsBag') ?? {}, {})
    const product = await Product.query().where({ store_id: fixture.store.id, sku: 'EU-1' }).firstOrFail()
    assert.deepEqual([product.price, product.cost], [120, 50])

    const edited = await submit(client, fixture.users.manager, 'put', `/backoffice/products/${product.id}`, productForm({ sku: 'EU-1', price: '1.234,50', cost: '1,234.5', stock: '7' }), `/backoffice/products/${product.id}/edit`)
    assert.deepEqual(edited.flashMessage('inputErrorsBag') ?? {}, {})
    await product.refresh()
    assert.deepEqual([product.price, product.cost], [123450, 123450])

    // A typo is refused at its field in the same answer as the missing name; an amount that reads no way, at its field
    const typo = await submit(client, fixture.users.manager, 'post', '/backoffice/products', productForm({ name: '', price: '1,2x' }), '/backoffice/products/new')
    assert.deepEqual(Object.keys(typo.flashMessage('inputErrorsBag')).sort(), ['name', 'price'])
    assert.deepEqual(typo.flashMessage('inputErrorsBag').price, ['Enter the price as a number of 0 or more, such as 12.50'])
    const unreadable = await submit(client, fixture.users.manager, 'post', '/backoffice/products', productForm({ price: '1,2,3' }), '/backoffice/products/new')
    assert.deepEqual(unreadable.flashMessage('inputErrorsBag').price, ['Enter a price like 12.99'])
  })

  test('a delivery’s unit cost "0,70" is 70 cents', async ({ client, assert }) => {
    const fixture = await euroStore()
    const milk = await createProduct(fixture, { name: 'Oat Milk', stock: 2 })
    const response = await submit(client, fixture.users.manager, 'post', '/backoffice/stock/receipts', {
      supplier: 'Dairy Co', 'items[0][code]': milk.sku, 'items[0][quantity]': '12', 'items[0][unit_cost]': '0,70',
    }, '/backoffice/stock/receipts/new')
    assert.deepEqual(response.flashMessage('inputErrorsBag') ?? {}, {})
    const line = await db.from('stock_receipt_lines').where('product_id', milk.id).firstOrFail()
    assert.equal(line.unit_cost, 70)
  })

  test('the products CSV reads amounts by the same rule as the form', async ({ client, assert }) => {
    const fixture = await euroStore()
    const upload = async (lines: string[]) => {
      const response = await client.post('/backoffice/products/import')
        .file('file', Buffer.from(['sku,name,price,cost', ...lines].join('\n'), 'utf8'), { filename: 'p.csv', contentType: 'text/csv' })
        .withCsrfToken().loginAs(fixture.users.manager).redirects(0)
      response.assertStatus(302)
      const id = Number(response.headers().location.split('/').pop())
      return { id, job: await settled(id) }
    }
    const refused = await upload(['CSV-9,Bad,"1,2,3",'])
    assert.deepEqual(refused.job.errors.map((e: any) => e.column), ['price'])
    assert.include(JSON.stringify(refused.job.errors), '1,2,3')

    const good = await upload(['CSV-1,Tea,"3,50","1,234.50"', 'CSV-2,Cake,"1.234,50",'])
    assert.equal(good.job.status, 'previewed', JSON.stringify(good.job.errors))
    ;(await client.post(`/backoffice/products/import/${good.id}/run`).withCsrfToken().loginAs(fixture.users.manager).redirects(0)).assertStatus(302)
    await settled(good.id)
    const rows = await db.from('products').where('store_id', fixture.store.id).whereIn('sku', ['CSV-1', 'CSV-2']).orderBy('sku').select('price', 'cost')
    assert.deepEqual(rows.map((r) => [r.price, r.cost]), [[350, 123450], [123450, 0]])
  })
})
