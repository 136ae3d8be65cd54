import { test } from '@japa/runner'
import { mkdtempSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import env from '#start/env'
import Customer from '#models/customer'
import { cashIntoDrawer, createProduct, createStore } from '#tests/fixtures'
import { sellFor } from '#tests/functional/backoffice/helpers'
import RefundService from '#returns/refund_service'
import { runBackup } from '#backups/backup_service'
import { ace, editRow, rewriteBackup, scratchTarget } from './helpers.js'

/*
| A backup from before migration 0119 (customers.phone_reversed) restores with the column filled
| from each customer's phone, so a search by a number's last digits finds them as it finds the
| customers saved since (tests/functional/customers/phone_search.spec.ts). One from before 0146
| has its offline sales' UUIDs and device ids in small letters, as the migration writes them.
*/

let dir: string
const previousDir = env.get('BACKUP_DIR')

/** A backup as a version before `migration` wrote it: the migration not in its schema, `column` not in `table`'s rows */
function withoutMigration(path: string, to: string, migration: string, table: string, column: string) {
  rewriteBackup(path, to, (lines, manifest) => {
    for (const header of [lines[0], manifest]) header.schema = header.schema.filter((name: string) => !name.includes(migration))
    let at = -1
    for (const line of lines) {
      if (!Array.isArray(line)) {
        at = line.table === table ? line.columns.indexOf(column) : -1
        if (at >= 0) line.columns.splice(at, 1)
      } else if (at >= 0) line.splice(at, 1)
    }
  })
}

test.group('Backups: columns added since a backup (0119 phones, 0124 refunds\' shifts, 0146 UUIDs)', (group) => {
  group.setup(() => {
    dir = mkdtempSync(join(app.makePath('tmp'), 'backups-'))
    env.set('BACKUP_DIR', dir)
    return () => {
      env.set('BACKUP_DIR', previousDir ?? '')
      rmSync(dir, { recursive: true, force: true })
    }
  })

  test('the restore fills phone_reversed of a backup that has no such column', async ({ assert }) => {
    const fixture = await createStore()
    const customer = await Customer.create({ storeId: fixture.store.id, name: 'Ada Lovelace', phone: '+12125550100' })
    const { path } = await runBackup({ to: join(dir, 'phones.jsonl.gz') })
    const old = join(dir, 'before-phones.jsonl.gz')
    withoutMigration(path, old, '0119_customer_phone_reversed', 'customers', 'phone_reversed')
    const target = await scratchTarget()
    try {
      const restore = await ace(['pos:restore', old], { ...target.env, BACKUP_DIR: dir })
      assert.equal(restore.code, 0, restore.out)
      const row = await db.connection(target.name).from('customers').where('id', customer.id).first()
      assert.equal(row.phone_reversed, '00105552121')
    } finally {
      await target.drop()
    }
  }).timeout(180_000)

  test('the restore gives the refunds of a backup from before 0124 the shift they were made in', async ({ assert }) => {
    const fixture = await createStore()
    const mug = await createProduct(fixture, { price: 1000, stock: 5 })
    await cashIntoDrawer(fixture, 5000)
    const sale = await sellFor(fixture, [{ product: mug, quantity: 2 }])
    const items = await db.from('sale_items').where('sale_id', sale.id).select('id')
    const refund = await new RefundService().refund({ user: fixture.users.manager, store: fixture.store }, sale.id, { lines: [{ saleItemId: items[0].id, quantity: 1, restock: true }], reason: 'Chipped' })
    const shift = await db.from('shifts').where({ register_id: fixture.register.id, status: 'open' }).firstOrFail()
    const { path } = await runBackup({ to: join(dir, 'refunds.jsonl.gz') })
    const old = join(dir, 'before-refund-shifts.jsonl.gz')
    withoutMigration(path, old, '0124_refund_shift', 'refunds', 'shift_id')
    const target = await scratchTarget()
    try {
      const restore = await ace(['pos:restore', old], { ...target.env, BACKUP_DIR: dir })
      assert.equal(restore.code, 0, restore.out)
      // Else the shift's X report and its drawer left the refund's cash out
      const row = await db.connection(target.name).from('refunds').where('id', refund.id).first()
      assert.equal(row.shift_id, shift.id)
    } finally {
      await target.drop()
    }
  }).timeout(180_000)

  test('the restore writes in small letters the client UUIDs and device ids of a backup from before 0146', async ({ assert }) => {
    const fixture = await createStore()
    const mug = await createProduct(fixture, { price: 1000, stock: 5 })
    const sale = await sellFor(fixture, [{ product: mug, quantity: 1 }])
    const { path } = await runBackup({ to: join(dir, 'uuids.jsonl.gz') })
    const old = join(dir, 'before-lowercase-uuids.jsonl.gz')
    const uuid = 'A1B2C3D4-E5F6-4A7B-8C9D-0E1F2A3B4C5D'
    // The sale as an older version kept one synced from a till that sent its UUIDs in capitals
    rewriteBackup(path, old, (lines, manifest) => {
      for (const header of [lines[0], manifest]) header.schema = header.schema.filter((name: string) => !name.includes('0146_client_uuid_lowercase'))
      editRow(lines, 'sales', (row) => Number(row.id) === sale.id, (row) => Object.assign(row, { client_uuid: uuid, device_id: uuid }))
    })
    const target = await scratchTarget()
    try {
      const restore = await ace(['pos:restore', old], { ...target.env, BACKUP_DIR: dir })
      assert.equal(restore.code, 0, restore.out)
      const row = await db.connection(target.name).from('sales').where('id', sale.id).select('client_uuid', 'device_id').first()
      assert.deepEqual([row.client_uuid, row.device_id], [uuid.toLowerCase(), uuid.toLowerCase()])
    } finally {
      await target.drop()
    }
  }).timeout(180_000)
})
