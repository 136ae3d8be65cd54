import { test } from '@japa/runner'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import db from '@adonisjs/lucid/services/db'
import { DateTime } from 'luxon'
import { apiToken, createProduct, createStore, countRows, ledgerSum, stockOf } from '#tests/fixtures'
import { verifyChains } from '#sales/chain_verifier'
import { dbTimestamp } from '#platform/db_time'
import { completedSale, returnsFootprint } from './helpers.js'
import { voidRefusal } from '#returns/void_service'
import { reopen, submit } from '#tests/functional/backoffice/helpers'

/*
| Voiding a completed sale (a manager, the same business day, a reason; the sale stays), and the
| hash chain of sales, refunds and voids per register that audit:verify walks.
*/

const run = promisify(execFile)

test.group('Voids', () => {
  test('a manager voids today’s sale: it stays, marked voided with who and why, and the stock comes back', async ({ client, assert }) => {
    const fixture = await createStore()
    const a = await createProduct(fixture, { stock: 10 })
    const cashier = await apiToken(client, fixture.users.cashier)
    const manager = await apiToken(client, fixture.users.manager)
    const sale = await completedSale(client, cashier, [{ product_id: a.id, quantity: 3 }])
    assert.equal(await stockOf(a.id), 7)

    const before = await returnsFootprint(fixture)
    const denied = await client.post(`/api/sales/${sale.id}/void`).bearerToken(cashier).json({ reason: 'Mistake' })
    denied.assertStatus(403)
    const noReason = await client.post(`/api/sales/${sale.id}/void`).bearerToken(manager).json({ reason: '' })
    noReason.assertStatus(422)
    assert.equal(noReason.body().errors[0].field, 'reason')
    assert.deepEqual(await returnsFootprint(fixture), before)

    const voided = await client.post(`/api/sales/${sale.id}/void`).bearerToken(manager).json({ reason: 'Rung up on the wrong register' })
    voided.assertStatus(200)
    assert.equal(voided.body().status, 'voided')
    assert.equal(voided.body().voided_by, fixture.users.manager.id)
    assert.equal(voided.body().void_reason, 'Rung up on the wrong register')
    assert.equal(voided.body().number, sale.number)
    assert.equal(await stockOf(a.id), 10)
    assert.equal(await ledgerSum(a.id), 10)
    assert.equal(await countRows('stock_movements', { sale_id: sale.id, reason: 'void' }), 1)
    assert.equal(await countRows('audit_logs', { subject_id: sale.id, action: 'sale_voided' }), 1)
    assert.equal(await countRows('sales', { id: sale.id }), 1, 'never deleted')

    const again = await client.post(`/api/sales/${sale.id}/void`).bearerToken(manager).json({ reason: 'Twice' })
    again.assertStatus(409)
    assert.equal(again.body().errors[0].code, 'sale_voided')
    assert.equal(await stockOf(a.id), 10)
  })

  test('a sale of a closed shift, one without a shift from another day, or one with refunds, cannot be voided', async ({ client, assert }) => {
    const fixture = await createStore()
    const a = await createProduct(fixture, { stock: 10 })
    const cashier = await apiToken(client, fixture.users.cashier)
    const manager = await apiToken(client, fixture.users.manager)
    // Register 1 has an open shift: its sale can be voided until the drawer is counted
    const counted = await completedSale(client, cashier, [{ product_id: a.id, quantity: 1 }])
    const shift = await db.from('shifts').where({ register_id: fixture.register.id, status: 'open' }).firstOrFail()
    assert.equal((await db.from('sales').where('id', counted.id).first()).shift_id, shift.id)
    ;(await client.post(`/api/shifts/${shift.id}/close`).bearerToken(cashier).json({ counts: { '1000': 1 } })).assertStatus(200)
    // Register 2 has no shift: its sale only on the day it was made
    const register2 = await db.from('registers').where('store_id', fixture.store.id).whereNot('id', fixture.register.id).firstOrFail()
    const old = (
      await client.post('/api/sales').bearerToken(cashier).json({ register_id: register2.id, items: [{ product_id: a.id, quantity: 1 }], payment_method: 'card_external' })
    ).body()
    await db.from('sales').where('id', old.id).update({ completed_at: dbTimestamp(DateTime.utc().minus({ days: 2 })) })
    // By card: register 1's shift is closed, and cash goes back only from an open shift's drawer
    const refunded = await completedSale(client, cashier, [{ product_id: a.id, quantity: 2 }], 'card_external')
    ;(await client.post(`/api/sales/${refunded.id}/refunds`).bearerToken(cashier).json({ items: [{ sale_item_id: refunded.items[0].id, quantity: 1 }], reason: 'One back' })).assertStatus(201)

    const before = await returnsFootprint(fixture)
    const closed = await client.post(`/api/sales/${counted.id}/void`).bearerToken(manager).json({ reason: 'After the count' })
    closed.assertStatus(409)
    assert.equal(closed.body().errors[0].code, 'void_window_closed')
    const late = await client.post(`/api/sales/${old.id}/void`).bearerToken(manager).json({ reason: 'Too late' })
    late.assertStatus(409)
    assert.equal(late.body().errors[0].code, 'void_window_closed')
    const withRefund = await client.post(`/api/sales/${refunded.id}/void`).bearerToken(manager).json({ reason: 'Has a refund' })
    withRefund.assertStatus(409)
    assert.equal(withRefund.body().errors[0].code, 'sale_has_refunds')
    assert.deepEqual(await returnsFootprint(fixture), before)
  })
})

