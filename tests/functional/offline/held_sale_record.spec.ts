import { test } from '@japa/runner'
import { randomUUID } from 'node:crypto'
import { DateTime } from 'luxon'
import db from '@adonisjs/lucid/services/db'
import { apiToken, countRows, createProduct, createStore, ledgerSum, stockOf } from '#tests/fixtures'
import { verifyChains } from '#sales/chain_verifier'
import SummaryRebuild from '#reports/summary_rebuild'
import { rollUpDays } from '#reports/day_rollup'
import { rowTime } from '#platform/row_time'
import { dbTimestamp } from '#platform/db_time'
import { identityChanged } from '#staff/identity_cache'
import { TestDevice } from './device.js'
import { lostAnswer, reviewOf } from './held_sales.js'

/*
| A sale made offline that the server could not record (a conflict) or that its till handed over
| behind one is kept whole for review. A manager compares it with the sale that holds its number on
| the server (Back office -> Offline sales -> its review), then records it as a new sale (the
| register's next number, in its chain, dated when it was made: its stock, payments, taxes and day
| summaries move once) or dismisses it as that very sale (its answer lost). Exactly once however
| often it is sent.
*/

/** An audit entry's data (JSON text on SQLite, parsed on MariaDB) */
const dataOf = (entry: { data: unknown }) => (typeof entry.data === 'string' ? JSON.parse(entry.data) : entry.data)

function post(client: any, user: any, url: string, options: { htmx?: boolean; csrf?: boolean } = {}) {
  let request = client.post(url).loginAs(user).redirects(0)
  if (options.csrf ?? true) request = request.withCsrfToken()
  if (options.htmx) request = request.header('hx-request', 'true')
  return request
}

/** The till hands over what it holds once the conflict is settled */
function handOver(client: any, device: TestDevice, sales: any[]) {
  return device.as(client, 'post', '/till/offline/handoff').json({ device_id: device.deviceId, register_id: device.registerId, conflict_uuid: sales[0].client_uuid, pending: sales.length, sales, last: true })
}

