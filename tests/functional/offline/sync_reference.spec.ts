import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { createProduct, createStore } from '#tests/fixtures'
import { TestDevice } from './device.js'

/*
| An offline card payment's approval code is typed on the till. One holding control characters
| (an ESC, a NUL: bytes of printer commands) or longer than the payment's column was refused by
| the sync's validator with the whole batch, so the sale (paid, its receipt given) never synced. The
| sale is a fact: it is recorded with the code cleaned (control characters out, cut to 120
| characters), and the offline review list says what was sent (docs/offline-sync.md).
*/

test.group('Offline till: a payment reference', () => {
  test('control characters and an over-long code: the sale is recorded with the code cleaned, and reviewed', async ({ client, assert }) => {
    const fixture = await createStore()
    const tea = await createProduct(fixture, { price: 450, stock: 20 })
    const device = new TestDevice(fixture)
    ;(await device.takeLease(client)).assertStatus(200)
    const escaped = await device.sell([{ product: tea, quantity: 1 }], { cash: false })
    escaped.payments[0].reference = 'AB\u001b@\u0000C\u001d V1'
    const long = await device.sell([{ product: tea, quantity: 1 }], { cash: false })
    long.payments[0].reference = 'X'.repeat(300)
    const answer = await device.sync(client, escaped, long)
    answer.assertStatus(200)
    assert.deepEqual(answer.body().results.map((r: any) => [r.outcome, r.reviews]), [['recorded', ['reference_cleaned']], ['recorded', ['reference_cleaned']]])

    const references = await db.from('payments').join('sales', 'sales.id', 'payments.sale_id').whereIn('sales.client_uuid', [escaped.client_uuid, long.client_uuid]).orderBy('sales.number').select('payments.reference')
    assert.deepEqual(references.map((r) => r.reference), ['AB@C V1', 'X'.repeat(120)])
    const review = await db.from('offline_reviews').where({ client_uuid: escaped.client_uuid, kind: 'reference_cleaned' }).firstOrFail()
    assert.include(review.message, 'AB@C V1')
    assert.include(review.message, '\\u001b')
  })

  test('a reference that is not text is no till\'s: a 422 on its field', async ({ client, assert }) => {
    const fixture = await createStore()
    const tea = await createProduct(fixture, { price: 450, stock: 20 })
    const device = new TestDevice(fixture)
    ;(await device.takeLease(client)).assertStatus(200)
    const sale = await device.sell([{ product: tea, quantity: 1 }], { cash: false })
    ;(sale.payments[0] as any).reference = 12345
    const answer = await device.sync(client, sale)
    answer.assertStatus(422)
    assert.equal(answer.body().errors[0].field, 'sales.0.payments.0.reference')
  })
})
