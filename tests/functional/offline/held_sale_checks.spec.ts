import { test } from '@japa/runner'
import { DateTime } from 'luxon'
import db from '@adonisjs/lucid/services/db'
import { countRows, createProduct, createStore, stockOf, type TestStore } from '#tests/fixtures'
import { TestDevice } from './device.js'
import { setRole } from '#tests/functional/backoffice/helpers'
import { lostAnswer, reviewOf } from './held_sales.js'

/*
| Recording a held sale judges it as the sync judged it, with the sync's own rules: a sale refused
| because its seller's role did not sell when it was made (roleRefusal), or because its till put it
| in a name the till's lease did not allow (mayNameSeller: a cashier's sale in a manager's name), is
| not recorded in that name (422, the page says why), and nothing is written. A sale recorded keeps
| its till's UUID, so the till sending it again is answered with it, never recorded twice.
*/

function post(client: any, user: any, url: string) {
  return client.post(url).loginAs(user).redirects(0).withCsrfToken().header('hx-request', 'true')
}

/** Nothing written by a refused recording: no sale, no stock moved, the review still open, no audit */
async function assertNothingWritten(assert: any, fixture: TestStore, clientUuid: string, productId: number, stock: number) {
  assert.equal(await countRows('sales', { register_id: fixture.register.id }), 0)
  assert.equal(await stockOf(productId), stock)
  assert.isNull((await reviewOf(clientUuid)).resolved_at)
  assert.equal(await countRows('audit_logs', { action: 'offline_sale_recorded', store_id: fixture.store.id }), 0)
}