test.group('Offline sales: recording a held sale, or dismissing it as the same sale', () => {
  test('the lost answer dismissed as the same sale; the held sales behind it recorded as new sales, once, on their day', async ({ client, assert }) => {
    const { fixture, tea, cake, device, held } = await lostAnswer(client)
    const { manager, cashier } = fixture.users
    const conflict = await reviewOf(held[0].client_uuid)

    // Beside the online sale that took its number: the same lines and total, said plainly
    const page = await client.get(`/backoffice/offline/${conflict.id}`).loginAs(manager)
    page.assertStatus(200)
    assert.include(page.text(), 'data-testid="server-sale"')
    assert.include(page.text(), 'These look like the same sale')
    assert.include(page.text(), cashier.name)
    assert.equal((page.text().match(/data-testid="total">\$4\.86</g) ?? []).length, 2, 'both totals shown')

    ;(await post(client, manager, `/backoffice/offline/${conflict.id}/dismiss`)).assertStatus(302)
    const dismissed = await reviewOf(held[0].client_uuid)
    assert.equal(dismissed.resolution, 'same_sale')
    assert.isNotNull(dismissed.resolved_at)
    assert.isNull(dismissed.sale_id)
    const audit = await db.from('audit_logs').where({ action: 'offline_review_resolved', subject_id: conflict.id, store_id: fixture.store.id }).first()
    assert.equal(Number(audit.user_id), manager.id)
    assert.include(dataOf(audit), { resolution: 'same_sale', clientUuid: held[0].client_uuid })
    assert.equal(await countRows('sales', { register_id: fixture.register.id }), 1)
    // Dismissed, it is not recorded after all, nor dismissed twice: 409 saying so
    const again = await post(client, manager, `/backoffice/offline/${conflict.id}/record`, { htmx: true })
    again.assertStatus(409)
    assert.include(again.text(), 'dismissed as the same sale')

    // Settled: the till hands the two sales behind it over
    assert.equal((await handOver(client, device, held)).body().state, 'handed_over')
    const second = await reviewOf(held[1].client_uuid)
    const third = await reviewOf(held[2].client_uuid)
    const other = await client.get(`/backoffice/offline/${second.id}`).loginAs(manager)
    assert.include(other.text(), 'No sale holds #2')

    // Their days are over and rolled up: the recorded sales add to those days' summaries
    await rollUpDays(fixture.store)
    const recorded = await post(client, manager, `/backoffice/offline/${second.id}/record`)
    recorded.assertStatus(302)
    assert.equal(recorded.header('location'), `/backoffice/offline/${second.id}`)
    const sale = await db.from('sales').where({ register_id: fixture.register.id, number: 2 }).first()
    assert.equal(sale.status, 'completed')
    assert.equal(sale.channel, 'offline')
    assert.equal(Number(sale.user_id), cashier.id, "in the seller's name")
    assert.equal(Number(sale.total), held[1].total)
    assert.equal(rowTime(sale.completed_at)!.toISO(), held[1].completed_at, 'dated when it was made')
    assert.isNull(sale.shift_id, 'made before the open shift began: in no shift')
    assert.deepEqual((await db.from('sale_items').where('sale_id', sale.id).orderBy('position')).map((l) => [Number(l.product_id), Number(l.quantity)]), [[tea.id, 2], [cake.id, 1]])
    assert.deepEqual((await db.from('payments').where('sale_id', sale.id)).map((p) => [p.method, Number(p.amount)]), [['cash', held[1].payments[0].amount]])
    const review = await reviewOf(held[1].client_uuid)
    assert.equal(Number(review.sale_id), Number(sale.id))
    assert.equal(review.resolution, 'recorded')
    const mark = await db.from('audit_logs').where({ action: 'offline_sale_recorded', store_id: fixture.store.id }).first()
    assert.equal(Number(mark.user_id), manager.id)
    assert.equal(Number(mark.subject_id), Number(sale.id))
    assert.include(dataOf(mark), { reviewId: second.id, clientUuid: held[1].client_uuid, heldNumber: 2, sellerId: cashier.id })
    assert.equal(await countRows('audit_logs', { action: 'sale_completed', subject_id: sale.id }), 1)
    const shown = await client.get(`/backoffice/offline/${second.id}`).loginAs(manager)
    assert.match(shown.text(), /Recorded as <a href="\/backoffice\/sales\/\d+">#2<\/a>/)

    // Sent again (the answer lost, a reload): one sale, told it is recorded already
    const retry = await post(client, manager, `/backoffice/offline/${second.id}/record`, { htmx: true })
    retry.assertStatus(409)
    assert.include(retry.text(), 'recorded already, as #2')
    const form = await post(client, manager, `/backoffice/offline/${second.id}/record`)
    assert.equal(form.status(), 302)
    assert.equal(await countRows('sales', { register_id: fixture.register.id }), 2)

    // Two managers (or a double click) at once: one sale
    const both = await Promise.all([post(client, manager, `/backoffice/offline/${third.id}/record`, { htmx: true }), post(client, fixture.users.admin, `/backoffice/offline/${third.id}/record`, { htmx: true })])
    assert.sameMembers(both.map((r) => r.status()), [302, 409])
    assert.equal(await countRows('sales', { register_id: fixture.register.id }), 3)
    assert.equal(Number((await db.from('registers').where('id', fixture.register.id).first()).last_sale_number), 3)

    // Stock moved once per sale: 50 - 1 online - 2; 10 - 1 - 3 (by card)
    assert.equal(await stockOf(tea.id), 47)
    assert.equal(await stockOf(cake.id), 6)
    assert.equal(await stockOf(tea.id), await ledgerSum(tea.id))
    assert.equal(await stockOf(cake.id), await ledgerSum(cake.id))
    for (const verdict of await verifyChains(fixture.store.id)) assert.isTrue(verdict.ok, verdict.problem ?? '')
    const summaries = new SummaryRebuild()
    const span = (await summaries.span(fixture.store))!
    assert.deepEqual(await summaries.check(fixture.store, span.from, span.to), [])
    const day = DateTime.fromISO(held[1].completed_at).setZone(fixture.store.timeZone).toISODate()!
    const counted = await db.from('summary_sales').where({ store_id: fixture.store.id, day }).sum('sales_count as n').first()
    assert.equal(Number(counted.n), 2, 'the two recorded sales count on the day they were made')
  }).timeout(60_000)

  test('a cashier is refused (403), a review of another store is not found (404), the form needs its CSRF token', async ({ client, assert }) => {
    const { fixture, held } = await lostAnswer(client)
    const conflict = await reviewOf(held[0].client_uuid)
    ;(await client.get(`/backoffice/offline/${conflict.id}`).loginAs(fixture.users.cashier)).assertStatus(403)
    ;(await post(client, fixture.users.cashier, `/backoffice/offline/${conflict.id}/record`)).assertStatus(403)
    ;(await post(client, fixture.users.cashier, `/backoffice/offline/${conflict.id}/dismiss`)).assertStatus(403)

    const elsewhere = await createStore()
    ;(await client.get(`/backoffice/offline/${conflict.id}`).loginAs(elsewhere.users.manager)).assertStatus(404)
    ;(await post(client, elsewhere.users.manager, `/backoffice/offline/${conflict.id}/record`, { htmx: true })).assertStatus(404)
    ;(await post(client, elsewhere.users.manager, `/backoffice/offline/${conflict.id}/dismiss`, { htmx: true })).assertStatus(404)

    const forged = await post(client, fixture.users.manager, `/backoffice/offline/${conflict.id}/record`, { csrf: false })
    assert.notEqual(forged.header('location'), `/backoffice/offline/${conflict.id}`)
    assert.equal(await countRows('sales', { register_id: fixture.register.id }), 1)
    assert.isNull((await reviewOf(held[0].client_uuid)).resolved_at)
  })

  test('another till holding the register with offline sales not synced: recording waits for them (409), then goes through', async ({ client, assert }) => {
    // Made a little before its sync, in the shift open then (and still open)
    const { fixture, device, held } = await lostAnswer(client, 0, { at: DateTime.utc().minus({ minutes: 20 }) })
    await db.from('shifts').where({ open_register_id: fixture.register.id }).update({ opened_at: dbTimestamp(DateTime.utc().minus({ hours: 1 })) })
    const conflict = await reviewOf(held[0].client_uuid)
    // The old till is released; another takes the register and sells offline, not synced yet
    ;(await device.release(client)).assertStatus(302)
    const other = new TestDevice(fixture)
    ;(await other.lease(client, fixture.users.cashier, 2)).assertStatus(200)
    const waiting = await post(client, fixture.users.manager, `/backoffice/offline/${conflict.id}/record`, { htmx: true })
    waiting.assertStatus(409)
    assert.include(waiting.text(), 'held by another till that has 2 offline sale(s) not synced yet')
    assert.equal(await countRows('sales', { register_id: fixture.register.id }), 1)
    assert.isNull((await reviewOf(held[0].client_uuid)).resolved_at)
    // Synced (it says so at its next renewal): recorded, after the other till's sales
    ;(await other.lease(client, fixture.users.cashier, 0)).assertStatus(200)
    ;(await post(client, fixture.users.manager, `/backoffice/offline/${conflict.id}/record`)).assertStatus(302)
    assert.equal((await reviewOf(held[0].client_uuid)).resolution, 'recorded')
    const sale = await db.from('sales').where({ register_id: fixture.register.id, number: 2 }).first()
    const shift = await db.from('shifts').where({ open_register_id: fixture.register.id }).first()
    assert.equal(Number(sale.shift_id), Number(shift.id), 'in the shift open when it was made')
  })

  test("a held sale that no longer adds up under the store's settings (its cash rounding changed since) says why, and is not recorded (422)", async ({ client, assert }) => {
    const { fixture, held } = await lostAnswer(client)
    const conflict = await reviewOf(held[0].client_uuid)
    await db.from('stores').where('id', fixture.store.id).update({ cash_rounding: 5 })
    identityChanged()
    const page = await client.get(`/backoffice/offline/${conflict.id}`).loginAs(fixture.users.manager)
    assert.include(page.text(), 'This sale cannot be recorded as it was kept: its cash rounding is 0')
    assert.notInclude(page.text(), 'Record as a new sale')
    const refused = await post(client, fixture.users.manager, `/backoffice/offline/${conflict.id}/record`, { htmx: true })
    refused.assertStatus(422)
    assert.equal(await countRows('sales', { register_id: fixture.register.id }), 1)
    assert.isNull((await reviewOf(held[0].client_uuid)).resolved_at)
  })

  test('a held sale whose product was deleted since is refused naming its line; nothing is written', async ({ client, assert }) => {
    const fixture = await createStore()
    const tea = await createProduct(fixture, { price: 450, stock: 50 })
    const gone = await createProduct(fixture, { name: 'Seasonal mug', price: 900, stock: 5 })
    const device = new TestDevice(fixture)
    ;(await device.takeLease(client)).assertStatus(200)
    const sold = await device.sell([{ product: tea, quantity: 1 }, { product: gone, quantity: 1 }])
    const token = await apiToken(client, fixture.users.cashier)
    ;(await client.post('/api/sales').bearerToken(token).header('idempotency-key', randomUUID()).header('X-Till-Device', device.deviceId).json({ items: [{ product_id: tea.id, quantity: 2 }], payment_method: 'cash', register_id: fixture.register.id })).assertStatus(201)
    assert.equal((await device.sync(client, sold)).body().results[0].outcome, 'conflict')
    const review = await reviewOf(sold.client_uuid)
    // Not the same sale: tea ×2 online, tea and a mug held
    assert.include((await client.get(`/backoffice/offline/${review.id}`).loginAs(fixture.users.manager)).text(), 'These are different sales')
    await db.from('product_barcodes').where('product_id', gone.id).delete()
    await db.from('stock_movements').where('product_id', gone.id).delete()
    await db.from('products').where('id', gone.id).delete()

    const refused = await post(client, fixture.users.manager, `/backoffice/offline/${review.id}/record`, { htmx: true })
    refused.assertStatus(422)
    assert.include(refused.text(), 'Line 2 (Seasonal mug)')
    assert.equal(await countRows('sales', { register_id: fixture.register.id }), 1)
    assert.equal(await stockOf(tea.id), 48)
    assert.isNull((await reviewOf(sold.client_uuid)).resolved_at)
    assert.equal(await countRows('audit_logs', { action: 'offline_sale_recorded', store_id: fixture.store.id }), 0)
  })
  test("a held sale dated by its till's wrong clock (over a year back) is not recorded (422), as the sync would not; nothing is written", async ({ client, assert }) => {
    const { fixture, held } = await lostAnswer(client, 0, { at: DateTime.utc().minus({ days: 400 }) })
    const conflict = await reviewOf(held[0].client_uuid)
    const page = await client.get(`/backoffice/offline/${conflict.id}`).loginAs(fixture.users.manager)
    assert.include(page.text(), 'over a year ago')
    assert.notInclude(page.text(), 'Record as a new sale')
    const refused = await post(client, fixture.users.manager, `/backoffice/offline/${conflict.id}/record`, { htmx: true })
    refused.assertStatus(422)
    assert.include(refused.text(), 'over a year ago')
    assert.equal(await countRows('sales', { register_id: fixture.register.id }), 1)
    assert.isNull((await reviewOf(held[0].client_uuid)).resolved_at)
  })

  test('a held sale no other sale holds the number of cannot be dismissed as a copy (409): it is recorded or marked reviewed', async ({ client, assert }) => {
    const { fixture, device, held } = await lostAnswer(client)
    const conflict = await reviewOf(held[0].client_uuid)
    ;(await post(client, fixture.users.manager, `/backoffice/offline/${conflict.id}/dismiss`)).assertStatus(302)
    assert.equal((await handOver(client, device, held)).body().state, 'handed_over')
    const second = await reviewOf(held[1].client_uuid)
    const refused = await post(client, fixture.users.manager, `/backoffice/offline/${second.id}/dismiss`, { htmx: true })
    refused.assertStatus(409)
    assert.include(refused.text(), 'No sale holds #2 on this register')
    const open = await reviewOf(held[1].client_uuid)
    assert.isNull(open.resolved_at)
    assert.isNull(open.resolution)
  })

  test('a held sale made in a shift closed since goes in no shift, not in the shift that opened minutes after it, and is reviewed (shift_closed)', async ({ client, assert }) => {
    const made = DateTime.utc().minus({ minutes: 30 }).startOf('second')
    const { fixture, held } = await lostAnswer(client, 0, { at: made })
    // Shift A was open when the sale was made and closed 3 minutes later; the open one began 5 minutes after it
    const open = await db.from('shifts').where({ open_register_id: fixture.register.id }).first()
    await db.from('shifts').where('id', open.id).update({ opened_at: dbTimestamp(made.plus({ minutes: 5 })) })
    const { id: _id, ...row } = open
    await db.table('shifts').insert({ ...row, open_register_id: null, status: 'closed', opened_at: dbTimestamp(made.minus({ hours: 1 })), closed_at: dbTimestamp(made.plus({ minutes: 3 })), closed_by: fixture.users.manager.id, counted_cash: 0 })
    const conflict = await reviewOf(held[0].client_uuid)
    ;(await post(client, fixture.users.manager, `/backoffice/offline/${conflict.id}/record`)).assertStatus(302)
    const sale = await db.from('sales').where({ register_id: fixture.register.id, number: 2 }).first()
    assert.equal(rowTime(sale.completed_at)!.toMillis(), made.toMillis())
    assert.isNull(sale.shift_id, "its cash was in the closed shift's drawer")
    // Reviewed as the sync reviews such a sale: its takings are in no Z report
    const reviewed = await db.from('offline_reviews').where({ client_uuid: held[0].client_uuid, kind: 'shift_closed' }).first()
    assert.isNotNull(reviewed, 'a shift_closed review')
    assert.equal(Number(reviewed.sale_id), Number(sale.id))
    assert.isNull(reviewed.resolved_at)
    assert.include(reviewed.message, 'closed before the sale synced')
  })
})

