import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { apiToken, countRows, createProduct, createStore, stockOf } from '#tests/fixtures'
import { submit } from '#tests/functional/backoffice/helpers'

/*
| A transfer names a store the sender need not work in. Its refusals said what that store holds:
| "<its name> has no product with SKU ..." and, for a product it took off sale, "<its name> has
| archived its product with SKU ...", so a manager of one store read another store's catalog and
| which of its products were archived, by the difference between the two answers. A line the
| other store cannot take now gets one answer, on the line, whatever the reason there, naming only
| what the sender sent (their own product and its SKU), never the other store's name or data.
*/

const archive = (productId: number) => db.from('products').where('id', productId).update({ archived_at: new Date(), active: false })

test.group('Stock transfers: a refusal says nothing of the other store', () => {
  test('API: a SKU the other store lacks and one it archived get the same answer, without its name', async ({ client, assert }) => {
    const from = await createStore()
    const to = await createStore()
    const lacked = await createProduct(from, { name: 'Blue Mug', stock: 5 })
    const archived = await createProduct(from, { name: 'Red Mug', stock: 5 })
    await archive((await createProduct(to, { sku: archived.sku, name: 'Their Secret Name', stock: 0 })).id)
    const token = await apiToken(client, from.users.manager)
    const send = (productId: number) => client.post('/api/stock/transfers').bearerToken(token).json({ to_store_id: to.store.id, items: [{ product_id: productId, quantity: 1 }] })

    const answers = [await send(lacked.id), await send(archived.id)]
    for (const answer of answers) {
      answer.assertStatus(422)
      const error = answer.body().errors[0]
      assert.equal(error.field, 'items.0.product_id')
      assert.equal(error.code, 'no_matching_sku')
      assert.notInclude(error.message, to.store.name)
      assert.notInclude(error.message, 'Their Secret Name')
      assert.notMatch(error.message, /archived/i)
    }
    // One answer whatever the reason over there: only the sender's own product differs
    const own = (message: string, product: { sku: string; name: string }) => message.replace(product.sku, 'SKU').replace(product.name, 'NAME')
    assert.equal(own(answers[0].body().errors[0].message, lacked), own(answers[1].body().errors[0].message, archived))
    assert.include(answers[0].body().errors[0].message, lacked.sku)

    // Another store's product named by its id is no product of this store, as an id of none is
    const theirs = await createProduct(to, { name: 'Their Own Tea', stock: 9 })
    const foreign = await send(theirs.id)
    foreign.assertStatus(422)
    assert.deepInclude(foreign.body().errors[0], { field: 'items.0.product_id', code: 'unknown_product' })
    assert.notInclude(foreign.body().errors[0].message, 'Their Own Tea')
    assert.notInclude(foreign.body().errors[0].message, theirs.sku)
    assert.equal(await stockOf(theirs.id), 9)
    assert.equal(await countRows('stock_transfers', { from_store_id: from.store.id }), 0)
  })

  test('the back office form: the same answer on the line\u2019s code, without the other store\u2019s name', async ({ client, assert }) => {
    const from = await createStore()
    const to = await createStore()
    const lacked = await createProduct(from, { stock: 5 })
    const archived = await createProduct(from, { stock: 5 })
    await archive((await createProduct(to, { sku: archived.sku, stock: 0 })).id)
    const messages = []
    for (const product of [lacked, archived]) {
      const sent = await submit(client, from.users.manager, 'post', '/backoffice/stock/transfers', { 'to_store_id': String(to.store.id), 'items[0][code]': '', 'items[1][code]': product.sku, 'items[1][quantity]': '2' }, '/backoffice/stock/transfers/new')
      sent.assertStatus(302)
      const message = sent.flashMessage('inputErrorsBag')['items.1.code'][0]
      assert.notInclude(message, to.store.name)
      assert.notMatch(message, /archived/i)
      messages.push(message.replace(product.sku, 'SKU').replace(product.name, 'NAME'))
      assert.equal(await stockOf(product.id), 5)
    }
    assert.equal(messages[0], messages[1])
  })
})
