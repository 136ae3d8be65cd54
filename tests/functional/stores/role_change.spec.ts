import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { createProduct, createStore, PASSWORD } from '#tests/fixtures'
import { LiveStream, signIn } from '#tests/live_client'
import { submit } from '#tests/functional/backoffice/helpers'
import { dbTimestamp } from '#platform/db_time'

const baseUrl = () => `http://${process.env.HOST}:${process.env.PORT}`

test.group('Stores: a role that switches no store', () => {
  test('a manager switched to another store and made cashier works in their home store from their next request; promoted again, still there', async ({ client, assert }) => {
    const a = await createStore()
    const b = await createStore()
    const inA = await createProduct(a, { name: 'Apple Juice', stock: 5 })
    const inB = await createProduct(b, { name: 'Banana Bread', stock: 5 })
    const manager = a.users.manager
    // A's manager is on B's staff too (and so is A's admin, who may then change them)
    await db.table('store_users').multiInsert([manager.id, a.users.admin.id].map((userId) => ({ store_id: b.store.id, user_id: userId, created_at: dbTimestamp() })))

    // The manager signs in (a real browser session over HTTP) and switches to store B
    const session = await signIn(baseUrl(), manager.email, PASSWORD)
    const switched = await session.request('/stores/switch', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'referer': `${baseUrl()}/till` },
      body: new URLSearchParams({ _csrf: session.csrf, store_id: String(b.store.id) }).toString(),
    })
    assert.equal(switched.status, 302)
    const inStoreB = await (await session.request('/till')).text()
    assert.include(inStoreB, b.store.name)

    // An admin makes them cashier (they stay on B's staff): a cashier switches no store
    const form = (role: string) => ({ name: manager.name, email: manager.email, role, password: '', pin: '', active: ['', 'on'] })
    ;(await submit(client, a.users.admin, 'put', `/backoffice/users/${manager.id}`, form('cashier'))).assertStatus(302)

    // Their next request is in their home store: the till shows A, sells A's products, not B's
    const till = await session.request('/till')
    assert.equal(till.status, 200)
    const page = await till.text()
    assert.include(page, a.store.name)
    assert.notInclude(page, b.store.name, 'the demoted manager still works in the store they had switched to')
    const add = (productId: number) =>
      session.request('/till/items', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'hx-request': 'true', 'x-csrf-token': session.csrf },
        body: new URLSearchParams({ product_id: String(productId) }).toString(),
      })
    // B's register chosen on the till is not theirs now: the till asks for one of A's
    assert.equal((await add(inB.id)).status, 409)
    const choose = (registerId: number) =>
      session.request('/till/register', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ _csrf: session.csrf, register_id: String(registerId) }).toString(),
      })
    assert.equal((await choose(b.register.id)).status, 404)
    assert.equal((await choose(a.register.id)).status, 302)
    assert.equal((await add(inB.id)).status, 404)
    assert.equal((await add(inA.id)).status, 200)
    // B's live updates are refused to their pages (the page of B reloads, as after a switch elsewhere)
    const stream = await new LiveStream(session).open()
    try {
      assert.equal(await stream.subscribe(`stores/${a.store.id}/sales`), 204)
      assert.equal(await stream.subscribe(`stores/${b.store.id}/sales`), 409)
    } finally {
      stream.close()
    }
    // Nor may they switch back
    const again = await session.request('/stores/switch', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: session.csrf, store_id: String(b.store.id) }).toString(),
    })
    assert.equal(again.status, 403)

    // Made manager again, they are in their home store: the old choice was forgotten, not kept for later
    ;(await submit(client, a.users.admin, 'put', `/backoffice/users/${manager.id}`, form('manager'))).assertStatus(302)
    const promoted = await (await session.request('/backoffice/products')).text()
    assert.include(promoted, `data-product-id="${inA.id}"`)
    assert.notInclude(promoted, `data-product-id="${inB.id}"`)
  })
})
