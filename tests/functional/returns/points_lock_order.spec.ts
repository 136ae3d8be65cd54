import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { dbTimestamp } from '#platform/db_time'
import PaymentService from '#sales/payment_service'
import { apiToken, createProduct, createStore } from '#tests/fixtures'
import { enablePluginForTest, disablePluginForTest } from '#tests/plugins'
import { createCustomer } from '#tests/functional/customers/helpers'
import { heldOpen } from '#tests/functional/reports/late_writes'

/*
| A refund and a points payment that completes a sale, on one customer and one register, take their
| locks in one order: the register (whose chain takes the record), then the customer (whose points
| move). The payment took the customer first, then the register when it completed the sale, while a
| refund took the register, then the customer: the two could deadlock (MariaDB then rolled one back
| and it was tried again). Row locks are MariaDB's: SQLite locks the whole database.
*/

const onMariaDb = process.env.DB_CONNECTION === 'mysql'

test.group('Locks: a points payment and a refund', (group) => {
  group.each.teardown(async () => disablePluginForTest('loyalty-points'))

  test('a points payment that completes a sale waits for the register before it locks the customer, as a refund does', async ({ client, assert }) => {
    await enablePluginForTest('loyalty-points', { points_per_unit: 1, point_value: 1, min_redeem: 10 })
    const fixture = await createStore()
    const product = await createProduct(fixture, { price: 500, stock: 10 })
    const customer = await createCustomer(fixture)
    await db.table('loyalty_points_ledger').insert({ store_id: fixture.store.id, customer_id: customer.id, reason: 'earn', points: 10_000, created_at: dbTimestamp() })
    const cashier = await apiToken(client, fixture.users.cashier)
    const open = await client.post('/api/sales').bearerToken(cashier).json({ items: [{ product_id: product.id, quantity: 1 }], customer_id: customer.id })
    open.assertStatus(201)

    // A refund on the register holds its lock (its first step) while the payment comes
    const refund = await heldOpen((trx) => trx.from('registers').where('id', fixture.register.id).forUpdate().select('id').first())
    const paying = new PaymentService().addPayment({ user: fixture.users.cashier, store: fixture.store }, open.body().id, { method: 'loyalty_points', amount: open.body().total })
    await new Promise((resolve) => setTimeout(resolve, 500))
    // The customer is not locked by the waiting payment: the refund's next step (the points back) would take it
    const customerFree = await db
      .transaction(async (trx) => {
        await trx.rawQuery('SELECT id FROM customers WHERE id = ? FOR UPDATE NOWAIT', [customer.id])
        return true
      })
      .catch(() => false)
    await refund.finish()
    const outcome = await paying
    assert.isTrue(outcome.completed)
    assert.isTrue(customerFree, 'the waiting payment held the customer’s row: a refund taking it next would deadlock')
  }).skip(!onMariaDb, 'MariaDB only (DB_CONNECTION=mysql): SQLite locks the whole database')
})
