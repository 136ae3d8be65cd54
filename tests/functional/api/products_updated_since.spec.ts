import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { apiToken, createProduct, createStore, type TestStore } from '#tests/fixtures'
import { submit } from '#tests/functional/backoffice/helpers'

/*
| GET /api/products?updated_since=: what changed since a moment, for a shop that mirrors the
| catalog. Archived products come too (archived: true), whatever `archived` says, so that the
| mirror learns of the archiving; the order is by id (a product changed while the pages are read
| keeps its place), each page after the last id of the one before (after_id). Every change of
| what the API's product carries lists it: its fields and barcodes and its category's name (its
| updated_at), its stock (a sale, a refund, a void: a dated movement of the stock ledger).
*/

/** Sets products' updated_at and their stock movements to a moment long past, so that a change after it shows */
async function aged(ids: number[], at = '2020-01-01 00:00:00') {
  await db.from('products').whereIn('id', ids).update({ updated_at: at })
  await db.from('stock_movements').whereIn('product_id', ids).update({ created_at: at })
}

/** The ids GET /api/products lists as changed since 2021 (the aged ones are not, until changed) */
async function changedSince2021(client: any, token: string, fixture: TestStore) {
  const response = await client.get('/api/products').bearerToken(token).qs({ updated_since: '2021-01-01T00:00:00Z', per_page: 100 })
  response.assertStatus(200)
  const ids = response.body().data.map((p: any) => p.id)
  const mine = await db.from('products').where('store_id', fixture.store.id).select('id')
  return ids.filter((id: number) => mine.some((row) => Number(row.id) === id))
}

