import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { DateTime } from 'luxon'
import { createProduct, createStore, ledgerSum, stockOf } from '#tests/fixtures'
import { submit } from '#tests/functional/backoffice/helpers'
import { dbTimestamp } from '#platform/db_time'
import { TestDevice } from './device.js'

/*
| An offline sale made before a product was counted and synced after the count: the count found
| the sale's units gone already, so they are taken off once, not by the count and the sale both
| (app/inventory/counts_after_offline_sales.ts).
*/

async function countSheet(client: any, fixture: Awaited<ReturnType<typeof createStore>>, counts: Record<number, number>) {
  const manager = fixture.users.manager
  const url = (await submit(client, manager, 'post', '/backoffice/stock/stocktakes', {})).headers().location as string
  const fields = Object.fromEntries(Object.entries(counts).map(([id, counted]) => [`counted[p${id}]`, String(counted)]))
  ;(await submit(client, manager, 'post', url, fields)).assertStatus(302)
  return { url, fields, approve: () => submit(client, manager, 'post', url, { ...fields, approve: '1' }) }
}

test.group('Offline till: a sale made before a count, synced after it', () => {
  test('an approved count: the sale is taken off once, and a count movement of the stocktake says why', async ({ client, assert }) => {
    const fixture = await createStore()
    const tea = await createProduct(fixture, { stock: 20 })
    const device = new TestDevice(fixture)
    ;(await device.takeLease(client)).assertStatus(200)
    // 2 sold offline ten minutes ago; the shelf is then counted at 18 and approved
    await device.sell([{ product: tea, quantity: 2 }], { at: DateTime.utc().minus({ minutes: 10 }) })
    const sheet = await countSheet(client, fixture, { [tea.id]: 18 })
    ;(await sheet.approve()).assertStatus(302)
    assert.equal(await stockOf(tea.id), 18)

    ;(await device.sync(client, ...device.queue)).assertStatus(200)
    // Before: 16, with 18 on the shelf
    assert.equal(await stockOf(tea.id), 18)
    assert.equal(await ledgerSum(tea.id), 18)
    const movements = await db.from('stock_movements').where('product_id', tea.id).orderBy('id').select('quantity', 'reason', 'document_type', 'note')
    assert.deepEqual(movements.slice(-3).map((m) => [Number(m.quantity), m.reason]), [[-2, 'count'], [-2, 'sale'], [2, 'count']])
    const putBack = movements.at(-1)
    assert.equal(putBack.document_type, 'stocktake')
    assert.include(putBack.note, `offline sale #${device.queue[0].number}`)

    // The same batch again changes nothing
    ;(await device.sync(client, ...device.queue)).assertStatus(200)
    assert.equal(await stockOf(tea.id), 18)
    assert.equal(await ledgerSum(tea.id), 18)
  })

  test('a count not approved yet: its stock at count time loses the sale, so approval posts no variance for it', async ({ client, assert }) => {
    const fixture = await createStore()
    const tea = await createProduct(fixture, { stock: 20 })
    const cake = await createProduct(fixture, { stock: 10 })
    const device = new TestDevice(fixture)
    ;(await device.takeLease(client)).assertStatus(200)
    await device.sell([{ product: tea, quantity: 2 }, { product: cake, quantity: 1 }], { at: DateTime.utc().minus({ minutes: 10 }) })
    await device.sell([{ product: tea, quantity: 1 }], { at: DateTime.utc().minus({ minutes: 9 }) })
    // Counted: tea 17 (3 sold offline), cake 8 (1 sold offline, 1 missing)
    const sheet = await countSheet(client, fixture, { [tea.id]: 17, [cake.id]: 8 })
    ;(await device.sync(client, ...device.queue)).assertStatus(200)
    assert.equal(await stockOf(tea.id), 17)
    const line = await db.from('stocktake_lines').where('product_id', tea.id).firstOrFail()
    assert.equal(Number(line.counted_at_stock), 17)

    ;(await sheet.approve()).assertStatus(302)
    assert.deepEqual([await stockOf(tea.id), await stockOf(cake.id)], [17, 8])
    assert.deepEqual([await ledgerSum(tea.id), await ledgerSum(cake.id)], [17, 8])
    const variances = await db.from('stocktake_lines').whereIn('product_id', [tea.id, cake.id]).orderBy('product_id').select('variance')
    assert.deepEqual(variances.map((v) => Number(v.variance)), [0, -1])
  })

  test('two stocktakes still counting after the sale: both lose it', async ({ client, assert }) => {
    const fixture = await createStore()
    const tea = await createProduct(fixture, { stock: 20 })
    const device = new TestDevice(fixture)
    ;(await device.takeLease(client)).assertStatus(200)
    await device.sell([{ product: tea, quantity: 2 }], { at: DateTime.utc().minus({ minutes: 10 }) })
    const first = await countSheet(client, fixture, { [tea.id]: 18 })
    const second = await countSheet(client, fixture, { [tea.id]: 18 })
    ;(await device.sync(client, ...device.queue)).assertStatus(200)
    const lines = await db.from('stocktake_lines').where('product_id', tea.id).orderBy('id').select('counted_at_stock')
    assert.deepEqual(lines.map((l) => Number(l.counted_at_stock)), [18, 18])
    ;(await first.approve()).assertStatus(302)
    ;(await second.approve()).assertStatus(302)
    // Before: the second approval took the 2 off again (16)
    assert.equal(await stockOf(tea.id), 18)
    assert.equal(await ledgerSum(tea.id), 18)
  })

  test('a sale made after the count is taken off as any sale', async ({ client, assert }) => {
    const fixture = await createStore()
    const tea = await createProduct(fixture, { stock: 20 })
    const device = new TestDevice(fixture)
    ;(await device.takeLease(client)).assertStatus(200)
    const sheet = await countSheet(client, fixture, { [tea.id]: 20 })
    await db.from('stocktake_lines').where('product_id', tea.id).update({ counted_at: dbTimestamp(DateTime.utc().minus({ minutes: 5 })) })
    ;(await sheet.approve()).assertStatus(302)
    await device.sell([{ product: tea, quantity: 2 }], { at: DateTime.utc().minus({ minutes: 1 }) })
    ;(await device.sync(client, ...device.queue)).assertStatus(200)
    assert.equal(await stockOf(tea.id), 18)
    assert.equal(await ledgerSum(tea.id), 18)
    assert.equal(await db.from('stock_movements').where({ product_id: tea.id, reason: 'count' }).count('* as n').first().then((r) => Number(r.n)), 0)
  })
})