test.group('Voids: the store day', () => {
  test('a sale of an earlier store day cannot be voided even while its shift is still open: it is refunded instead', async ({ client, assert }) => {
    const fixture = await createStore()
    const a = await createProduct(fixture, { stock: 10 })
    const cashier = await apiToken(client, fixture.users.cashier)
    const manager = await apiToken(client, fixture.users.manager)
    // Register 1's shift was opened three days ago and left open over the nights since
    const shift = await db.from('shifts').where({ register_id: fixture.register.id, status: 'open' }).firstOrFail()
    await db.from('shifts').where('id', shift.id).update({ opened_at: dbTimestamp(DateTime.utc().minus({ days: 3 })) })
    const old = await completedSale(client, cashier, [{ product_id: a.id, quantity: 2 }], 'card_external')
    const yesterday = DateTime.now().setZone(fixture.store.timeZone).minus({ days: 1 }).set({ hour: 12 })
    await db.from('sales').where('id', old.id).update({ completed_at: dbTimestamp(yesterday.toUTC()) })
    assert.equal((await db.from('sales').where('id', old.id).first()).shift_id, shift.id, 'still in the open shift')

    const before = await returnsFootprint(fixture)
    const refused = await client.post(`/api/sales/${old.id}/void`).bearerToken(manager).json({ reason: 'Rung up twice' })
    refused.assertStatus(409)
    assert.equal(refused.body().errors[0].code, 'void_window_closed')
    assert.include(refused.body().errors[0].message, 'refund it instead')
    assert.include(refused.body().errors[0].message, yesterday.toISODate()!)
    // The back office says the same, on the sale's page: in place of a void form that can only fail
    const page = `/backoffice/sales/${old.id}`
    const shown = await client.get(page).loginAs(fixture.users.manager)
    assert.include(shown.text(), 'data-testid="void-closed"')
    assert.notInclude(shown.text(), 'Void this sale')
    const failed = await submit(client, fixture.users.manager, 'post', `${page}/void`, { reason: 'Rung up twice' }, page)
    failed.assertStatus(302)
    assert.include((await reopen(client, fixture.users.manager, page, failed)).text(), 'refund it instead')
    assert.deepEqual(await returnsFootprint(fixture), before)
    assert.equal((await db.from('sales').where('id', old.id).first()).status, 'completed')

    // Refunded, the money goes back on today's figures and yesterday's stay as reported
    const refund = await client.post(`/api/sales/${old.id}/refunds`).bearerToken(cashier).json({ items: [{ sale_item_id: old.items[0].id, quantity: 2 }], reason: 'Rung up twice' })
    refund.assertStatus(201)
    assert.equal(await stockOf(a.id), 10)

    // Today's sale in that same shift is voided as before
    const today = await completedSale(client, cashier, [{ product_id: a.id, quantity: 1 }], 'card_external')
    assert.include((await client.get(`/backoffice/sales/${today.id}`).loginAs(fixture.users.manager)).text(), 'Void this sale')
    ;(await client.post(`/api/sales/${today.id}/void`).bearerToken(manager).json({ reason: 'Mistake' })).assertStatus(200)
  })

  test('the store day is the store’s: its midnight in its time zone, not the server’s', ({ assert }) => {
    const zone = 'America/New_York' // 05:00 UTC is midnight there in winter
    const soldAt = (iso: string) => ({ completedAt: DateTime.fromISO(iso, { zone: 'utc' }) }) as any
    const now = DateTime.fromISO('2026-12-06T04:30:00Z') // 23:30 on the 5th in New York
    assert.isNull(voidRefusal(soldAt('2026-12-05T05:10:00Z'), zone, true, now), '00:10 the same store day')
    assert.isNull(voidRefusal(soldAt('2026-12-05T05:10:00Z'), zone, null, now), 'without a shift too')
    assert.include(voidRefusal(soldAt('2026-12-05T04:50:00Z'), zone, true, now)!, '2026-12-04', '23:50 the store day before, its shift open')
    assert.include(voidRefusal(soldAt('2026-12-05T20:00:00Z'), zone, false, now)!, 'shift is closed')
    // Past the store's midnight (05:00 UTC), the same sale is from an earlier day
    assert.include(voidRefusal(soldAt('2026-12-05T20:00:00Z'), zone, true, DateTime.fromISO('2026-12-06T05:01:00Z'))!, 'refund it instead')
  })
})

