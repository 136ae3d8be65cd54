import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import Register from '#models/register'
import { createProduct, createStore, type TestStore } from '#tests/fixtures'
import { REGISTER_COOKIE } from '#sales/till_screen_service'

/*
| The cart the till's page shows (X-Cart-Id, sent by public/js/app.js with each htmx request): a
| cart change takes it without looking the register's cart up, but only while it still is that
| register's open till cart in the user's store. Any other id (a completed sale, another
| register's or store's cart, garbage) changes nothing of it: the change lands in the register's
| own cart, as without the header.
*/

function till(client: any, fixture: TestStore, url: string, options: { register?: number; cartId?: string | number; method?: 'post' | 'patch' } = {}) {
  const request = client[options.method ?? 'post'](url)
    .loginAs(fixture.users.cashier)
    .withCsrfToken()
    .withCookie(REGISTER_COOKIE, String(options.register ?? fixture.register.id))
    .header('HX-Request', 'true')
  return options.cartId === undefined ? request : request.header('X-Cart-Id', String(options.cartId))
}

const shownId = (html: string) => Number(/id="cart-panel"[^>]*data-sale-id="(\d+)"/.exec(html)?.[1])

async function linesOf(saleId: number) {
  return (await db.from('sale_items').where('sale_id', saleId).orderBy('position').select('product_id', 'quantity')).map((r) => [r.product_id, r.quantity])
}

async function openCartOf(registerId: number) {
  return db.from('sales').where({ register_id: registerId, status: 'open', channel: 'till' }).orderBy('id', 'desc').first()
}

async function barcodeOf(productId: number) {
  return (await db.from('product_barcodes').where('product_id', productId).first()).code as string
}

test.group('Till: the cart the page shows', () => {
  test('a scan naming the cart on screen lands in it, and the answer shows it again', async ({ client, assert }) => {
    const fixture = await createStore()
    const product = await createProduct(fixture, { name: 'Shown Tea' })
    const code = await barcodeOf(product.id)
    const first = await till(client, fixture, '/till/scan').form({ code })
    first.assertStatus(200)
    const cartId = shownId(first.text())
    assert.isAbove(cartId, 0)

    const second = await till(client, fixture, '/till/scan', { cartId }).form({ code })
    second.assertStatus(200)
    assert.equal(shownId(second.text()), cartId)
    assert.include(second.text(), 'Shown Tea')
    assert.deepEqual(await linesOf(cartId), [[product.id, 2]])
    // The other cart actions name it too: one less, then the line removed
    const line = await db.from('sale_items').where('sale_id', cartId).firstOrFail()
    ;(await till(client, fixture, `/till/items/${line.id}`, { cartId, method: 'patch' }).form({ quantity: 1 })).assertStatus(200)
    assert.deepEqual(await linesOf(cartId), [[product.id, 1]])
  })

  test('the completed sale\u2019s panel names the register\u2019s next cart, written with its commit: the next customer\u2019s first scan lands there', async ({ client, assert }) => {
    const fixture = await createStore()
    const product = await createProduct(fixture, { price: 1000, stock: 50 })
    const code = await barcodeOf(product.id)
    const openCarts = async () => (await db.from('sales').where({ register_id: fixture.register.id, status: 'open' }).orderBy('id').select('id')).map((r) => Number(r.id))

    const first = await till(client, fixture, '/till/scan').form({ code })
    const sold = shownId(first.text())
    // A payment that does not complete the sale opens nothing
    const part = await till(client, fixture, '/till/payments', { cartId: sold }).form({ method: 'card_external', amount: '5.00', reference: 'R1' })
    part.assertStatus(200)
    assert.deepEqual(await openCarts(), [sold])
    const paid = await till(client, fixture, '/till/payments', { cartId: sold }).form({ method: 'cash', tendered: '20.00' })
    paid.assertStatus(200)
    assert.include(paid.text(), 'data-completed-sale')
    const next = shownId(paid.text())
    assert.isAbove(next, sold)
    assert.deepEqual(await openCarts(), [next])
    const cart = await db.from('sales').where('id', next).firstOrFail()
    assert.equal(cart.channel, 'till')
    assert.equal(cart.store_id, fixture.store.id)
    assert.equal(cart.user_id, fixture.users.cashier.id)
    assert.equal(Number(cart.total), 0)
    assert.deepEqual(await linesOf(next), [])

    const scanned = await till(client, fixture, '/till/scan', { cartId: next }).form({ code })
    assert.equal(shownId(scanned.text()), next)
    assert.deepEqual(await linesOf(next), [[product.id, 1]])
    assert.deepEqual(await openCarts(), [next])
  })

  test('a named cart that is not the register\u2019s open one is left alone: the scan lands in the register\u2019s cart', async ({ client, assert }) => {
    const fixture = await createStore()
    const other = await createStore()
    const product = await createProduct(fixture, { price: 500, stock: 50 })
    const code = await barcodeOf(product.id)

    // A sale of this register, completed
    await till(client, fixture, '/till/scan').form({ code })
    const completed = await openCartOf(fixture.register.id)
    const paid = await till(client, fixture, '/till/payments').form({ method: 'cash', tendered: '100.00' })
    assert.include(paid.text(), 'completed')
    // An open cart of another register of the same store, and one of another store
    const second = await Register.create({ storeId: fixture.store.id, name: 'Register 2', lastSaleNumber: 0 })
    await till(client, fixture, '/till/scan', { register: second.id }).form({ code })
    const secondCart = await openCartOf(second.id)
    const otherProduct = await createProduct(other, { stock: 50 })
    await till(client, other, '/till/scan').form({ code: await barcodeOf(otherProduct.id) })
    const otherCart = await openCartOf(other.register.id)

    for (const cartId of [completed.id, secondCart.id, otherCart.id, 'abc', -1, '1e3', '99999999999999999999']) {
      const answer = await till(client, fixture, '/till/scan', { cartId }).form({ code })
      answer.assertStatus(200)
    }
    const own = await openCartOf(fixture.register.id)
    assert.notEqual(own.id, completed.id)
    assert.deepEqual(await linesOf(own.id), [[product.id, 7]])
    assert.deepEqual(await linesOf(completed.id), [[product.id, 1]])
    assert.equal((await db.from('sales').where('id', completed.id).first()).status, 'completed')
    assert.deepEqual(await linesOf(secondCart.id), [[product.id, 1]])
    assert.deepEqual(await linesOf(otherCart.id), [[otherProduct.id, 1]])
  })
})
