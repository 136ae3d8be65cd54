import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { DateTime } from 'luxon'
import { apiToken, countRows, createProduct, createStore, ledgerSum, stockOf } from '#tests/fixtures'
import { verifyChains } from '#sales/chain_verifier'
import { TestDevice } from './device.js'
import ShiftService from '#shifts/shift_service'
import { dbTimestamp } from '#platform/db_time'

/*
| Syncing the sales a till made offline (POST /till/offline/sales, batches of one register's sales):
| exactly once, as the register's next numbers on top of its chain, checked like any sale, recorded
| as facts with what differed listed for a manager; a register that sold meanwhile refuses loudly
| and keeps the sale. Each test runs on the suite's database (SQLite or MariaDB).
*/

async function chainsOk(storeId: number) {
  const verdicts = await verifyChains(storeId)
  return verdicts.every((v) => v.ok) ? true : verdicts.filter((v) => !v.ok).map((v) => v.problem)
}

test.group('Offline till: sync', () => {
  test('three offline sales sync in order after the last online one: consecutive numbers, the chain verifies, stock equals the ledger', async ({ client, assert }) => {
    const fixture = await createStore()
    const tea = await createProduct(fixture, { price: 450, stock: 20 })
    const cake = await createProduct(fixture, { price: 1200, stock: 20, taxClass: 'reduced' })
    const token = await apiToken(client, fixture.users.cashier)
    const online = await client.post('/api/sales').bearerToken(token).header('idempotency-key', crypto.randomUUID()).json({ items: [{ product_id: tea.id, quantity: 1 }], payment_method: 'cash', register_id: fixture.register.id })
    online.assertStatus(201)

    const device = new TestDevice(fixture)
    ;(await device.takeLease(client)).assertStatus(200)
    assert.equal(device.lastNumber, online.body().number)
    await device.sell([{ product: tea, quantity: 2 }, { product: cake, quantity: 1 }])
    await device.sell([{ product: cake, quantity: 3, discount: { type: 'percent', value: 1000 } }], { cartDiscount: { type: 'amount', value: 100 } })
    await device.sell([{ product: tea, quantity: 1 }], { cash: false })

    // The till's queue in one batch: one answer per sale, in order
    const answer = await device.sync(client, ...device.queue)
    answer.assertStatus(200)
    assert.deepEqual(answer.body().results.map((r: any) => [r.client_uuid, r.outcome, r.number]), device.queue.map((s) => [s.client_uuid, 'recorded', s.number]))
    const numbers = (await db.from('sales').where('register_id', fixture.register.id).whereNotNull('number').orderBy('number').select('number', 'channel')).map((s) => `${s.number}:${s.channel}`)
    assert.deepEqual(numbers, ['1:api', '2:offline', '3:offline', '4:offline'])
    assert.isTrue(await chainsOk(fixture.store.id))
    assert.equal(await stockOf(tea.id), 20 - 1 - 2 - 1)
    assert.equal(await stockOf(tea.id), await ledgerSum(tea.id))
    assert.equal(await stockOf(cake.id), await ledgerSum(cake.id))

    // The sale reads like any other: its lines, totals and payments in the API
    const second = await db.from('sales').where({ register_id: fixture.register.id, number: 3 }).first()
    const read = await client.get(`/api/sales/${second.id}`).bearerToken(token)
    read.assertStatus(200)
    assert.equal(read.body().total, device.queue[1].total)
    assert.equal(read.body().items[0].quantity, 3)
    assert.equal(read.body().payments[0].method, 'cash')
    assert.equal(await countRows('audit_logs', { action: 'sale_completed', subject_id: second.id }), 1)
  })

  test('the same sale again, twice at once, or after a retry, is one sale; the answer is the first one', async ({ client, assert }) => {
    const fixture = await createStore()
    const tea = await createProduct(fixture, { price: 450, stock: 20 })
    const device = new TestDevice(fixture)
    await device.takeLease(client)
    const sale = await device.sell([{ product: tea, quantity: 2 }])

    const [a, b] = (await Promise.all([device.sync(client, sale), device.sync(client, sale)])).map((answer) => (answer.assertStatus(200), answer.body().results[0]))
    assert.sameMembers([a.outcome, b.outcome], ['recorded', 'replayed'])
    assert.equal(a.sale_id, b.sale_id)
    const again = (await device.sync(client, sale)).body().results[0]
    assert.equal(again.outcome, 'replayed')
    assert.equal(again.sale_id, a.sale_id)
    assert.equal(await countRows('sales', { client_uuid: sale.client_uuid }), 1)
    assert.equal(await stockOf(tea.id), 18)
    assert.equal(await ledgerSum(tea.id), 18)
  })

  test('a register that sold meanwhile refuses the offline sale loudly and keeps it whole for a manager', async ({ client, assert }) => {
    const fixture = await createStore()
    const tea = await createProduct(fixture, { price: 450, stock: 20 })
    const device = new TestDevice(fixture)
    await device.takeLease(client)
    const offline = await device.sell([{ product: tea, quantity: 1 }])

    // A manager frees the register (its till thought lost) and another client sells on it through the API meanwhile
    ;(await client.post(`/backoffice/offline/registers/${fixture.register.id}/release`).loginAs(fixture.users.manager).withCsrfToken().redirects(0)).assertStatus(302)
    const token = await apiToken(client, fixture.users.manager)
    ;(await client.post('/api/sales').bearerToken(token).header('idempotency-key', crypto.randomUUID()).json({ items: [{ product_id: tea.id, quantity: 1 }], payment_method: 'cash', register_id: fixture.register.id })).assertStatus(201)

    const refused = (await device.sync(client, offline)).body().results[0]
    assert.equal(refused.outcome, 'conflict')
    assert.equal(refused.error.code, 'register_conflict')
    assert.include(refused.error.message, 'kept for a manager')
    assert.include(refused.error.message, 'Someone sold on this register meanwhile')
    assert.equal(await countRows('sales', { client_uuid: offline.client_uuid }), 0)
    assert.equal(await stockOf(tea.id), 19)
    assert.equal(await countRows('offline_reviews', { client_uuid: offline.client_uuid, kind: 'conflict' }), 1)
    const kept = await db.from('offline_reviews').where({ client_uuid: offline.client_uuid }).first()
    assert.equal(JSON.parse(kept.detail).hash, offline.hash)

    // Sent again: the same refusal, still one review
    assert.equal((await device.sync(client, offline)).body().results[0].outcome, 'conflict')
    assert.equal(await countRows('offline_reviews', { client_uuid: offline.client_uuid }), 1)
    assert.isTrue(await chainsOk(fixture.store.id))

    const page = await client.get('/backoffice/offline').loginAs(fixture.users.manager)
    page.assertStatus(200)
    assert.include(page.text(), 'Not recorded: kept for review')
    assert.include(page.text(), `Register sale #1 made offline cannot be recorded`)
  })

  test("the till's own online sale whose answer was lost, then its offline sale of that number: the conflict says so, not that someone else sold", async ({ client, assert }) => {
    const fixture = await createStore()
    const tea = await createProduct(fixture, { price: 450, stock: 20 })
    const device = new TestDevice(fixture)
    await device.takeLease(client)
    // Paid online from this till (its device header): recorded, but the answer never reached it
    const token = await apiToken(client, fixture.users.cashier)
    ;(await client.post('/api/sales').bearerToken(token).header('x-till-device', device.deviceId).header('idempotency-key', crypto.randomUUID())
      .json({ items: [{ product_id: tea.id, quantity: 1 }], payment_method: 'cash', register_id: fixture.register.id })).assertStatus(201)
    // Offline, the till numbers its next sale from the head it knew: the number its own online sale took
    const offline = await device.sell([{ product: tea, quantity: 1 }])
    const refused = (await device.sync(client, offline)).body().results[0]
    assert.equal(refused.outcome, 'conflict')
    assert.equal(refused.error.code, 'register_conflict')
    // It said "Someone sold on this register meanwhile": the manager looked for a till that never sold
    assert.equal(refused.error.message, "Register sale #1 made offline cannot be recorded: the register's next number is #2. A sale, refund or void was recorded online from this same till after the till last heard from the server (an answer lost as the network went, most likely). The sale is kept for a manager to review.")
    assert.equal(await countRows('sales', { client_uuid: offline.client_uuid }), 0)
    assert.isTrue(await chainsOk(fixture.store.id))
  })

  test('a forged or tampered sale is refused, written to the audit log, and nothing else is written', async ({ client, assert }) => {
    const fixture = await createStore()
    const tea = await createProduct(fixture, { price: 450, stock: 20 })
    const device = new TestDevice(fixture)
    await device.takeLease(client)
    const honest = await device.sell([{ product: tea, quantity: 2 }])

    const cheaper = { ...honest, total: honest.total - 100, payments: [{ ...honest.payments[0], amount: honest.payments[0].amount - 100 }] }
    const wrongHash = { ...honest, hash: 'f'.repeat(64) }
    const underpaid = { ...honest, payments: [{ ...honest.payments[0], amount: 1 }] }
    const other = await createStore()
    const foreignCashier = { ...honest, user_id: other.users.cashier.id }
    for (const [forged, field] of [[cheaper, 'hash'], [wrongHash, 'hash'], [underpaid, 'hash'], [foreignCashier, 'user_id']] as const) {
      const answer = await device.sync(client, forged)
      answer.assertStatus(200)
      assert.equal(answer.body().results[0].outcome, 'refused')
      assert.equal(answer.body().results[0].error.code, 'offline_sale_invalid')
      assert.equal(answer.body().results[0].error.field, field)
    }
    assert.equal(await countRows('sales', { client_uuid: honest.client_uuid }), 0)
    assert.equal(await stockOf(tea.id), 20)
    assert.equal(await countRows('audit_logs', { action: 'offline_sale_refused', store_id: fixture.store.id }), 4)

    const bad = await device.sync(client, { ...honest, items: [{ ...honest.items[0], quantity: 'two' }] })
    bad.assertStatus(422)
    assert.equal(bad.body().errors[0].field, 'sales.0.items.0.quantity')

    // The honest one still goes through
    assert.equal((await device.sync(client, honest)).body().results[0].outcome, 'recorded')
  })

  test('cash that settles a sale in a cash-rounding store must be rounded to its coin; a sale a card settles is not', async ({ client, assert }) => {
    const fixture = await createStore({ cashRounding: 5 })
    // 2 x 101 = 202, + 8% tax 16 = 218: cash pays 220
    const gum = await createProduct(fixture, { price: 101, stock: 20 })
    const device = new TestDevice(fixture)
    await device.takeLease(client)
    // A till that did not round (its sale otherwise sound: totals and hash add up)
    fixture.store.cashRounding = 1
    const unrounded = await device.sell([{ product: gum, quantity: 2 }])
    fixture.store.cashRounding = 5
    assert.equal(unrounded.total, 218)
    const [refused] = (await device.sync(client, unrounded)).body().results
    assert.equal(refused.outcome, 'refused')
    assert.include(refused.error.message, "its cash rounding is 0, the store's rounding makes 2")
    assert.equal(await countRows('sales', { client_uuid: unrounded.client_uuid }), 0)

    device.lastNumber = 0
    device.lastHash = null
    const rounded = await device.sell([{ product: gum, quantity: 2 }])
    assert.equal(rounded.rounding, 2)
    const byCard = await device.sell([{ product: gum, quantity: 2 }], { cash: false })
    assert.equal(byCard.rounding, 0)
    const outcomes = (await device.sync(client, rounded, byCard)).body().results.map((r: any) => r.outcome)
    assert.deepEqual(outcomes, ['recorded', 'recorded'])
  })

  test('an offline sale is a fact: negative stock, a changed price, a changed tax rate and an archived product are recorded and listed for review', async ({ client, assert }) => {
    const fixture = await createStore()
    const tea = await createProduct(fixture, { name: 'Green Tea', price: 450, stock: 1 })
    const cake = await createProduct(fixture, { name: 'Carrot Cake', price: 1200, stock: 10 })
    const device = new TestDevice(fixture)
    await device.takeLease(client)
    const sale = await device.sell([{ product: tea, quantity: 3 }, { product: cake, quantity: 1, taxRatePpm: 70000 }])

    // Meanwhile the back office raised the cake's price and took the tea off sale
    await db.from('products').where('id', cake.id).update({ price: 1300 })
    await db.from('products').where('id', tea.id).update({ active: false })

    const answer = await device.sync(client, sale)
    answer.assertStatus(200)
    assert.sameMembers(answer.body().results[0].reviews, ['negative_stock', 'price_changed', 'tax_changed', 'product_archived'])
    assert.equal(await stockOf(tea.id), -2)
    assert.equal(await ledgerSum(tea.id), -2)

    const page = await client.get('/backoffice/offline').loginAs(fixture.users.manager)
    assert.include(page.text(), 'Green Tea: stock went to -2 with this offline sale')
    assert.include(page.text(), 'Carrot Cake was sold offline at 1200 (list); the price is now 1300')
    const review = await db.from('offline_reviews').where({ client_uuid: sale.client_uuid, kind: 'negative_stock' }).first()
    const resolved = await client.post(`/backoffice/offline/${review.id}/resolve`).loginAs(fixture.users.manager).withCsrfToken().redirects(0)
    resolved.assertStatus(302)
    assert.isNotNull((await db.from('offline_reviews').where('id', review.id).first()).resolved_at)

    for (const role of ['cashier', 'accountant'] as const) {
      ;(await client.get('/backoffice/offline').loginAs(fixture.users[role])).assertStatus(403)
    }
  })

  test('a sale goes to the shift open when it was made: one made in a shift closed before it synced is in no shift, and listed for review', async ({ client, assert }) => {
    const fixture = await createStore()
    const tea = await createProduct(fixture, { price: 450, stock: 50 })
    const device = new TestDevice(fixture)
    ;(await device.takeLease(client)).assertStatus(200)
    const first = await db.from('shifts').where({ open_register_id: fixture.register.id }).firstOrFail()
    const inFirst = await device.sell([{ product: tea, quantity: 1 }], { at: DateTime.utc().plus({ seconds: 1 }) })
    // The drawer counted and the shift closed while the till was offline, then the next one opened
    await db.from('shifts').where('id', first.id).update({ status: 'closed', open_register_id: null, closed_at: dbTimestamp(DateTime.utc().plus({ seconds: 2 })) })
    await db.from('registers').where('id', fixture.register.id).update({ open_shift_id: null })
    await new ShiftService().open({ user: fixture.users.manager, store: fixture.store }, fixture.register.id, { amount: 0 })
    const second = await db.from('shifts').where({ open_register_id: fixture.register.id }).firstOrFail()
    await db.from('shifts').where('id', second.id).update({ opened_at: dbTimestamp(DateTime.utc().plus({ seconds: 120 })) })
    // Stamped a minute before the second shift opened, by no shift: the till's clock lags, it is the open shift's
    const lagging = await device.sell([{ product: tea, quantity: 1 }], { at: DateTime.utc().plus({ seconds: 60 }) })
    const inSecond = await device.sell([{ product: tea, quantity: 1 }], { at: DateTime.utc().plus({ seconds: 121 }) })

    const answer = await device.syncAll(client, assert)
    assert.deepEqual(answer.body().results.map((r: any) => r.reviews), [['shift_closed'], [], []])
    const shifts = await db.from('sales').whereIn('client_uuid', [inFirst.client_uuid, lagging.client_uuid, inSecond.client_uuid]).orderBy('number').select('shift_id')
    // Before, all went to the shift open at the sync: the first shift's cash counted again in the second's drawer
    assert.deepEqual(shifts.map((row) => row.shift_id), [null, second.id, second.id])
    const review = await db.from('offline_reviews').where({ client_uuid: inFirst.client_uuid, kind: 'shift_closed' }).firstOrFail()
    assert.include(review.message, `in shift #${first.id}, closed before the sale synced`)
  })

  test('a product moved to another tax class since the till\'s copy is listed for review', async ({ client, assert }) => {
    const fixture = await createStore()
    const tea = await createProduct(fixture, { price: 450, stock: 50, taxClass: 'zero' })
    const device = new TestDevice(fixture)
    ;(await device.takeLease(client)).assertStatus(200)
    await device.sell([{ product: tea, quantity: 1 }])
    await db.from('products').where('id', tea.id).update({ tax_class: 'standard' })
    const answer = await device.syncAll(client, assert)
    // Before, the rate of the class the till sent was compared with itself: nothing was listed
    assert.deepEqual(answer.body().results[0].reviews, ['tax_changed'])
  })

  test('a batch with a repeat, a sale twice, a tampered sale and a conflict in the middle: the sales before each stop are recorded, the answer says per sale what happened', async ({ client, assert }) => {
    const fixture = await createStore()
    const tea = await createProduct(fixture, { price: 450, stock: 30 })
    const cake = await createProduct(fixture, { price: 1200, stock: 30, taxClass: 'reduced' })
    const device = new TestDevice(fixture)
    await device.takeLease(client)
    const sales = []
    for (let i = 0; i < 6; i++) sales.push(await device.sell([{ product: tea, quantity: 1 + (i % 2) }, ...(i % 3 ? [{ product: cake, quantity: 1 }] : [])], { cash: i !== 2 }))
    const [s1, s2, s3, s4, s5, s6] = sales
    const outcomes = (answer: any) => (answer.assertStatus(200), answer.body().results.map((r: any) => r.outcome))

    const first = await device.sync(client, s1, s2)
    assert.deepEqual(outcomes(first), ['recorded', 'recorded'])
    const s2Id = first.body().results[1].sale_id

    // s2 again (its answer was lost), s3 twice, then a tampered s5: recorded up to it, s6 not looked at
    const tampered = { ...s5, total: s5.total - 100, payments: [{ ...s5.payments[0], amount: s5.payments[0].amount - 100 }] }
    const second = await device.sync(client, s2, s3, s3, s4, tampered, s6)
    assert.deepEqual(outcomes(second), ['replayed', 'recorded', 'replayed', 'recorded', 'refused', 'skipped'])
    const results = second.body().results
    assert.equal(results[0].sale_id, s2Id)
    assert.equal(results[1].sale_id, results[2].sale_id)
    assert.deepEqual([results[1].number, results[3].number], [s3.number, s4.number])
    assert.deepEqual([results[4].error.code, results[4].error.field], ['offline_sale_invalid', 'hash'])
    assert.isNull(results[5].error)
    assert.equal(await countRows('audit_logs', { action: 'offline_sale_refused', store_id: fixture.store.id }), 1)
    for (const sale of [s3, s4]) assert.equal(await countRows('sales', { client_uuid: sale.client_uuid }), 1)
    for (const sale of [s5, s6]) assert.equal(await countRows('sales', { client_uuid: sale.client_uuid }), 0)
    assert.equal(await countRows('offline_reviews', { client_uuid: s6.client_uuid }), 0)

    // A stale till numbered a sale on the same register: a conflict after s5, s6 skipped, nothing after s5 moves
    const stale = new TestDevice(fixture)
    stale.lastNumber = s4.number
    stale.lastHash = s4.hash
    const foreign = await stale.sell([{ product: tea, quantity: 5 }])
    const third = await device.sync(client, s5, foreign, s6)
    assert.deepEqual(outcomes(third), ['recorded', 'conflict', 'skipped'])
    assert.equal(third.body().results[1].error.code, 'register_conflict')
    assert.equal(await countRows('offline_reviews', { client_uuid: foreign.client_uuid, kind: 'conflict' }), 1)
    assert.equal(await countRows('sales', { client_uuid: foreign.client_uuid }), 0)
    assert.equal(await countRows('audit_logs', { action: 'offline_sale_conflict', store_id: fixture.store.id }), 1)

    // The rest, with everything sent again: each sale once, numbers 1..6, the chain verifies
    assert.deepEqual(outcomes(await device.sync(client, ...sales)), ['replayed', 'replayed', 'replayed', 'replayed', 'replayed', 'recorded'])
    const rows = await db.from('sales').where('register_id', fixture.register.id).orderBy('number').select('number', 'client_uuid')
    assert.deepEqual(rows.map((r) => [Number(r.number), r.client_uuid]), sales.map((s) => [s.number, s.client_uuid]))
    assert.isTrue(await chainsOk(fixture.store.id))
    for (const product of [tea, cake]) assert.equal(await stockOf(product.id), await ledgerSum(product.id))
    assert.equal(await stockOf(tea.id), 30 - 9)
    assert.equal(await countRows('audit_logs', { action: 'sale_completed', store_id: fixture.store.id }), 6)
    // Each sale's rows are its own (the batch's multi-row INSERTs took each sale's id)
    for (const sale of sales) {
      const row = await db.from('sales').where('client_uuid', sale.client_uuid).first()
      const items = await db.from('sale_items').where('sale_id', row.id).orderBy('position').select('product_id', 'quantity')
      assert.deepEqual(items.map((i) => [Number(i.product_id), Number(i.quantity)]), sale.items.map((i: any) => [i.product_id, i.quantity]))
      assert.equal(Number((await db.from('payments').where('sale_id', row.id).sum('amount as paid').first()).paid), sale.total + sale.rounding)
    }

    // A batch of two registers' sales is refused whole
    const register2 = await db.from('registers').where('store_id', fixture.store.id).whereNot('id', fixture.register.id).first()
    const other = new TestDevice(fixture, Number(register2.id))
    await other.takeLease(client)
    const mixed = await device.sync(client, await device.sell([{ product: tea, quantity: 1 }]), await other.sell([{ product: tea, quantity: 1 }]))
    mixed.assertStatus(422)
    assert.equal(mixed.body().errors[0].code, 'mixed_registers')
  })

  test('two registers sell offline at once and sync interleaved, in any order of registers: both chains verify', async ({ client, assert }) => {
    const fixture = await createStore()
    const tea = await createProduct(fixture, { price: 450, stock: 50 })
    const register2 = await db.from('registers').where('store_id', fixture.store.id).whereNot('id', fixture.register.id).first()
    const one = new TestDevice(fixture)
    const two = new TestDevice(fixture, Number(register2.id))
    await one.takeLease(client)
    await two.takeLease(client)
    for (let i = 0; i < 3; i++) {
      await one.sell([{ product: tea, quantity: 1 }], { at: DateTime.utc().minus({ minutes: 10 - i }) })
      await two.sell([{ product: tea, quantity: 2 }])
    }
    const order = [two.queue[0], one.queue[0], two.queue[1], two.queue[2], one.queue[1], one.queue[2]]
    for (const sale of order) assert.equal((await (sale.register_id === one.registerId ? one : two).sync(client, sale)).body().results[0].outcome, 'recorded')
    assert.isTrue(await chainsOk(fixture.store.id))
    assert.equal(await stockOf(tea.id), 50 - 3 - 6)
    assert.equal(await ledgerSum(tea.id), 50 - 3 - 6)
  })

  test('one till holds a register at a time; a manager releases it; a till with unsynced sales holds the Z report back', async ({ client, assert }) => {
    const fixture = await createStore()
    const first = new TestDevice(fixture)
    const second = new TestDevice(fixture)
    ;(await first.takeLease(client, 2)).assertStatus(200)
    const refused = await second.takeLease(client)
    refused.assertStatus(409)
    assert.equal(refused.body().errors[0].code, 'register_leased')

    const shift = await db.from('shifts').where({ register_id: fixture.register.id, status: 'open' }).first()
    const close = await client.post(`/api/shifts/${shift.id}/close`).bearerToken(await apiToken(client, fixture.users.manager)).json({ counts: { '100': 1 } })
    close.assertStatus(409)
    assert.equal(close.body().errors[0].code, 'offline_sales_pending')
    assert.include(close.body().errors[0].message, '2 offline sales not synced yet')

    ;(await first.takeLease(client, 0)).assertStatus(200)
    const release = await client.post(`/backoffice/offline/registers/${fixture.register.id}/release`).loginAs(fixture.users.manager).withCsrfToken().redirects(0)
    release.assertStatus(302)
    ;(await second.takeLease(client)).assertStatus(200)
    assert.equal(await countRows('audit_logs', { action: 'register_lease_released', store_id: fixture.store.id }), 1)
    ;(await client.post(`/backoffice/offline/registers/${fixture.register.id}/release`).loginAs(fixture.users.cashier).withCsrfToken()).assertStatus(403)
  })
})