test.group('The chain', () => {
  test('sales, refunds and voids link per register; a tampered total is named, and so is a removed refund', async ({ client, assert }) => {
    const fixture = await createStore()
    const a = await createProduct(fixture, { price: 1000, stock: 20 })
    const cashier = await apiToken(client, fixture.users.cashier)
    const manager = await apiToken(client, fixture.users.manager)
    const first = await completedSale(client, cashier, [{ product_id: a.id, quantity: 2 }])
    const refund = await client.post(`/api/sales/${first.id}/refunds`).bearerToken(cashier).json({ items: [{ sale_item_id: first.items[0].id, quantity: 1 }], reason: 'One back' })
    refund.assertStatus(201)
    const second = await completedSale(client, cashier, [{ product_id: a.id, quantity: 1 }], 'card_external')
    ;(await client.post(`/api/sales/${second.id}/void`).bearerToken(manager).json({ reason: 'Test' })).assertStatus(200)
    const third = await completedSale(client, cashier, [{ product_id: a.id, quantity: 4 }])

    // Each record links to the one before it on the register
    const refundRow = await db.from('refunds').where('id', refund.body().id).first()
    const secondRow = await db.from('sales').where('id', second.id).first()
    const thirdRow = await db.from('sales').where('id', third.id).first()
    assert.equal(refundRow.previous_hash, (await db.from('sales').where('id', first.id).first()).hash)
    assert.equal(secondRow.previous_hash, refundRow.hash)
    assert.equal(secondRow.void_previous_hash, secondRow.hash)
    assert.equal(thirdRow.previous_hash, secondRow.void_hash)
    assert.equal((await db.from('registers').where('id', fixture.register.id).first()).last_sale_hash, thirdRow.hash)

    let verdicts = await verifyChains(fixture.store.id)
    assert.deepEqual(verdicts.map((v) => [v.records, v.ok]), [[5, true], [0, true]])

    // A total changed behind the application's back
    await db.from('sales').where('id', second.id).update({ total: secondRow.total - 100 })
    verdicts = await verifyChains(fixture.store.id)
    assert.isFalse(verdicts[0].ok)
    assert.deepEqual(verdicts[0].record, { kind: 'sale', id: second.id })
    assert.include(verdicts[0].problem!, `#${second.number}`)
    assert.include(verdicts[0].problem!, 'altered')
    await db.from('sales').where('id', second.id).update({ total: secondRow.total })
    assert.isTrue((await verifyChains(fixture.store.id))[0].ok)

    // A refund line's quantity, then the whole refund, removed
    const refundItem = await db.from('refund_items').where('refund_id', refundRow.id).first()
    await db.from('refund_items').where('id', refundItem.id).update({ quantity: 2 })
    verdicts = await verifyChains(fixture.store.id)
    assert.deepEqual(verdicts[0].record, { kind: 'refund', id: refundRow.id })

    await db.from('refund_items').where('refund_id', refundRow.id).delete()
    await db.from('refund_payments').where('refund_id', refundRow.id).delete()
    await db.from('refunds').where('id', refundRow.id).delete()
    verdicts = await verifyChains(fixture.store.id)
    assert.isFalse(verdicts[0].ok)
    assert.deepEqual(verdicts[0].record, { kind: 'sale', id: second.id }, 'the gap is named by the record after it')
    assert.include(verdicts[0].problem!, `#${first.number}`)
    assert.include(verdicts[0].problem!, 'removed')

    // The command says the same and exits with 1
    const failed = await run('node', ['ace.js', 'audit:verify', `--store=${fixture.store.id}`]).then(
      () => null,
      (error) => error
    )
    assert.isNotNull(failed, 'audit:verify must exit with 1 on a broken chain')
    assert.equal(failed.code, 1)
    assert.include(failed.stdout + failed.stderr, 'removed')
  })

  test('audit:verify exits with 0 on an intact store', async ({ client, assert }) => {
    const fixture = await createStore()
    const a = await createProduct(fixture, { stock: 5 })
    await completedSale(client, await apiToken(client, fixture.users.cashier), [{ product_id: a.id, quantity: 1 }])
    const { stdout } = await run('node', ['ace.js', 'audit:verify', `--store=${fixture.store.id}`])
    assert.include(stdout, '1 record(s), intact')
    // A store that is not there is a usage error (it said "0 register chain(s) verified", exit 0)
    const none = await run('node', ['ace.js', 'audit:verify', '--store=999999999']).then(() => null, (error) => error)
    assert.equal(none?.code, 2)
    assert.include(none.stdout + none.stderr, 'No store 999999999')
  })
})
