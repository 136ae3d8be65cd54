import { test } from '@japa/runner'
import { DateTime } from 'luxon'
import db from '@adonisjs/lucid/services/db'
import type { LucidModel, LucidRow } from '@adonisjs/lucid/types/model'
import Sale from '#models/sale'
import Product from '#models/product'
import Register from '#models/register'
import Store from '#models/store'
import User from '#models/user'
import AuditLog from '#models/audit_log'
import { markInserted, modelFromRow, modelInsert, modelUpdate, runStatements } from '#platform/sql_batch'
import { createProduct, createStore } from '#tests/fixtures'

/*
| Models made from rows and written as statements without Lucid's per-call machinery
| (app/platform/sql_batch.ts): what they hold and what they write must be what Lucid's own
| $createFromAdapterResult and save() would, on SQLite and on MariaDB.
*/

async function rowOf(table: string, id: number) {
  const [read] = await runStatements(db.connection(), [{ sql: `SELECT * FROM ${table} WHERE id = ?`, bindings: [id] }])
  return read.rows[0] as Record<string, unknown>
}

function sameModel(assert: any, made: LucidRow, lucid: LucidRow) {
  assert.deepEqual(made.serialize(), lucid.serialize())
  assert.deepEqual(Object.keys(made.$attributes).sort(), Object.keys(lucid.$attributes).sort())
  assert.isTrue(made.$isPersisted)
  assert.isFalse(made.$isLocal)
  assert.isFalse(made.$isDirty)
}

test.group('Models from rows, and their writes', () => {
  test('a row becomes the same model as Lucid makes of it, for the models the hot paths read', async ({ assert }) => {
    const fixture = await createStore()
    const product = await createProduct(fixture)
    const sale = await Sale.create({ storeId: fixture.store.id, registerId: fixture.register.id, userId: fixture.users.cashier.id, status: 'open', channel: 'till', subtotal: 0, discountTotal: 0, taxTotal: 0, total: 0, paidTotal: 0, changeDue: 0, roundingTotal: 0, cartDiscountValue: 0, refundedTotal: 0 })
    const cases: [LucidModel, string, number][] = [
      [Sale, 'sales', sale.id],
      [Product, 'products', product.id],
      [Register, 'registers', fixture.register.id],
      [Store, 'stores', fixture.store.id],
      [User, 'users', fixture.users.cashier.id],
    ]
    for (const [model, table, id] of cases) {
      const row = await rowOf(table, id)
      sameModel(assert, modelFromRow(model, row), model.$createFromAdapterResult(row)!)
    }
    // Dates and booleans are consumed as Lucid consumes them
    const made = modelFromRow(Sale, await rowOf('sales', sale.id))
    assert.isTrue(DateTime.isDateTime(made.createdAt))
    assert.isTrue(made.createdAt.equals(sale.createdAt.startOf('second')))
    assert.strictEqual(modelFromRow(Product, await rowOf('products', product.id)).active, true)
  })

  test('a changed model writes only what changed, and its originals are its own', async ({ assert }) => {
    const fixture = await createStore()
    const product = await createProduct(fixture, { price: 500 })
    const made = modelFromRow(Product, await rowOf('products', product.id))
    const other = modelFromRow(Product, await rowOf('products', product.id))
    made.price = 650
    assert.deepEqual(Object.keys(made.$dirty), ['price'])
    assert.isFalse(other.$isDirty)
    const update = modelUpdate(made)!
    assert.match(update.sql, /^UPDATE `products` SET `price` = \?, `updated_at` = \? WHERE `id` = \?$/)
    await runStatements(db.connection(), [update])
    assert.equal(Number((await rowOf('products', product.id)).price), 650)
    assert.isNull(modelUpdate(other))
  })

  test('a row with a column the model does not name keeps it as an extra, as Lucid does', async ({ assert }) => {
    const fixture = await createStore()
    const [read] = await runStatements(db.connection(), [{ sql: 'SELECT r.*, 7 AS open_carts FROM registers r WHERE r.id = ?', bindings: [fixture.register.id] }])
    const made = modelFromRow(Register, read.rows[0])
    assert.equal(Number(made.$extras.open_carts), 7)
    assert.equal(made.id, fixture.register.id)
  })

  test("an INSERT writes dates as save() does, in the date's own zone, and a JSON column through its own prepare", async ({ assert }) => {
    const fixture = await createStore()
    const at = DateTime.fromISO('2026-03-01T10:20:30.456', { zone: 'America/New_York' })
    const entry = new AuditLog()
    entry.fill({ action: 'test_entry', storeId: fixture.store.id, userId: fixture.users.admin.id, subjectType: 'test', subjectId: 1, data: { a: [1, 2] }, ip: null })
    entry.createdAt = at
    const insert = modelInsert(entry)
    const lucid = (entry as any).prepareForAdapter(entry.$attributes)
    const columns = insert.sql.match(/\(([^)]*)\) VALUES/)![1].split(', ').map((c) => c.replaceAll('`', ''))
    assert.deepEqual(Object.fromEntries(columns.map((c, i) => [c, insert.bindings[i]])), lucid)
    assert.equal(lucid.created_at, '2026-03-01 10:20:30')
    assert.equal(lucid.data, JSON.stringify({ a: [1, 2] }))

    // Once written, a value that can change in place is copied for the originals, as Lucid does
    markInserted(entry, { rows: [], affectedRows: 1, insertId: 41 })
    assert.equal(entry.id, 41)
    assert.isFalse(entry.$isDirty)
    ;(entry.data!.a as number[]).push(3)
    assert.deepEqual(Object.keys(entry.$dirty), ['data'])
  })
})