test.group('API: products updated since a moment', () => {
  test('lists the products updated at or after it (the whole second), archived ones too, by id, paged by after_id; the offset and a + read as a space are taken', async ({ client, assert }) => {
    const fixture = await createStore()
    const token = await apiToken(client, fixture.users.manager)
    const [first, second, third] = [await createProduct(fixture), await createProduct(fixture), await createProduct(fixture)]
    await aged([first.id], '2026-01-01 10:00:00')
    await aged([second.id], '2026-01-02 00:00:00')
    await aged([third.id], '2026-01-03 08:30:00')
    // The third archived: sold once (so it is archived, not deleted), then its updated_at set back
    ;(await client.post('/api/sales').bearerToken(token).json({ items: [{ product_id: third.id, quantity: 1 }], payment_method: 'card_external' })).assertStatus(201)
    ;(await client.delete(`/api/products/${third.id}`).bearerToken(token)).assertStatus(200)
    await aged([third.id], '2026-01-03 08:30:00')

    const since = async (value: string, more: Record<string, unknown> = {}) => {
      const response = await client.get('/api/products').bearerToken(token).qs({ updated_since: value, ...more })
      response.assertStatus(200)
      return response
    }
    for (const value of ['2026-01-02T00:00:00Z', '2026-01-02T00:00:00.900Z', '2026-01-02T01:00:00+01:00', '2026-01-02T01:00:00 01:00', '2026-01-01T19:00:00-05:00', '2026-01-02T00:00:00']) {
      const listed = (await since(value)).body().data
      assert.deepEqual(listed.map((p: any) => p.id), [second.id, third.id], value)
    }
    const listed = (await since('2026-01-02T00:00:00Z')).body().data
    assert.containsSubset(listed[1], { id: third.id, archived: true, active: false, updated_at: '2026-01-03T08:30:00Z' })
    assert.equal(listed[0].updated_at, '2026-01-02T00:00:00Z')
    // archived=false does not hide an archived product from a sync
    assert.deepEqual((await since('2026-01-02T00:00:00Z', { archived: false })).body().data.map((p: any) => p.id), [second.id, third.id])
    // With the other filters, and paged by id: the next page is after the last id of the one before
    const firstPage = await since('2026-01-01T00:00:00Z', { per_page: 2, category_id: fixture.category.id })
    assert.deepEqual(firstPage.body().data.map((p: any) => p.id), [first.id, second.id])
    assert.containsSubset(firstPage.body().meta, { total: 3, per_page: 2, next_after_id: second.id })
    // A product of the first page leaving the list meanwhile (out of the category asked for) moves
    // none onto the page read already, as an offset (page=2) did: the third would have been skipped
    await db.from('products').where('id', first.id).update({ category_id: null })
    const paged = await since('2026-01-01T00:00:00Z', { per_page: 2, after_id: firstPage.body().meta.next_after_id, category_id: fixture.category.id })
    assert.deepEqual(paged.body().data.map((p: any) => p.id), [third.id])
    assert.containsSubset(paged.body().meta, { per_page: 2, next_after_id: null })
    // page is an offset, which a list of changes does not take; after_id needs updated_since
    const offset = await client.get('/api/products').bearerToken(token).qs({ updated_since: '2026-01-01T00:00:00Z', page: 2 })
    offset.assertStatus(422)
    assert.equal(offset.body().errors[0].field, 'page')
    const alone = await client.get('/api/products').bearerToken(token).qs({ after_id: first.id })
    alone.assertStatus(422)
    assert.equal(alone.body().errors[0].field, 'after_id')
    assert.deepEqual((await since('2026-01-03T08:30:01Z')).body().data, [])
    // Without updated_since, the list is as it was: by name, archived ones left out
    const plain = await client.get('/api/products').bearerToken(token).qs({ category_id: fixture.category.id })
    assert.notInclude(plain.body().data.map((p: any) => p.id), third.id)
  })

  test('a value that is not an ISO 8601 time is a 422 on updated_since', async ({ client, assert }) => {
    const fixture = await createStore()
    const token = await apiToken(client, fixture.users.cashier)
    for (const value of ['yesterday', '2026-01-02', '2026-13-01T00:00:00Z', '2026-02-30T00:00:00Z', '2026-01-02T25:00:00Z', '1700000000', '', '0000-01-01T00:00:00+01:00']) {
      const response = await client.get('/api/products').bearerToken(token).qs({ updated_since: value })
      assert.equal(response.status(), 422, value)
      assert.equal(response.body().errors[0].field, 'updated_since', value)
      assert.include(response.body().errors[0].message, '2026-', value)
    }
  })

  test('every change the API’s product shows lists it: a PUT of its barcodes alone, a sale, a refund and a void of its stock, its category renamed or deleted', async ({ client, assert }) => {
    const fixture = await createStore()
    const token = await apiToken(client, fixture.users.manager)
    const tea = await createProduct(fixture, { stock: 50 })
    const listed = () => changedSince2021(client, token, fixture)

    await aged([tea.id])
    assert.deepEqual(await listed(), [])
    ;(await client.put(`/api/products/${tea.id}`).bearerToken(token).json({ barcodes: ['4006381333931'] })).assertStatus(200)
    assert.deepEqual(await listed(), [tea.id], 'barcodes')

    await aged([tea.id])
    const sale = await client.post('/api/sales').bearerToken(token).json({ items: [{ product_id: tea.id, quantity: 2 }], payment_method: 'card_external' })
    sale.assertStatus(201)
    assert.deepEqual(await listed(), [tea.id], 'a sale')

    await aged([tea.id])
    ;(await client.post(`/api/sales/${sale.body().id}/refunds`).bearerToken(token).json({ items: [{ sale_item_id: sale.body().items[0].id, quantity: 1 }], reason: 'Damaged box' })).assertStatus(201)
    assert.deepEqual(await listed(), [tea.id], 'a refund back to stock')

    const another = await client.post('/api/sales').bearerToken(token).json({ items: [{ product_id: tea.id, quantity: 1 }], payment_method: 'card_external' })
    another.assertStatus(201)
    await aged([tea.id])
    ;(await client.post(`/api/sales/${another.body().id}/void`).bearerToken(token).json({ reason: 'Rung up twice' })).assertStatus(200)
    assert.deepEqual(await listed(), [tea.id], 'a void')

    await aged([tea.id])
    const renamed = await submit(client, fixture.users.manager, 'put', `/backoffice/categories/${fixture.category.id}`, { name: 'Teas', position: 0 }, '/backoffice/categories')
    renamed.assertStatus(302)
    assert.equal((await db.from('categories').where('id', fixture.category.id).first()).name, 'Teas')
    assert.deepEqual(await listed(), [tea.id], 'its category renamed')

    await aged([tea.id])
    ;(await submit(client, fixture.users.manager, 'delete', `/backoffice/categories/${fixture.category.id}`, {}, '/backoffice/categories')).assertStatus(302)
    assert.deepEqual(await listed(), [tea.id], 'its category deleted')
    assert.isNull((await client.get(`/api/products/${tea.id}`).bearerToken(token)).body().category_id)
  })
})