test.group('Offline sales: recording a held sale judges it as the sync did', () => {
  test('a sale made after its seller was made accountant (refused at sync) cannot be recorded in their name (422): the page says why, nothing is written', async ({ client, assert }) => {
    const fixture = await createStore()
    const tea = await createProduct(fixture, { price: 450, stock: 20 })
    const { cashier, manager } = fixture.users
    const device = new TestDevice(fixture)
    ;(await device.takeLease(client)).assertStatus(200)
    ;(await setRole(client, fixture, cashier, 'accountant')).assertStatus(302)
    const sale = await device.sell([{ product: tea, quantity: 1 }], { at: DateTime.utc().plus({ minutes: 1 }) })
    // A manager signs in on the till and sends its queue: refused, kept for review
    ;(await device.lease(client, manager, 1)).assertStatus(200)
    const [result] = (await device.as(client, 'post', '/till/offline/sales', manager).json({ sales: [sale] })).body().results
    assert.equal(result.outcome, 'refused', JSON.stringify(result))
    const review = await reviewOf(sale.client_uuid)

    const page = (await client.get(`/backoffice/offline/${review.id}`).loginAs(manager)).text()
    assert.include(page, 'This sale cannot be recorded as it was kept: its seller was an accountant when it was made, who may not sell')
    assert.notInclude(page, 'Record as a new sale')
    const refused = await post(client, manager, `/backoffice/offline/${review.id}/record`)
    refused.assertStatus(422)
    assert.include(refused.text(), 'an accountant when it was made')
    await assertNothingWritten(assert, fixture, sale.client_uuid, tea.id, 20)
  })

  test("a cashier's till that put a sale in a manager's name (refused at sync) cannot have it recorded in that name, even by that manager (422); nothing is written", async ({ client, assert }) => {
    const fixture = await createStore()
    const tea = await createProduct(fixture, { price: 450, stock: 20 })
    const { cashier, manager, admin } = fixture.users
    const device = new TestDevice(fixture)
    ;(await device.takeLease(client)).assertStatus(200)
    const forged = await device.sell([{ product: tea, quantity: 1 }], { seller: manager })
    const [result] = (await device.as(client, 'post', '/till/offline/sales', cashier).json({ sales: [forged] })).body().results
    assert.equal(result.outcome, 'refused', JSON.stringify(result))
    const review = await reviewOf(forged.client_uuid)

    const page = (await client.get(`/backoffice/offline/${review.id}`).loginAs(manager)).text()
    assert.include(page, `This sale cannot be recorded as it was kept: it is in the name of ${manager.name}, who was neither the user who sent it nor a user of the till`)
    assert.notInclude(page, 'Record as a new sale')
    for (const who of [manager, admin]) {
      const refused = await post(client, who, `/backoffice/offline/${review.id}/record`)
      refused.assertStatus(422)
      assert.include(refused.text(), `in the name of ${manager.name}`)
    }
    // A review kept before who sent it was kept (migration 0151): the sync's refusal of its name says so
    await db.from('offline_reviews').where('id', review.id).update({ sent_by: null, sent_lease: null })
    ;(await post(client, manager, `/backoffice/offline/${review.id}/record`)).assertStatus(422)
    await assertNothingWritten(assert, fixture, forged.client_uuid, tea.id, 20)
  })

  test("a recorded held sale keeps its till's client_uuid: the till sending it again is answered with that sale (replayed), never a second one", async ({ client, assert }) => {
    const { fixture, device, held } = await lostAnswer(client)
    const { manager } = fixture.users
    ;(await post(client, manager, `/backoffice/offline/${(await reviewOf(held[0].client_uuid)).id}/dismiss`)).assertStatus(302)
    const handedOver = await device.as(client, 'post', '/till/offline/handoff').json({ device_id: device.deviceId, register_id: device.registerId, conflict_uuid: held[0].client_uuid, pending: held.length, sales: held, last: true })
    assert.equal(handedOver.body().state, 'handed_over')
    ;(await post(client, manager, `/backoffice/offline/${(await reviewOf(held[1].client_uuid)).id}/record`)).assertStatus(302)
    const sale = await db.from('sales').where({ register_id: fixture.register.id, number: 2 }).first()
    assert.equal(sale.client_uuid, held[1].client_uuid)
    assert.equal(sale.device_id, held[1].device_id)

    // Sent again alone (a stale tab's queue): answered from the first record, with no transaction
    const [again] = (await device.sync(client, held[1])).body().results
    assert.deepInclude(again, { outcome: 'replayed', sale_id: Number(sale.id), number: 2 })
    // And in a batch with the sale behind it, still held: that one conflicts again, nothing recorded
    const both = (await device.sync(client, held[1], held[2])).body().results
    assert.deepEqual(both.map((r: any) => [r.outcome, r.sale_id]), [['replayed', Number(sale.id)], ['conflict', null]], JSON.stringify(both))
    assert.equal(await countRows('sales', { register_id: fixture.register.id }), 2)
    assert.equal(await countRows('sales', { client_uuid: held[1].client_uuid }), 1)
    assert.equal(await countRows('offline_reviews', { client_uuid: held[2].client_uuid }), 1)
  })

  test("sales a till handed over after its register was released, with a manager signed in on it, are recorded in their cashier's name (the lease at the hand-over is none: it refused them all)", async ({ client, assert }) => {
    const { fixture, device, held } = await lostAnswer(client)
    const { manager } = fixture.users
    ;(await device.release(client)).assertStatus(302)
    // The manager signs in on the stopped till to free it: the hand-off is theirs
    const handedOver = await device
      .as(client, 'post', '/till/offline/handoff', manager)
      .json({ device_id: device.deviceId, register_id: device.registerId, conflict_uuid: held[0].client_uuid, pending: held.length, sales: held, last: true })
    assert.equal(handedOver.body().state, 'handed_over', JSON.stringify(handedOver.body()))
    const review = await reviewOf(held[1].client_uuid)
    const recorded = await post(client, manager, `/backoffice/offline/${review.id}/record`)
    assert.equal(recorded.status(), 302, recorded.text())
    const sale = await db.from('sales').where({ client_uuid: held[1].client_uuid }).first()
    assert.equal(Number(sale.user_id), fixture.users.cashier.id)
  })
})
