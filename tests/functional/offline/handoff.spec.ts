import { test } from '@japa/runner'
import { randomUUID } from 'node:crypto'
import db from '@adonisjs/lucid/services/db'
import { apiToken, countRows, createProduct, createStore, type TestStore } from '#tests/fixtures'
import { verifyChains } from '#sales/chain_verifier'
import { TestDevice } from './device.js'
import { identityChanged } from '#staff/identity_cache'

/*
| The hand-off (POST /till/offline/handoff): a till whose sync stopped at a conflict holds that
| register's later offline sales. Until a manager has looked (the conflict marked reviewed, or the
| register released) it is told to wait; then each held sale is kept whole as a conflict for review
| (never recorded, never renumbered), the register's lease is taken afresh for the till with the
| register's own head, and the same hand-off sent again changes nothing.
*/

/** A till that sold 3 sales offline from a head that an online sale of its own moved meanwhile: its first sale conflicts */
async function conflicted(client: any) {
  const fixture = await createStore()
  const tea = await createProduct(fixture, { price: 450, stock: 50 })
  const device = new TestDevice(fixture)
  ;(await device.takeLease(client)).assertStatus(200)
  const held = [await device.sell([{ product: tea, quantity: 1 }]), await device.sell([{ product: tea, quantity: 2 }]), await device.sell([{ product: tea, quantity: 1 }], { cash: false })]
  // The till's own online sale, whose answer (and so its new head) the till never got
  const token = await apiToken(client, fixture.users.cashier)
  ;(await client.post('/api/sales').bearerToken(token).header('idempotency-key', randomUUID()).header('X-Till-Device', device.deviceId).json({ items: [{ product_id: tea.id, quantity: 1 }], payment_method: 'cash', register_id: fixture.register.id })).assertStatus(201)
  const [refused] = (await device.sync(client, held[0])).body().results
  assert(refused.outcome === 'conflict' && refused.error.code === 'register_conflict')
  return { fixture, tea, device, held }
}

function assert(condition: boolean, message = 'setup failed'): asserts condition {
  if (!condition) throw new Error(message)
}

function handOver(client: any, device: TestDevice, sales: any[], options: { last?: boolean; conflict?: string; pending?: number } = {}) {
  return device.as(client, 'post', '/till/offline/handoff').json({
    device_id: device.deviceId,
    register_id: device.registerId,
    conflict_uuid: options.conflict ?? sales[0].client_uuid,
    pending: options.pending ?? sales.length,
    sales,
    last: options.last ?? true,
  })
}

async function conflictReview(fixture: TestStore, clientUuid: string) {
  return db.from('offline_reviews').where({ store_id: fixture.store.id, client_uuid: clientUuid, kind: 'conflict' }).first()
}

function release(client: any, fixture: TestStore) {
  return client.post(`/backoffice/offline/registers/${fixture.register.id}/release`).loginAs(fixture.users.manager).withCsrfToken().redirects(0)
}

test.group('Offline till: handing over the sales held behind a conflict', () => {
  test('waits until a manager marks the conflict reviewed; then every held sale is kept whole for review, the register taken afresh, and a resend changes nothing', async ({ client, assert }) => {
    const { fixture, device, held } = await conflicted(client)

    const waiting = await handOver(client, device, held)
    waiting.assertStatus(200)
    assert.equal(waiting.body().state, 'waiting')
    assert.include(waiting.body().message, 'Waiting for a manager to review the conflict of Register 1 sale #1 under Offline sales')
    assert.equal(await countRows('offline_reviews', { store_id: fixture.store.id }), 1)
    // The till is still heard of, and its held sales hold the Z report back
    assert.equal(Number((await db.from('registers').where('id', fixture.register.id).first()).lease_pending), 3)

    const review = await conflictReview(fixture, held[0].client_uuid)
    ;(await client.post(`/backoffice/offline/${review.id}/resolve`).loginAs(fixture.users.manager).withCsrfToken().redirects(0)).assertStatus(302)

    const answer = await handOver(client, device, held)
    answer.assertStatus(200)
    assert.equal(answer.body().state, 'handed_over')
    assert.deepEqual(answer.body().handed_over, held.map((s) => s.client_uuid))
    assert.deepEqual(answer.body().recorded, [])
    const register = await db.from('registers').where('id', fixture.register.id).first()
    assert.deepEqual(answer.body().lease, { register_id: fixture.register.id, device_id: device.deviceId, last_number: 1, last_hash: register.last_sale_hash })
    assert.isNull(answer.body().lease_refused)
    assert.equal(register.lease_device_id, device.deviceId)
    assert.equal(Number(register.lease_pending), 0)

    // Kept whole, never recorded: the first as the sync kept it (reviewed), the later two new for review
    for (const sale of held) {
      const kept = await conflictReview(fixture, sale.client_uuid)
      assert.deepEqual(JSON.parse(kept.detail), sale)
      assert.isNull(kept.sale_id)
    }
    assert.equal(await countRows('offline_reviews', { store_id: fixture.store.id, kind: 'conflict' }), 3)
    assert.include((await conflictReview(fixture, held[1].client_uuid)).message, 'Register 1 sale #2 made offline was held on its till behind a conflict and handed over')
    assert.equal(await countRows('sales', { register_id: fixture.register.id, status: 'completed' }), 1)
    assert.equal(await countRows('audit_logs', { action: 'offline_sales_handed_over', store_id: fixture.store.id }), 1)

    // The answer lost, the hand-off sent again: the same answer, nothing more written
    const again = await handOver(client, device, held)
    assert.equal(again.body().state, 'handed_over')
    assert.deepEqual(again.body().handed_over, held.map((s) => s.client_uuid))
    assert.equal(await countRows('offline_reviews', { store_id: fixture.store.id }), 3)
    assert.equal(await countRows('audit_logs', { action: 'offline_sales_handed_over', store_id: fixture.store.id }), 1)

    // The till continues from the register's own head: its next offline sale syncs as #2
    device.lastNumber = answer.body().lease.last_number
    device.lastHash = answer.body().lease.last_hash
    const tea = await db.from('products').where('store_id', fixture.store.id).first()
    const next = await device.sell([{ product: { id: tea.id, name: tea.name, sku: tea.sku, price: Number(tea.price), taxClass: tea.tax_class } as any, quantity: 1 }])
    const [synced] = (await device.sync(client, next)).body().results
    assert.equal(synced.outcome, 'recorded')
    assert.equal(synced.number, 2)
    for (const verdict of await verifyChains(fixture.store.id)) assert.isTrue(verdict.ok, verdict.problem ?? '')
    // Handed over on the page for a manager
    const page = await client.get('/backoffice/offline').loginAs(fixture.users.manager)
    assert.include(page.text(), 'handed over: not recorded, kept whole for review')
  })

  test('a sale refused because a setting changed since (the cash rounding) is kept whole; once reviewed, the till hands over the sales behind it', async ({ client, assert }) => {
    const fixture = await createStore()
    // $4.29 + 8% = $4.63: sold in cash to the cent, as the till's copy of the settings said
    const tea = await createProduct(fixture, { price: 429, stock: 50 })
    const device = new TestDevice(fixture)
    ;(await device.takeLease(client)).assertStatus(200)
    const held = [await device.sell([{ product: tea, quantity: 1 }]), await device.sell([{ product: tea, quantity: 2 }])]
    await db.from('stores').where('id', fixture.store.id).update({ cash_rounding: 5 })
    identityChanged()

    const answer = await device.sync(client, ...held)
    assert.deepEqual(answer.body().results.map((r: any) => [r.outcome, r.error?.code ?? null, r.kept_for_review]), [['refused', 'offline_sale_invalid', true], ['skipped', null, false]])
    // Before, the refused sale existed nowhere but on the till, and no hand-off could take it
    const kept = await conflictReview(fixture, held[0].client_uuid)
    assert.deepEqual(JSON.parse(kept.detail), held[0])
    assert.include(kept.message, 'cash rounding')
    assert.equal(await countRows('audit_logs', { action: 'offline_sale_refused', store_id: fixture.store.id }), 1)
    assert.equal(await countRows('sales', { register_id: fixture.register.id }), 0)
    // The same batch again (the till's retry) keeps it once
    await device.sync(client, ...held)
    assert.equal(await countRows('offline_reviews', { client_uuid: held[0].client_uuid }), 1)

    assert.equal((await handOver(client, device, held)).body().state, 'waiting')
    ;(await client.post(`/backoffice/offline/${kept.id}/resolve`).loginAs(fixture.users.manager).withCsrfToken().redirects(0)).assertStatus(302)
    const handed = await handOver(client, device, held)
    assert.equal(handed.body().state, 'handed_over', JSON.stringify(handed.body()))
    assert.deepEqual(handed.body().handed_over, held.map((sale) => sale.client_uuid))
    assert.equal(await countRows('offline_reviews', { store_id: fixture.store.id, kind: 'conflict' }), 2)
  })

  test('in slices: only the last takes the register afresh', async ({ client, assert }) => {
    const { fixture, device, held } = await conflicted(client)
    await db.from('offline_reviews').where({ client_uuid: held[0].client_uuid }).update({ resolved_at: new Date().toISOString().slice(0, 19).replace('T', ' ') })
    const first = await handOver(client, device, held.slice(0, 2), { last: false, pending: 3 })
    assert.equal(first.body().state, 'handed_over')
    assert.isNull(first.body().lease)
    const last = await handOver(client, device, held.slice(2), { conflict: held[0].client_uuid, pending: 3 })
    assert.equal(last.body().state, 'handed_over')
    assert.equal(last.body().lease.last_number, 1)
    assert.equal(await countRows('offline_reviews', { store_id: fixture.store.id, kind: 'conflict' }), 3)
  })

  test('a released register is a manager having looked: handed over at once and taken afresh; held by another till, the sales go over but the lease does not', async ({ client, assert }) => {
    const one = await conflicted(client)
    ;(await release(client, one.fixture)).assertStatus(302)
    const answer = await handOver(client, one.device, one.held)
    assert.equal(answer.body().state, 'handed_over')
    assert.equal(answer.body().lease.device_id, one.device.deviceId)
    assert.equal((await db.from('registers').where('id', one.fixture.register.id).first()).lease_device_id, one.device.deviceId)

    // Released and taken by another till before the stopped one asked: it waits for the review,
    // then hands over without the lease, and is told who holds the register
    const two = await conflicted(client)
    ;(await release(client, two.fixture)).assertStatus(302)
    const other = new TestDevice(two.fixture)
    ;(await other.takeLease(client)).assertStatus(200)
    assert.equal((await handOver(client, two.device, two.held)).body().state, 'waiting')
    const review = await conflictReview(two.fixture, two.held[0].client_uuid)
    await client.post(`/backoffice/offline/${review.id}/resolve`).loginAs(two.fixture.users.manager).withCsrfToken().redirects(0)
    const refused = await handOver(client, two.device, two.held)
    assert.equal(refused.body().state, 'handed_over')
    assert.isNull(refused.body().lease)
    assert.include(refused.body().lease_refused, 'Register 1 is held for offline selling by another till')
    assert.equal(await countRows('offline_reviews', { store_id: two.fixture.store.id, kind: 'conflict' }), 3)
    assert.equal((await db.from('registers').where('id', two.fixture.register.id).first()).lease_device_id, other.deviceId)
  })

  test('a sale already recorded is left alone; sales of another register or till, or a conflict the server does not know, are refused', async ({ client, assert }) => {
    const { fixture, device, held } = await conflicted(client)
    ;(await release(client, fixture)).assertStatus(302)
    const stranger = await handOver(client, device, [held[0], { ...held[1], device_id: randomUUID() }])
    stranger.assertStatus(422)
    assert.equal(stranger.body().errors[0].field, 'sales.1')
    const unknown = await handOver(client, device, held.slice(1))
    unknown.assertStatus(422)
    assert.equal(unknown.body().errors[0].code, 'handover_unknown_conflict')
    assert.equal(await countRows('offline_reviews', { store_id: fixture.store.id }), 1)

    // One of them recorded meanwhile (as if synced): named as recorded, not kept as a conflict
    await db.from('sales').where({ register_id: fixture.register.id, status: 'completed' }).update({ client_uuid: held[2].client_uuid })
    const answer = await handOver(client, device, held)
    assert.deepEqual(answer.body().recorded, [held[2].client_uuid])
    assert.deepEqual(answer.body().handed_over, [held[0].client_uuid, held[1].client_uuid])
    assert.isNull(await conflictReview(fixture, held[2].client_uuid))
  })

  test('a sale twice in a hand-off (or in capitals) is kept once: no 500, nothing half-written', async ({ client, assert }) => {
    const { fixture, device, held } = await conflicted(client)
    ;(await release(client, fixture)).assertStatus(302)
    const answer = await handOver(client, device, [held[0], held[1], held[1], { ...held[2], client_uuid: held[2].client_uuid.toUpperCase() }, held[2]])
    answer.assertStatus(200)
    assert.deepEqual(answer.body().handed_over, held.map((s) => s.client_uuid))
    for (const sale of held) assert.equal(await countRows('offline_reviews', { client_uuid: sale.client_uuid, kind: 'conflict' }), 1)
    assert.equal(await countRows('offline_reviews', { store_id: fixture.store.id }), 3)
  })
})
